"""A monitoring database with known contents, written with conveyor's schema module.

Used by the reader, CLI and dashboard tests where exact counts matter; the end-to-end
tests use databases written by real conveyor runs instead.

Contents of run "sample-run" (times relative to T0, seconds):
- simulate: tasks 0-9; 0-6 exec_done, 7 failed after 2 retries (3 tries), 8 running, 9 launched
- analyse: tasks 10-13; 10-11 exec_done, 12 dep_fail, 13 pending
- collect: task 14 memo_done
- blocks: htex 0 RUNNING, htex 1 COMPLETED, htex 2 PENDING; two nodes of block 0
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conveyor.monitoring.schema import create_schema, format_time

RUN_ID = "sample-run"
T0 = 1_790_000_000.0
EXPECTED_STATES = {
    "exec_done": 9,
    "failed": 1,
    "running": 1,
    "launched": 1,
    "dep_fail": 1,
    "pending": 1,
    "memo_done": 1,
}
EXPECTED_APPS = {"simulate": 10, "analyse": 4, "collect": 1}


def _t(offset: float) -> str:
    return format_time(T0 + offset)


def _task(db: sqlite3.Connection, tid: int, app: str, states: list[str], tries: int) -> None:
    fail = tries - 1 if states[-1] != "failed" else tries
    db.execute(
        "INSERT INTO task (task_id, run_id, task_depends, task_func_name, task_memoize,"
        " task_stdout, task_stderr, task_time_invoked, task_time_returned, task_fail_count,"
        " task_fail_cost) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            tid,
            RUN_ID,
            "" if app != "analyse" else str(tid - 10),
            app,
            "False",
            f"/tmp/out/{tid}.out",
            f"/tmp/out/{tid}.err",
            _t(tid),
            _t(tid + 10)
            if states[-1] in ("exec_done", "failed", "dep_fail", "memo_done")
            else None,
            fail,
            float(fail),
        ),
    )
    for i, state in enumerate(states):
        try_id = min(i // 4, tries - 1) if app == "simulate" and tid == 7 else 0
        db.execute(
            "INSERT INTO status VALUES (?,?,?,?,?)", (tid, state, _t(tid + i * 0.5), RUN_ID, try_id)
        )
    for try_id in range(tries if "launched" in states else 0):
        history = f"ValueError('bad seed {tid}')" if tid == 7 else None
        done = states[-1] not in ("running", "launched") or try_id < tries - 1
        db.execute(
            "INSERT INTO try VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                try_id,
                tid,
                RUN_ID,
                "0",
                "node-a" if tid % 2 == 0 else "node-b",
                "htex",
                _t(tid + 0.5),
                _t(tid + 1.0) if states[-1] != "launched" else None,
                _t(tid + 1.0 + 0.1 * tid) if done else None,
                history,
                None,
            ),
        )


def build(path: Path) -> Path:
    """Write the sample database at ``path``; return the path."""
    db = sqlite3.connect(path)
    create_schema(db)
    with db:
        db.execute(
            "INSERT INTO workflow VALUES (?,?,?,?,?,?,?,?,?,?)",
            (RUN_ID, "sample", "1.0", _t(0), _t(25), "login1", "ada", "/tmp/runinfo/000", 2, 10),
        )
        ok = ["pending", "launched", "running", "running_ended", "exec_done"]
        for tid in range(7):
            _task(db, tid, "simulate", ok, 1)
        retry = ["pending", "launched", "running", "fail_retryable"]
        _task(db, 7, "simulate", retry * 2 + ["pending", "launched", "running", "failed"], 3)
        _task(db, 8, "simulate", ["pending", "launched", "running"], 1)
        _task(db, 9, "simulate", ["pending", "launched"], 1)
        for tid in (10, 11):
            _task(db, tid, "analyse", ok, 1)
        _task(db, 12, "analyse", ["pending", "dep_fail"], 1)
        _task(db, 13, "analyse", ["pending"], 1)
        _task(db, 14, "collect", ["pending", "memo_done"], 1)
        _blocks_nodes_resources(db)
    db.close()
    return path


def _blocks_nodes_resources(db: sqlite3.Connection) -> None:
    for block, states in (
        ("0", ["PENDING", "RUNNING"]),
        ("1", ["PENDING", "RUNNING", "COMPLETED"]),
    ):
        for i, state in enumerate(states):
            db.execute(
                "INSERT INTO block VALUES (?,?,?,?,?,?)",
                (RUN_ID, "htex", block, f"j{block}", _t(i), state),
            )
    db.execute(
        "INSERT INTO block VALUES (?,?,?,?,?,?)", (RUN_ID, "htex", "2", None, _t(3), "PENDING")
    )
    for n, host in enumerate(("node-a", "node-b")):
        db.execute(
            "INSERT INTO node (run_id, hostname, uid, block_id, cpu_count, total_memory, active,"
            " worker_count, python_v, timestamp, last_heartbeat) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (RUN_ID, host, f"uid{n}", "0", 8, 16 << 30, 1, 4, "3.11.2", _t(1), _t(20)),
        )
    for k in range(6):
        for tid in (7, 8):
            db.execute(
                "INSERT INTO resource (try_id, task_id, run_id, timestamp,"
                " resource_monitoring_interval, psutil_process_pid, psutil_process_time_user,"
                " psutil_process_time_system, psutil_process_memory_resident,"
                " psutil_process_memory_percent) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    0,
                    tid,
                    RUN_ID,
                    _t(9 + k),
                    1.0,
                    1000 + tid,
                    0.8 * k,
                    0.1 * k,
                    (100 + 20 * k) * 2**20,
                    1.5,
                ),
            )
