"""A real Slurm cluster for the tests in this directory (started and stopped by cluster.sh).

Outside CI the tests skip, with the reason printed, when the cluster cannot be had (not
root, apt cannot install). In CI (CI=true) that is a failure: these tests must run there.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from batch_cluster import environ, started_cluster

CLUSTER = Path(__file__).with_name("cluster.sh")
SLURM_DIR = os.environ.get("CONVEYOR_SLURM_DIR", "/var/tmp/conveyor-slurm")


@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[str]:
    """Start the cluster once per session; yield SLURM_CONF; stop it at the end."""
    conf = f"{SLURM_DIR}/slurm.conf"
    with (
        started_cluster("Slurm", CLUSTER, "slurmctld", "run slurmd"),
        environ({"SLURM_CONF": conf}),
    ):
        yield conf
