"""Helpers for HTEX tests: executors with small heartbeats, process lookup, waiting."""

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.providers.local import LocalProvider


def make_htex(tmp_path: Path, **kw: Any) -> HighThroughputExecutor:
    options: dict[str, Any] = {
        "max_workers_per_node": 2,
        "heartbeat_period": 0.5,
        "heartbeat_threshold": 3,
        "encrypted": True,
    }
    options.update(kw)
    ex = HighThroughputExecutor(label="htex", provider=LocalProvider(init_blocks=1), **options)
    ex.run_dir = str(tmp_path)
    return ex


def processes_of(run_dir: Path) -> list[psutil.Process]:
    """Live processes whose command line mentions this run_dir (pools) or are our children."""
    me = psutil.Process()
    found = {p.pid: p for p in me.children(recursive=True)}
    for p in psutil.process_iter(["cmdline"]):
        if str(run_dir) in " ".join(p.info["cmdline"] or []) and p.pid != os.getpid():
            found[p.pid] = p
    return [p for p in found.values() if _alive(p)]


def _alive(proc: psutil.Process) -> bool:
    """Running and not a zombie; a process that ends while we look is not alive."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def kill_pools(run_dir: Path) -> None:
    """SIGKILL every pool manager of this run (top-level ones) and then its workers."""
    pools = [
        proc
        for proc in processes_of(run_dir)
        if "conveyor.executors.htex.pool" in " ".join(proc.cmdline())
        and "conveyor.executors.htex.pool" not in " ".join(proc.parent().cmdline())
    ]
    assert pools, "no pool process found"
    for proc in pools:
        children = proc.children(recursive=True)
        proc.kill()  # first, so that it cannot replace the workers killed next
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()


def wait_until(cond: Callable[[], bool], timeout: float = 20.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()
