"""The one writer: a thread in the user's process that writes queued events in batches.

Every ``BATCH_INTERVAL`` seconds it drains :class:`~conveyor.monitoring.link.Queues`,
turns the events into rows (:class:`~conveyor.monitoring.rows.RowBuilder`) and writes
them in ONE transaction (WAL mode: readers such as the dashboard never block it). A
crash of the process loses at most the batch being gathered. A write that fails (disk
full, file removed, locked for longer than the busy timeout) drops that batch with a
warning in the log; the workflow goes on.
"""

from __future__ import annotations

import gc
import itertools
import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from conveyor.monitoring.link import Queues
from conveyor.monitoring.rows import Batch, RowBuilder
from conveyor.monitoring.schema import format_time as stamp

__all__ = ["BATCH_INTERVAL", "DatabaseWriter", "WorkflowInfo"]

logger = logging.getLogger(__name__)
#: seconds between batches (Parsl's database manager also batches every second)
BATCH_INTERVAL = 1.0
#: queued kernel events beyond which a lagging writer says so (once) in the log
BACKLOG_WARNING = 1_000_000

_T = TypeVar("_T")


def _time(n: int) -> str:
    """SQL formatting parameter ``?n`` (epoch seconds or NULL) as ``format_time`` does."""
    whole = f"CAST(?{n} AS INTEGER)"
    return (
        f"strftime('%Y-%m-%d %H:%M:%S', {whole}, 'unixepoch', 'localtime') || "
        f"printf('.%06d', (?{n} - {whole}) * 1000000)"
    )


def _values(count: int, times: tuple[int, ...], offset: int = 0) -> str:
    """``(?1, ?2, ...)`` (numbered from ``offset + 1``), those in ``times`` formatted as times."""
    return (
        "("
        + ", ".join(
            _time(offset + i) if i in times else f"?{offset + i}" for i in range(1, count + 1)
        )
        + ")"
    )


#: rows per INSERT statement: SQLite is entered (and the GIL let go) once per chunk, not
#: once per row, so the writer does not queue for the GIL behind the kernel thread per row
CHUNK = 100
_UPSERT_TRY = (
    " ON CONFLICT (try_id, task_id, run_id) DO UPDATE SET "
    "block_id = coalesce(excluded.block_id, block_id), "
    "hostname = coalesce(excluded.hostname, hostname), "
    "task_try_time_running = coalesce(excluded.task_try_time_running, task_try_time_running), "
    "task_try_time_returned = excluded.task_try_time_returned, "
    "task_fail_history = excluded.task_fail_history"
)
#: the frequent inserts: (statement head, columns, time columns, tail)
_INSERTS: dict[str, tuple[str, int, tuple[int, ...], str]] = {
    "new_tasks": ("INSERT OR REPLACE INTO task", 15, (12, 13), ""),
    "tries": ('INSERT INTO "try"', 11, (7, 8, 9), _UPSERT_TRY),
    "statuses": ("INSERT OR IGNORE INTO status", 5, (3,), ""),
}


def _insert_sql(name: str, rows: int) -> str:
    head, count, times, tail = _INSERTS[name]
    values = ",".join(_values(count, times, j * count) for j in range(rows))
    return f"{head} VALUES {values}{tail}"


_SQL: dict[str, str] = {
    "new_tasks": _insert_sql("new_tasks", 1),
    "task_updates": (
        f"UPDATE task SET task_time_returned = coalesce({_time(1)}, task_time_returned), "
        "task_fail_count = ?2, task_fail_cost = ?3 WHERE task_id = ?4 AND run_id = ?5"
    ),
    "tries": _insert_sql("tries", 1),
    "try_updates": (
        f'UPDATE "try" SET block_id = ?1, hostname = ?2, task_try_time_running = {_time(3)} '
        "WHERE try_id = ?4 AND task_id = ?5 AND run_id = ?6"
    ),
    "statuses": _insert_sql("statuses", 1),
    "resources": "INSERT OR IGNORE INTO resource VALUES (" + ",".join("?" * 18) + ")",
    "nodes": (
        "INSERT INTO node (run_id, hostname, uid, block_id, cpu_count, total_memory, active, "
        "worker_count, python_v, timestamp, last_heartbeat) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
    ),
    "blocks": "INSERT OR IGNORE INTO block VALUES (?,?,?,?,?,?)",
}
_CHUNK_SQL = {name: _insert_sql(name, CHUNK) for name in _INSERTS}


