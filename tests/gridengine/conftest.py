"""A real Grid Engine for the tests in this directory (started and stopped by cluster.sh).

Outside CI the tests skip, with the reason printed, when it cannot be had (not root, apt
cannot install it). In CI (CI=true) that is a failure: these tests must run there.
"""

import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from batch_cluster import environ, started_cluster

CLUSTER = Path(__file__).with_name("cluster.sh")
SGE_ENV = {"SGE_ROOT": "/var/lib/gridengine", "SGE_CELL": "default"}


@pytest.fixture(scope="session")
def gridengine() -> Iterator[dict[str, str]]:
    """Start qmaster + execd once per session; yield the clients' environment; stop them."""
    with (
        started_cluster("Grid Engine", CLUSTER, "sge_qmaster", "run sge_execd"),
        environ(SGE_ENV),
    ):
        yield dict(SGE_ENV)


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
