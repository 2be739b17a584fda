"""Real MPI for the tests: find (or, as root, install) Open MPI and MPICH, compile hello_mpi.c.

Outside CI a missing toolchain skips with the reason; with CI=true it is a failure.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

HELLO = Path(__file__).with_name("hello_mpi.c")
PACKAGES = ["openmpi-bin", "libopenmpi-dev", "mpich", "libmpich-dev"]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"MPI tests must run in CI, but: {reason}")
    pytest.skip(reason)


def _installed() -> bool:
    """Every package installed (dpkg), so the headers are there too, not only the commands."""
    if shutil.which("dpkg-query") is None:
        tools = ["mpicc.openmpi", "mpicc.mpich", "mpiexec.openmpi", "mpiexec.hydra"]
        return all(shutil.which(t) for t in tools)
    query = ["dpkg-query", "-W", "-f", "${Status}\n", *PACKAGES]
    done = subprocess.run(query, capture_output=True, text=True, check=False)
    lines = done.stdout.splitlines()
    return len(lines) == len(PACKAGES) and all(line.endswith(" installed") for line in lines)


def ensure_mpi() -> None:
    """Open MPI's and MPICH's compilers, headers and launchers, installed (as root) if missing."""
    if _installed():
        return
    if os.geteuid() != 0:
        _unavailable(f"MPI is not installed ({', '.join(PACKAGES)}) and installing it needs root")
    done = subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        check=False,
    )
    if done.returncode != 0 or not _installed():
        _unavailable(f"apt-get could not install {PACKAGES}: {done.stderr.strip()[-400:]}")


def compile_hello(out_dir: Path, flavour: str) -> Path:
    """hello_mpi.c compiled with ``mpicc.<flavour>`` (openmpi or mpich)."""
    exe = out_dir / f"hello_{flavour}"
    subprocess.run([f"mpicc.{flavour}", "-o", str(exe), str(HELLO)], check=True)
    return exe


def hydra_on_path(bin_dir: Path) -> Path:
    """A directory whose ``mpiexec`` is MPICH's hydra (the syntax of Parsl's mpiexec prefix).

    A wrapper script, not a symlink: hydra finds its proxy beside the path it was run by.
    """
    bin_dir.mkdir(parents=True, exist_ok=True)
    wrapper = bin_dir / "mpiexec"
    wrapper.write_text('#!/bin/sh\nexec /usr/bin/mpiexec.hydra "$@"\n')
    wrapper.chmod(0o755)
    return bin_dir


def parse_ranks(text: str) -> list[tuple[int, int, str, str]]:
    """``(rank, size, host, slurm node)`` from the hello lines of one run, sorted by rank."""
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 8 and parts[0] == "rank":
            rows.append((int(parts[1]), int(parts[3]), parts[5], parts[7]))
    return sorted(rows)
