"""HTEX with monitoring: worker-side times and places, resource samples, nodes and blocks."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from dbkit import db_path, htex_config, hub, rows, statuses

import conveyor
from conveyor import python_app


@python_app
def busy(seconds: float) -> int:
    import time

    end = time.time() + seconds
    n = 0
    while time.time() < end:
        n += 1
    return n


@python_app
def flaky() -> None:
    raise RuntimeError("flaky")


def test_htex_run_fills_every_table(tmp_path: Path) -> None:
    with conveyor.load(htex_config(tmp_path, retries=1)):
        long = busy(1.0)
        quick = [busy(0.0) for _ in range(20)]
        bad = flaky()
        assert long.result() > 0 and all(f.result() >= 0 for f in quick)
        with pytest.raises(RuntimeError):
            bad.result()
    conveyor.clear()
    path = db_path(tmp_path)
    assert statuses(path, long.tid) == [
        "pending",
        "launched",
        "running",
        "running_ended",
        "exec_done",
    ]
    assert statuses(path, bad.tid)[-1] == "failed"
    assert statuses(path, bad.tid).count("running") == 2
    (tried,) = rows(
        path,
        "SELECT hostname, block_id, task_try_time_launched, task_try_time_running, "
        'task_try_time_returned FROM "try" WHERE task_id = ?',
        long.tid,
    )
    assert tried[0] == socket.gethostname() and tried[1] == "0"
    assert tried[2] <= tried[3] < tried[4]
    samples = rows(
        path,
        "SELECT task_id, try_id, psutil_process_pid, psutil_process_memory_resident, "
        "resource_monitoring_interval FROM resource",
    )
    assert samples, "a task busy for 1 s under 0.2 s sampling must be sampled"
    assert {s[0] for s in samples} <= {long.tid, *(f.tid for f in quick)}
    assert any(s[0] == long.tid and s[2] > 0 and s[3] > 0 and s[4] == 0.2 for s in samples)
    (node,) = rows(path, "SELECT hostname, block_id, worker_count, cpu_count, active FROM node")
    # inactive once its block ended, last heard of then
    assert node[0] == socket.gethostname() and node[1] == "0" and node[2] == 2 and node[4] == 0
    (seen,) = rows(path, "SELECT timestamp, last_heartbeat FROM node")
    assert seen[0] < seen[1]
    block_states = [r[0] for r in rows(path, "SELECT status FROM block ORDER BY timestamp")]
    assert block_states[0] == "PENDING" and len(block_states) >= 2


def test_without_resource_monitoring_pools_report_nothing(tmp_path: Path) -> None:
    config = htex_config(tmp_path, monitoring=hub(tmp_path, resource_monitoring_enabled=False))
    with conveyor.load(config):
        f = busy(0.3)
        assert f.result() > 0
    conveyor.clear()
    path = db_path(tmp_path)
    assert statuses(path, f.tid) == ["pending", "launched", "exec_done"]
    assert rows(path, "SELECT count(*) FROM resource") == [(0,)]
    assert rows(path, "SELECT count(*) FROM node") == [(0,)]
    assert rows(path, 'SELECT hostname, task_executor FROM "try"') == [(None, "htex")]
