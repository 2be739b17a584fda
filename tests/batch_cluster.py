"""Helpers shared by the tests on real batch systems (tests/slurm, tests/gridengine).

Each of those directories has a ``cluster.sh`` (install / start / stop) and a conftest
whose session fixture uses :func:`started_cluster`; the tests poll with
:func:`wait_until` and look for the pools and blocks their HTEX started.
"""

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

import conveyor
from conveyor.executors.blocks.states import BlockState
from conveyor.executors.htex.executor import HighThroughputExecutor


def run_cluster_script(script: Path, action: str) -> subprocess.CompletedProcess[str]:
    """``bash script action``, its output captured (never raises for a non-zero exit)."""
    return subprocess.run(
        ["bash", str(script), action], capture_output=True, text=True, timeout=600, check=False
    )


def unavailable(system: str, reason: str) -> None:
    """Skip (reason printed), or fail in CI (CI=true), where the tests must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{system} tests must run in CI, but: {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def started_cluster(system: str, script: Path, daemon: str, why_root: str) -> Iterator[None]:
    """Install ``system`` if ``daemon`` is missing, start it with ``script``, stop it after."""
    if os.geteuid() != 0:
        unavailable(system, f"{system} tests need root to {why_root} (run `make test` as root)")
    if shutil.which(daemon) is None:
        installed = run_cluster_script(script, "install")
        if installed.returncode != 0:
            unavailable(system, f"{system} could not be installed: {installed.stderr.strip()}")
    started = run_cluster_script(script, "start")
    if started.returncode != 0:
        stopped = run_cluster_script(script, "stop")
        pytest.fail(f"the {system} test cluster did not start: {started.stderr}{stopped.stderr}")
    try:
        yield
    finally:
        run_cluster_script(script, "stop")


@contextlib.contextmanager
def environ(values: dict[str, str]) -> Iterator[None]:
    """Set these environment variables; put back what they were on exit."""
    old = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def wait_until(cond: Callable[[], object], timeout: float, what: str) -> None:
    """Poll ``cond`` every 0.1 s; fail naming ``what`` if it is not true within ``timeout``."""
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def loaded_htex(label: str) -> HighThroughputExecutor:
    """The loaded kernel's HTEX labelled ``label``."""
    ex = conveyor.dfk().executors[label]
    assert isinstance(ex, HighThroughputExecutor)
    return ex


def block_states(ex: HighThroughputExecutor) -> dict[str, BlockState]:
    """The state of each block ``ex`` has started, by block id."""
    assert ex._blocks is not None
    return ex._blocks.block_states()


def pools_of(run_dir: Path) -> list[psutil.Process]:
    """Pool processes started for this test (their log directory is under its run_dir)."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        if (
            "conveyor.executors.htex.pool" in cmd
            and str(run_dir) in cmd
            and proc.info["status"] != psutil.STATUS_ZOMBIE
        ):
            found.append(proc)
    return found


def squeue_jobs() -> list[str]:
    """``id name state`` of every job Slurm still lists."""
    out = subprocess.run(
        ["squeue", "-h", "-o", "%i %j %T"], capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines() if line.strip()]