class WorkflowInfo:
    """The ``workflow`` row's fixed part."""

    def __init__(self, run_id: str, name: str | None, version: str | None, **fixed: str) -> None:
        self.run_id, self.name, self.version = run_id, name, version
        self.host, self.user, self.rundir = fixed["host"], fixed["user"], fixed["rundir"]


class DatabaseWriter:
    """Owns the connection (after ``start``) and the writer thread."""

    def __init__(self, conn: sqlite3.Connection, queues: Queues, builder: RowBuilder) -> None:
        self.conn = conn
        self.queues = queues
        self.builder = builder
        self.interval = BATCH_INTERVAL
        self.written = 0
        self.failures = 0
        self._warned_backlog = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="conveyor-monitoring", daemon=True)

    def begin(self, info: WorkflowInfo, began: float) -> None:
        """Write the workflow's row (on the caller's thread: errors reach ``load()``)."""
        with self.conn:
            self.conn.execute(
                "INSERT INTO workflow VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    info.run_id,
                    info.name,
                    info.version,
                    stamp(began),
                    None,
                    info.host,
                    info.user,
                    info.rundir,
                    0,
                    0,
                ),
            )
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            backlog = len(self.queues.transitions)
            if backlog > BACKLOG_WARNING and not self._warned_backlog:
                self._warned_backlog = True
                logger.warning(
                    "monitoring: %d kernel events wait to be written; tasks finish faster "
                    "than the database takes them, so the queue (memory) grows",
                    backlog,
                )
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - monitoring must never stop the workflow
                logger.exception("monitoring: a batch failed; dropped")

    def flush(self) -> None:
        """Write everything queued so far, as one transaction.

        The cyclic garbage collector is paused while the rows are built: they are plain
        tuples that die with the batch, and letting their allocation trigger collections
        would promote the kernel's live objects early and make full collections come sooner.
        """
        with self._lock:
            paused = gc.isenabled()
            gc.disable()
            try:
                batch = self._gather()
            finally:
                if paused:
                    gc.enable()
            if len(batch):
                self._write(batch)

    def _gather(self) -> Batch:
        q, b = self.queues, self.builder
        events = _drain(q.transitions)
        # pool tries drained after the events (so launched by then), added before them
        b.pool_tries(_drain(q.tries))
        b.kernel_events(events)
        b.samples(_drain(q.samples), time.time())
        for node in _drain(q.nodes):
            b.node(node)
        b.blocks(_drain(q.blocks))
        return b.take()

    def _write(self, batch: Batch) -> None:
        try:
            with self.conn:
                for name, sql in _SQL.items():
                    rows = getattr(batch, name)
                    if name in _CHUNK_SQL:
                        rows = self._insert_chunks(name, rows)
                    if rows:
                        self.conn.executemany(sql, rows)
            self.written += len(batch)
        except sqlite3.Error as exc:
            self.failures += 1
            log = logger.warning if self.failures <= 3 else logger.debug
            log(
                "monitoring: a batch of %d rows could not be written (%s); dropped", len(batch), exc
            )

    def _insert_chunks(self, name: str, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Insert whole chunks of ``rows``; return the rest (fewer than CHUNK)."""
        full = len(rows) - len(rows) % CHUNK
        sql, flat = _CHUNK_SQL[name], itertools.chain.from_iterable
        for start in range(0, full, CHUNK):
            self.conn.execute(sql, tuple(flat(rows[start : start + CHUNK])))
        return rows[full:]

    def close(self, ended: float) -> None:
        """Stop the thread, write what is left and the workflow's end; close the database."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        try:
            self.flush()
        except Exception:  # noqa: BLE001 - the workflow's end is still recorded
            logger.exception("monitoring: the last batch failed; dropped")
        run_id = self.builder.run_id
        b = self.builder
        self._attempt(
            lambda: self.conn.execute(
                "UPDATE workflow SET time_completed = ?, tasks_completed_count = ?, "
                "tasks_failed_count = ? WHERE run_id = ?",
                (stamp(ended), b.completed, b.failed, run_id),
            )
        )
        self.conn.close()

    def _attempt(self, action: Callable[[], _T]) -> _T | None:
        try:
            with self.conn:
                return action()
        except sqlite3.Error as exc:
            logger.warning("monitoring: could not record the workflow's end: %s", exc)
            return None


def _drain(q: deque[Any]) -> list[Any]:
    items = []
    pop = q.popleft
    for _ in range(len(q)):
        items.append(pop())
    return items
