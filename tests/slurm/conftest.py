"""A real Slurm cluster for the tests in this directory (started and stopped by cluster.sh).

Outside CI the tests skip, with the reason printed, when the cluster cannot be had (not
root, apt cannot install). In CI (CI=true) that is a failure: these tests must run there.
"""

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

CLUSTER = Path(__file__).with_name("cluster.sh")
SLURM_DIR = os.environ.get("CONVEYOR_SLURM_DIR", "/var/tmp/conveyor-slurm")


def _cluster(action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(CLUSTER), action], capture_output=True, text=True, timeout=600, check=False
    )


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"Slurm tests must run in CI, but: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[str]:
    """Start the cluster once per session; yield SLURM_CONF; stop it at the end."""
    if os.geteuid() != 0:
        _unavailable("Slurm tests need root to run slurmd (run `make test` as root)")
    if shutil.which("slurmctld") is None:
        installed = _cluster("install")
        if installed.returncode != 0:
            _unavailable(f"Slurm could not be installed: {installed.stderr.strip()}")
    started = _cluster("start")
    if started.returncode != 0:
        stopped = _cluster("stop")
        pytest.fail(f"the Slurm test cluster did not start: {started.stderr}{stopped.stderr}")
    conf = f"{SLURM_DIR}/slurm.conf"
    old = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = conf
    try:
        yield conf
    finally:
        _cluster("stop")
        if old is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = old


def squeue_jobs() -> list[str]:
    """``id name state`` of every job Slurm still lists."""
    out = subprocess.run(
        ["squeue", "-h", "-o", "%i %j %T"], capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines() if line.strip()]
