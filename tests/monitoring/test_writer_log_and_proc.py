"""The writer's own log (Parsl's database_manager.log) and its process handle (dbm_proc)."""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from dbkit import db_path, rows, threads_config

import conveyor
from conveyor import python_app
from conveyor.logconfigs import JSONLogging, NoopLogging


@python_app
def double(x: int) -> int:
    return 2 * x


def _wait_for(check: object, what: str) -> None:
    for _ in range(400):
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting: {what}")


@pytest.mark.parametrize("setting", [True, False])
def test_writer_logs_into_database_manager_log(tmp_path: Path, setting: bool) -> None:
    with conveyor.load(threads_config(tmp_path, initialize_logging=setting)) as dfk:
        assert double(4).result() == 8
        log = Path(dfk.run_dir) / "database_manager.log"
        run_id = dfk.monitoring.run_id
    # closed at cleanup: the writer wrote its start line before it exited
    assert f"monitoring writer for run {run_id} started" in log.read_text()
    assert not (log.parent / "database_manager.jsonlog").exists()


def test_a_log_config_is_used_by_the_writer(tmp_path: Path) -> None:
    with conveyor.load(threads_config(tmp_path, initialize_logging=JSONLogging())) as dfk:
        assert double(1).result() == 2
        run_dir = Path(dfk.run_dir)
    text = (run_dir / "database_manager.jsonlog").read_text()
    records = [json.loads(line) for line in text.splitlines()]
    assert any("monitoring writer for run" in r["msg"] for r in records)
    assert all(r["process"] != os.getpid() for r in records)  # written by the writer process
    assert not (run_dir / "database_manager.log").exists()


def test_noop_logging_writes_no_writer_log(tmp_path: Path) -> None:
    with conveyor.load(threads_config(tmp_path, initialize_logging=NoopLogging())) as dfk:
        assert double(2).result() == 4
        run_dir = Path(dfk.run_dir)
    assert not list(run_dir.glob("database_manager.*"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT])
def test_killing_the_writer_leaves_the_workflow_running(tmp_path: Path, sig: int) -> None:
    with conveyor.load(threads_config(tmp_path)) as dfk:
        assert double(1).result() == 2
        proc = dfk.monitoring.dbm_proc
        assert proc is dfk.monitoring.writer and proc.is_alive()
        os.kill(proc.pid, sig)
        _wait_for(lambda: not proc.is_alive(), "the writer to exit")
        assert [double(i).result() for i in range(5)] == [0, 2, 4, 6, 8]
    # the workflow row was written before the writer started; nothing after the kill ends it
    (row,) = rows(db_path(tmp_path), "SELECT time_completed FROM workflow")
    assert row == (None,)


class _Unpicklable(JSONLogging):
    def __reduce__(self) -> Any:
        raise TypeError("not today")


class _Huge(JSONLogging):
    def __init__(self) -> None:
        super().__init__()
        self.ballast = "x" * (64 << 10)


@pytest.mark.parametrize("config", [_Unpicklable, _Huge])
def test_a_log_config_the_writer_cannot_get_falls_back_to_the_plain_log(
    tmp_path: Path, config: type[JSONLogging], caplog: pytest.LogCaptureFixture
) -> None:
    config_ = threads_config(tmp_path, initialize_logging=config())
    with caplog.at_level(logging.WARNING, "conveyor.monitoring.hub"), conveyor.load(config_) as dfk:
        assert double(3).result() == 6
        run_dir = Path(dfk.run_dir)
    assert "cannot be sent to the writer process" in caplog.text
    assert "monitoring writer for run" in (run_dir / "database_manager.log").read_text()
