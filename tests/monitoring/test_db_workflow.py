"""What a workflow writes: task, try, status and workflow rows with Parsl's status names."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import pytest
from dbkit import WarningsCollector, db_path, hub, rows, statuses, threads_config

import conveyor
from conveyor import python_app
from conveyor.monitoring import endpoint
from conveyor.monitoring.schema import check_database


@python_app
def double(x: int) -> int:
    return 2 * x


@python_app
def fail(message: str) -> None:
    raise ValueError(message)


@python_app(cache=True)
def cached(x: int) -> int:
    return x + 1


def _run_mixed(tmp_path: Path) -> dict[str, int]:
    with conveyor.load(threads_config(tmp_path, retries=1)):
        ok = double(3)
        bad = fail("boom")
        after_bad = double(bad)
        first, second = cached(1), None
        assert ok.result() == 6 and first.result() == 2
        second = cached(1)
        assert second.result() == 2
        with pytest.raises(ValueError):
            bad.result()
        with pytest.raises(Exception, match="Dependency"):
            after_bad.result()
        ids = {"ok": ok.tid, "bad": bad.tid, "dep": after_bad.tid, "memo": second.tid}
    conveyor.clear()
    return ids


def test_a_mixed_workflow_is_recorded_with_parsls_names(tmp_path: Path) -> None:
    ids = _run_mixed(tmp_path)
    path = db_path(tmp_path)
    # the thread pool reports when each try runs, as Parsl's does with monitoring on
    ran = ["running", "running_ended"]
    assert statuses(path, ids["ok"]) == ["pending", "launched", *ran, "exec_done"]
    assert statuses(path, ids["bad"]) == [
        "pending",
        "launched",
        *ran,
        "fail_retryable",
        "launched",
        *ran,
        "failed",
    ]
    assert statuses(path, ids["dep"]) == ["pending", "dep_fail"]
    assert statuses(path, ids["memo"]) == ["pending", "memo_done"]
    tries = rows(
        path,
        'SELECT try_id, task_executor, task_fail_history, task_try_time_returned FROM "try" '
        "WHERE task_id = ? ORDER BY try_id",
        ids["bad"],
    )
    assert [t[:2] for t in tries] == [(0, "threads"), (1, "threads")]
    assert all("boom" in t[2] and t[3] for t in tries)
    (task,) = rows(
        path,
        "SELECT task_func_name, task_fail_count, task_time_invoked, task_time_returned, "
        "task_memoize FROM task WHERE task_id = ?",
        ids["bad"],
    )
    assert task[0] == "fail" and task[1] == 2 and task[2] < task[3] and task[4] == "False"
    (dep,) = rows(path, "SELECT task_depends FROM task WHERE task_id = ?", ids["dep"])
    assert dep == (str(ids["bad"]),)
    (wf,) = rows(
        path,
        "SELECT workflow_name, tasks_completed_count, tasks_failed_count, time_completed "
        "FROM workflow",
    )
    assert wf[:3] == ("dbtest", 3, 2) and wf[3] is not None


def test_the_database_is_in_wal_mode_and_checks_clean(tmp_path: Path) -> None:
    _run_mixed(tmp_path)
    conn = sqlite3.connect(db_path(tmp_path))
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        check_database(conn)
    finally:
        conn.close()


def test_two_workflows_in_one_database_keep_their_run_ids(tmp_path: Path) -> None:
    for name in ("first", "second"):
        config = threads_config(tmp_path, monitoring=hub(tmp_path, workflow_name=name))
        with conveyor.load(config):
            assert [double(i).result() for i in range(3)] == [0, 2, 4]
        conveyor.clear()
    path = db_path(tmp_path)
    runs = dict(rows(path, "SELECT workflow_name, run_id FROM workflow"))
    assert set(runs) == {"first", "second"} and runs["first"] != runs["second"]
    for run_id in runs.values():
        assert rows(path, "SELECT count(*) FROM task WHERE run_id = ?", run_id) == [(3,)]
        # pending, launched, running, running_ended, exec_done per task
        assert rows(path, "SELECT count(*) FROM status WHERE run_id = ?", run_id) == [(15,)]


def test_a_failing_write_is_a_warning_and_the_workflow_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(endpoint, "BUSY_TIMEOUT_S", 0.1)
    collect = WarningsCollector()
    log = logging.getLogger("conveyor.monitoring")
    log.addHandler(collect)
    try:
        with conveyor.load(threads_config(tmp_path)) as dfk:
            locker = sqlite3.connect(db_path(tmp_path), timeout=5)
            locker.execute("BEGIN EXCLUSIVE")  # nobody else may write for now
            assert [double(i).result() for i in range(5)] == [0, 2, 4, 6, 8]
            assert dfk.monitoring is not None
            writer = dfk.monitoring.writer
            for _ in range(600):  # the writer's next batch meets the lock
                if writer.failures:
                    break
                time.sleep(0.05)
            locker.rollback()
            locker.close()
            assert double(21).result() == 42
        conveyor.clear()
    finally:
        log.removeHandler(collect)
    assert any("could not be written" in m for m in collect.messages), collect.messages
    # the batch written after the lock was released is there
    path = db_path(tmp_path)
    assert rows(path, "SELECT count(*) FROM status WHERE task_status_name = 'exec_done'")[0][0] >= 1
