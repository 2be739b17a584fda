"""Helpers for the monitoring database tests: configs, runs and queries."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from conveyor import Config, MonitoringHub
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.executors.threads import ThreadPoolExecutor
from conveyor.providers.local import LocalProvider


def db_path(tmp_path: Path) -> Path:
    return tmp_path / "mon" / "monitoring.db"


def hub(tmp_path: Path, **kw: Any) -> MonitoringHub:
    options: dict[str, Any] = {
        "logging_endpoint": f"sqlite:///{db_path(tmp_path)}",
        "workflow_name": "dbtest",
        "resource_monitoring_interval": 0.2,
    }
    options.update(kw)
    return MonitoringHub(**options)


def threads_config(tmp_path: Path, **kw: Any) -> Config:
    return Config(
        executors=[ThreadPoolExecutor(label="threads", max_threads=2)],
        run_dir=str(tmp_path / "runinfo"),
        monitoring=kw.pop("monitoring", None) or hub(tmp_path),
        **kw,
    )


def htex_config(tmp_path: Path, **kw: Any) -> Config:
    htex = HighThroughputExecutor(
        label="htex",
        max_workers_per_node=2,
        heartbeat_period=0.5,
        heartbeat_threshold=5,
        provider=LocalProvider(init_blocks=1, max_blocks=1),
    )
    return Config(
        executors=[htex],
        run_dir=str(tmp_path / "runinfo"),
        strategy="none",
        monitoring=kw.pop("monitoring", None) or hub(tmp_path),
        **kw,
    )


def rows(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Query the database read-only (as the dashboard would)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def statuses(path: Path, task_id: int) -> list[str]:
    found = rows(
        path,
        "SELECT task_status_name FROM status WHERE task_id = ? ORDER BY timestamp, rowid",
        task_id,
    )
    return [r[0] for r in found]


class WarningsCollector(logging.Handler):
    """Keeps the messages of the warnings logged where it is added."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
