"""Both test clusters refuse to start when another process listens on one of their ports,
naming the port and the process (never a cluster whose nodes answer someone else)."""

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

TESTS = Path(__file__).parents[1]

pytestmark = pytest.mark.gridengine


@pytest.fixture
def listener() -> Iterator[int]:
    """A port some other process (this test) is listening on."""
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _start(script: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(script), "start"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **env},
    )


def _needs(program: str) -> None:
    if os.geteuid() != 0 or shutil.which(program) is None:
        reason = f"the cluster script needs root and {program}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"must run in CI, but: {reason}")
        pytest.skip(reason)


def test_grid_engine_refuses_a_taken_qmaster_port(listener: int, tmp_path: Path) -> None:
    _needs("sge_qmaster")
    env = {"CONVEYOR_SGE_DIR": str(tmp_path), "CONVEYOR_SGE_QMASTER_PORT": str(listener)}
    started = _start(TESTS / "gridengine" / "cluster.sh", env)
    assert started.returncode != 0
    assert f"port {listener} (needed by sge_qmaster) is already in use" in started.stderr
    assert f"in use by {psutil.Process().name()} (pid {os.getpid()})" in started.stderr
    assert not list((tmp_path / "run").glob("*.pid")), "a daemon was started anyway"


def test_slurm_refuses_a_taken_slurmd_port(listener: int, tmp_path: Path) -> None:
    _needs("slurmctld")
    env = {"CONVEYOR_SLURM_DIR": str(tmp_path), "CONVEYOR_SLURM_PORT": str(listener)}
    started = _start(TESTS / "slurm" / "cluster.sh", env)
    assert started.returncode != 0
    assert "is already in use by " in started.stderr, started.stderr
    # another engineer's Slurm may hold the controller port: that is named first
    named = started.stderr.split("port ", 1)[1].split(" ", 1)[0]
    assert named in (str(listener), "16817"), started.stderr
    if named == str(listener):
        assert f"{psutil.Process().name()} (pid {os.getpid()})" in started.stderr
    assert not list((tmp_path / "run").glob("*.pid")), "a daemon was started anyway"
