"""A real Grid Engine for the tests in this directory (started and stopped by cluster.sh).

Outside CI the tests skip, with the reason printed, when it cannot be had (not root, apt
cannot install it). In CI (CI=true) that is a failure: these tests must run there.
"""

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CLUSTER = Path(__file__).with_name("cluster.sh")
SGE_ENV = {"SGE_ROOT": "/var/lib/gridengine", "SGE_CELL": "default"}


def _cluster(action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(CLUSTER), action], capture_output=True, text=True, timeout=600, check=False
    )


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"Grid Engine tests must run in CI, but: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def gridengine() -> Iterator[dict[str, str]]:
    """Start qmaster + execd once per session; yield the clients' environment; stop them."""
    if os.geteuid() != 0:
        _unavailable("Grid Engine tests need root to run sge_execd (run `make test` as root)")
    if shutil.which("sge_qmaster") is None:
        installed = _cluster("install")
        if installed.returncode != 0:
            _unavailable(f"Grid Engine could not be installed: {installed.stderr.strip()}")
    started = _cluster("start")
    if started.returncode != 0:
        stopped = _cluster("stop")
        pytest.fail(f"the Grid Engine test cluster did not start: {started.stderr}{stopped.stderr}")
    old = {k: os.environ.get(k) for k in SGE_ENV}
    os.environ.update(SGE_ENV)
    try:
        yield dict(SGE_ENV)
    finally:
        _cluster("stop")
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _listed() -> list[tuple[str, str, str]]:
    """``(id, name, state)`` of every job qstat lists for this user."""
    out = subprocess.run(["qstat", "-xml"], capture_output=True, text=True, check=True).stdout
    return [
        (j.findtext("JB_job_number", ""), j.findtext("JB_name", ""), j.findtext("state", ""))
        for j in ET.fromstring(out).iter("job_list")
    ]


@pytest.fixture
def qstat_jobs(gridengine: dict[str, str]) -> Callable[[], list[tuple[str, str, str]]]:
    """A function listing the jobs Grid Engine still has (pending or running)."""
    return _listed
