"""The SQL side: one batch of rows (:class:`~conveyor.monitoring.rows.Batch`) in one transaction.

Used by the writer process (:mod:`conveyor.monitoring.service`); the ``workflow`` row is
written by the user's process at ``load()`` (:func:`insert_workflow`), so an endpoint that
cannot be written is a ConfigurationError there. WAL mode: readers such as the dashboard
never block the writer, and a batch is either all in the database or not at all. A write
that fails (disk full, file removed, locked for longer than the busy timeout) drops that
batch with a warning in the log; the workflow goes on.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from typing import Any

from conveyor.monitoring.rows import Batch
from conveyor.monitoring.schema import format_time as stamp

__all__ = ["BatchWriter", "WorkflowInfo", "insert_workflow"]

logger = logging.getLogger(__name__)

#: rows per INSERT statement for the frequent tables: SQLite parses and steps one
#: statement per chunk instead of one per row
CHUNK = 100
_UPSERT_TRY = (
    " ON CONFLICT (try_id, task_id, run_id) DO UPDATE SET "
    "block_id = coalesce(excluded.block_id, block_id), "
    "hostname = coalesce(excluded.hostname, hostname), "
    "task_try_time_running = coalesce(excluded.task_try_time_running, task_try_time_running), "
    "task_try_time_returned = excluded.task_try_time_returned, "
    "task_fail_history = excluded.task_fail_history"
)
#: the frequent inserts: (statement head, columns, tail)
_INSERTS: dict[str, tuple[str, int, str]] = {
    "new_tasks": ("INSERT OR REPLACE INTO task", 15, ""),
    "tries": ('INSERT INTO "try"', 11, _UPSERT_TRY),
    "statuses": ("INSERT OR IGNORE INTO status", 5, ""),
}


def _insert_sql(name: str, rows: int) -> str:
    head, count, tail = _INSERTS[name]
    one = "(" + ",".join("?" * count) + ")"
    return f"{head} VALUES {','.join([one] * rows)}{tail}"


#: in the order they run: inserts before the updates of the same rows
_SQL: dict[str, str] = {
    "new_tasks": _insert_sql("new_tasks", 1),
    "task_updates": (
        "UPDATE task SET task_time_returned = coalesce(?1, task_time_returned), "
        "task_fail_count = ?2, task_fail_cost = ?3, task_hashsum = coalesce(?6, task_hashsum), "
        "task_inputs = coalesce(?7, task_inputs) WHERE task_id = ?4 AND run_id = ?5"
    ),
    "tries": _insert_sql("tries", 1),
    "try_updates": (
        'UPDATE "try" SET block_id = ?1, hostname = ?2, task_try_time_running = ?3 '
        "WHERE try_id = ?4 AND task_id = ?5 AND run_id = ?6"
    ),
    "statuses": _insert_sql("statuses", 1),
    "resources": "INSERT OR IGNORE INTO resource VALUES (" + ",".join("?" * 18) + ")",
    "nodes": (
        "INSERT INTO node (run_id, hostname, uid, block_id, cpu_count, total_memory, active, "
        "worker_count, python_v, timestamp, last_heartbeat) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
    ),
    "node_ends": (
        "UPDATE node SET active = 0, last_heartbeat = ?1 "
        "WHERE run_id = ?2 AND block_id = ?3 AND active"
    ),
    "blocks": "INSERT OR IGNORE INTO block VALUES (?,?,?,?,?,?)",
}
_CHUNK_SQL = {name: _insert_sql(name, CHUNK) for name in _INSERTS}


class WorkflowInfo:
    """The ``workflow`` row's fixed part."""

    def __init__(self, run_id: str, name: str | None, version: str | None, **fixed: str) -> None:
        self.run_id, self.name, self.version = run_id, name, version
        self.host, self.user, self.rundir = fixed["host"], fixed["user"], fixed["rundir"]


def insert_workflow(conn: sqlite3.Connection, info: WorkflowInfo, began: float) -> None:
    """Write the workflow's row (raises sqlite3.Error if the database cannot take it)."""
    row = (info.run_id, info.name, info.version, stamp(began), None)
    with conn:
        conn.execute(
            "INSERT INTO workflow VALUES (?,?,?,?,?,?,?,?,?,?)",
            (*row, info.host, info.user, info.rundir, 0, 0),
        )


class BatchWriter:
    """Writes batches through one connection; counts rows written and batches lost."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.written = 0
        self.failures = 0

    def write(self, batch: Batch) -> bool:
        """One transaction; False (and a warning for the first few) if it failed."""
        try:
            with self.conn:
                for name, sql in _SQL.items():
                    rows = getattr(batch, name)
                    if name in _CHUNK_SQL:
                        rows = self._insert_chunks(name, rows)
                    if rows:
                        self.conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            self.failures += 1
            log = logger.warning if self.failures <= 3 else logger.debug
            log(
                "monitoring: a batch of %d rows could not be written (%s); dropped", len(batch), exc
            )
            return False
        self.written += len(batch)
        return True

    def _insert_chunks(self, name: str, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Insert whole chunks of ``rows``; return the rest (fewer than CHUNK)."""
        full = len(rows) - len(rows) % CHUNK
        sql, flat = _CHUNK_SQL[name], itertools.chain.from_iterable
        for start in range(0, full, CHUNK):
            self.conn.execute(sql, tuple(flat(rows[start : start + CHUNK])))
        return rows[full:]

    def finish(self, run_id: str, ended: float, completed: int, failed: int) -> None:
        """Record the workflow's end and its counts."""
        try:
            with self.conn:
                self.conn.execute(
                    "UPDATE workflow SET time_completed = ?, tasks_completed_count = ?, "
                    "tasks_failed_count = ? WHERE run_id = ?",
                    (stamp(ended), completed, failed, run_id),
                )
        except sqlite3.Error as exc:
            logger.warning("monitoring: could not record the workflow's end: %s", exc)
