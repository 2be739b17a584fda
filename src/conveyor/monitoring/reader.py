"""Read-only queries over a monitoring database, shared by the dashboard and the CLI.

Position: after the run. The writer (``conveyor.monitoring.writer``) fills Parsl's tables;
this module opens the file read-only, checks it is a monitoring database it can read
(``conveyor.monitoring.schema.check_database``) and answers the questions the CLI and the
dashboard ask: which runs, each task's current state, one task's story, blocks, nodes.
Aggregations built on these rows live in ``conveyor.monitoring.summary``.

A task is known once its first ``status`` row is written; its current state is its latest
``status`` row (final states win over a worker's ``running``/``running_ended`` rows that
may carry a later clock). Timestamps are turned into epoch seconds by SQLite.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from conveyor.monitoring.schema import (
    FINAL_STATUSES,
    MonitoringDatabaseError,
    check_database,
)

__all__ = [
    "BlockRow",
    "MonitoringReader",
    "NodeRow",
    "RunRow",
    "StatusEvent",
    "TaskRow",
    "TryRow",
    "epoch",
    "find_database",
    "locate",
    "open_reader",
]


def epoch(column: str) -> str:
    """SQL for a stored timestamp column as epoch seconds (NULL stays NULL).

    The writer stores local time as text; SQLite's ``'utc'`` modifier converts it with the
    C library's time zone rules (daylight saving included), so no row is parsed in Python.
    """
    whole = f"CAST(strftime('%s', {column}, 'utc') AS REAL)"
    return f"({whole} + CAST(substr({column}, 20) AS REAL))"  # + the ".ffffff" part


@dataclass(frozen=True, slots=True)
class RunRow:
    """One ``workflow`` row."""

    run_id: str
    name: str | None
    version: str | None
    began: float | None
    completed: float | None
    host: str
    user: str
    rundir: str
    failed: int
    completed_count: int


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One task with its current state and its latest try's placement."""

    task_id: int
    app: str
    state: str
    executor: str | None
    block: str | None
    hostname: str | None
    invoked: float | None
    returned: float | None
    fail_count: int
    #: execution time of the latest try (running -> returned, else launched -> returned)
    run_time: float | None


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """One ``status`` row: a task entering a state."""

    seq: int
    task_id: int
    try_id: int
    state: str
    time: float | None


@dataclass(frozen=True, slots=True)
class TryRow:
    """One ``try`` row."""

    try_id: int
    executor: str
    block: str | None
    hostname: str | None
    launched: float | None
    running: float | None
    returned: float | None
    fail_history: str | None


@dataclass(frozen=True, slots=True)
class BlockRow:
    """A block's latest ``block`` row."""

    executor: str
    block_id: str
    job_id: str | None
    status: str
    time: float | None


@dataclass(frozen=True, slots=True)
class NodeRow:
    """A node's (pool's) latest ``node`` row."""

    hostname: str
    uid: str
    block_id: str
    cpu_count: int
    total_memory: int
    active: bool
    worker_count: int
    last_heartbeat: float | None


_FINAL_SQL = ", ".join(f"'{s}'" for s in sorted(FINAL_STATUSES))


def _tasks_sql(one: bool) -> str:
    """Each task's current state and latest try (``one``: only task ``:tid``).

    SQLite takes bare columns from the row holding the ``max()``: for the state, the
    latest row of a final state if there is one, else the latest row; for the try, the
    highest ``try_id``. Grouping follows the primary keys, so nothing is sorted.
    """
    only = " AND task_id = :tid" if one else ""
    return f"""
    WITH ls AS (
        SELECT task_id, task_status_name AS state,
               max((task_status_name IN ({_FINAL_SQL})) || timestamp) AS k
        FROM status WHERE run_id = :run{only} GROUP BY task_id),
    lt AS (
        SELECT task_id, task_executor, block_id, hostname, task_try_time_launched,
               task_try_time_running, task_try_time_returned, max(try_id) AS k
        FROM try WHERE run_id = :run{only} GROUP BY task_id)
    SELECT ls.task_id, COALESCE(t.task_func_name, '?'), ls.state,
           lt.task_executor, lt.block_id, lt.hostname, {epoch("t.task_time_invoked")},
           {epoch("t.task_time_returned")}, COALESCE(t.task_fail_count, 0),
           {epoch("lt.task_try_time_launched")}, {epoch("lt.task_try_time_running")},
           {epoch("lt.task_try_time_returned")}
    FROM ls
    LEFT JOIN task t ON t.task_id = ls.task_id AND t.run_id = :run
    LEFT JOIN lt ON lt.task_id = ls.task_id
    ORDER BY ls.task_id"""


_TASKS, _ONE_TASK = _tasks_sql(False), _tasks_sql(True)


def _task_row(r: tuple[Any, ...]) -> TaskRow:
    launched, running, returned = r[9], r[10], r[11]
    start = running if running is not None else launched
    run_time = returned - start if returned is not None and start is not None else None
    return TaskRow(
        task_id=int(r[0]),
        app=str(r[1]),
        state=str(r[2]),
        executor=r[3],
        block=r[4],
        hostname=r[5],
        invoked=r[6],
        returned=r[7],
        fail_count=int(r[8]),
        run_time=max(run_time, 0.0) if run_time is not None else None,
    )


class MonitoringReader:
    """Queries over one open monitoring database (use :func:`open_reader`)."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path

    def runs(self) -> list[RunRow]:
        """Every workflow in the file, oldest first."""
        rows = self.conn.execute(
            "SELECT run_id, workflow_name, workflow_version,"
            f" {epoch('time_began')}, {epoch('time_completed')}, host,"
            " user, rundir, tasks_failed_count, tasks_completed_count FROM workflow"
            " ORDER BY time_began, rowid"
        ).fetchall()
        return [RunRow(*r) for r in rows]

    def run(self, run_id: str | None = None, rundir: str | None = None) -> RunRow:
        """The run ``run_id`` (a unique prefix will do), or the newest one (of ``rundir``).

        With ``rundir``, only runs started in that run directory are considered.
        """
        runs = self.runs()
        if not runs:
            raise MonitoringDatabaseError(f"{self.path} holds no workflow yet")
        if run_id is None and rundir is not None:
            runs = [r for r in runs if os.path.abspath(r.rundir) == os.path.abspath(rundir)]
            if not runs:
                raise MonitoringDatabaseError(f"{self.path} holds no run from {rundir}")
        if run_id is None:
            return runs[-1]
        found = [r for r in runs if r.run_id == run_id] or [
            r for r in runs if r.run_id.startswith(run_id)
        ]
        if len(found) != 1:
            raise MonitoringDatabaseError(
                f"{self.path}: {'no' if not found else 'more than one'} run matches {run_id!r}"
            )
        return found[0]

    def tasks(self, run_id: str) -> list[TaskRow]:
        """Every task of the run with its current state, by task id."""
        rows = self.conn.execute(_TASKS, {"run": run_id}).fetchall()
        return [_task_row(r) for r in rows]

    def task(self, run_id: str, task_id: int) -> TaskRow | None:
        """One task with its current state, or None."""
        rows = self.conn.execute(_ONE_TASK, {"run": run_id, "tid": task_id}).fetchall()
        return _task_row(rows[0]) if rows else None

    def task_fields(self, run_id: str, task_id: int) -> dict[str, Any]:
        """The task's own ``task`` row as a dict (empty if the row is not written yet)."""
        cur = self.conn.execute(
            "SELECT * FROM task WHERE run_id = ? AND task_id = ?", (run_id, task_id)
        )
        row = cur.fetchone()
        names = [d[0] for d in cur.description]
        return dict(zip(names, row, strict=True)) if row else {}

    def story(self, run_id: str, task_id: int) -> list[StatusEvent]:
        """Every state the task entered, in order."""
        return self.events(run_id, task_id=task_id)

    def events(self, run_id: str, after: int = 0, task_id: int | None = None) -> list[StatusEvent]:
        """Status rows of the run written after sequence number ``after`` (for tail)."""
        sql = (
            f"SELECT rowid, task_id, try_id, task_status_name, {epoch('timestamp')} FROM status"
            " WHERE run_id = :run AND rowid > :after"
        )
        if task_id is not None:
            sql += " AND task_id = :tid ORDER BY timestamp, rowid"
        else:
            sql += " ORDER BY rowid"
        params = {"run": run_id, "after": after, "tid": task_id}
        rows = self.conn.execute(sql, params).fetchall()
        return [StatusEvent(*r) for r in rows]

    def state_changes(self, run_id: str) -> list[tuple[float, int, str]]:
        """``(time, task_id, state)`` of every status row of the run, in time order."""
        rows = self.conn.execute(
            f"SELECT {epoch('timestamp')} AS t, task_id, task_status_name FROM status"
            " WHERE run_id = ? AND t IS NOT NULL ORDER BY timestamp, rowid",
            (run_id,),
        ).fetchall()
        return rows

    def tries(self, run_id: str, task_id: int) -> list[TryRow]:
        """The task's tries, first first."""
        rows = self.conn.execute(
            "SELECT try_id, task_executor, block_id, hostname,"
            f" {epoch('task_try_time_launched')}, {epoch('task_try_time_running')},"
            f" {epoch('task_try_time_returned')}, task_fail_history FROM try"
            " WHERE run_id = ? AND task_id = ? ORDER BY try_id",
            (run_id, task_id),
        ).fetchall()
        return [TryRow(*r) for r in rows]

    def blocks(self, run_id: str) -> list[BlockRow]:
        """Each block's latest state."""
        rows = self.conn.execute(
            f"SELECT executor_label, block_id, job_id, status, {epoch('timestamp')} FROM ("
            " SELECT *, ROW_NUMBER() OVER (PARTITION BY executor_label, block_id"
            " ORDER BY timestamp DESC, rowid DESC) AS n FROM block WHERE run_id = ?)"
            " WHERE n = 1 ORDER BY executor_label, block_id",
            (run_id,),
        ).fetchall()
        return [BlockRow(*r) for r in rows]

    def nodes(self, run_id: str) -> list[NodeRow]:
        """Each node's (pool's) latest row."""
        rows = self.conn.execute(
            "SELECT hostname, uid, block_id, cpu_count, total_memory, active, worker_count,"
            f" {epoch('last_heartbeat')} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY uid"
            " ORDER BY timestamp DESC, id DESC) AS n FROM node WHERE run_id = ?)"
            " WHERE n = 1 ORDER BY hostname, block_id, uid",
            (run_id,),
        ).fetchall()
        return [NodeRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows]

    def resources(self, run_id: str, task_id: int | None = None) -> list[dict[str, Any]]:
        """Resource samples (with the sampled try's hostname), oldest first."""
        sql = (
            f"SELECT r.task_id, r.try_id, {epoch('r.timestamp')}, r.psutil_process_pid,"
            " r.psutil_process_time_user, r.psutil_process_time_system,"
            " r.psutil_process_memory_resident, r.psutil_process_memory_percent, y.hostname"
            " FROM resource r LEFT JOIN try y ON y.run_id = r.run_id AND y.task_id = r.task_id"
            " AND y.try_id = r.try_id WHERE r.run_id = :run"
        )
        if task_id is not None:
            sql += " AND r.task_id = :tid"
        rows = self.conn.execute(sql + " ORDER BY r.timestamp", {"run": run_id, "tid": task_id})
        keys = ("task_id", "try_id", "time", "pid", "user", "system", "rss", "mem_pct", "host")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def last_seq(self, run_id: str) -> int:
        """The newest status sequence number of the run (0 if none)."""
        row = self.conn.execute(
            "SELECT max(rowid) FROM status WHERE run_id = ?", (run_id,)
        ).fetchone()
        return int(row[0] or 0)


@contextmanager
def open_reader(path: str) -> Iterator[MonitoringReader]:
    """Open ``path`` read-only; MonitoringDatabaseError if it is not a readable database."""
    if not os.path.isfile(path):
        raise MonitoringDatabaseError(f"no monitoring database at {path}")
    try:
        conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
    except sqlite3.Error as e:
        raise MonitoringDatabaseError(f"cannot open {path}: {e}") from e
    try:
        conn.execute("PRAGMA query_only = 1")
        check_database(conn, path)
        yield MonitoringReader(conn, path)
    except sqlite3.DatabaseError as e:
        raise MonitoringDatabaseError(f"cannot read {path}: {e}") from e
    finally:
        conn.close()


def find_database(target: str | None = None) -> str:
    """The database ``target`` names (see :func:`locate`)."""
    return locate(target)[0]


def locate(target: str | None = None) -> tuple[str, str | None]:
    """The database ``target`` names, and the run directory it names if it names one.

    ``target`` is a database file, a runinfo directory (``runinfo/monitoring.db`` or the
    newest ``runinfo/*/monitoring.db``) or one run's directory (``runinfo/003``: its own
    ``monitoring.db``, else its parent's, restricted to the runs started there). With no
    target: the newest database under ``runinfo`` in the current directory.
    """
    if target is not None and not os.path.isdir(target):
        return target, None
    base = target if target is not None else "runinfo"
    candidates = [os.path.join(base, "monitoring.db")]
    if os.path.isdir(base):
        candidates += [os.path.join(base, d, "monitoring.db") for d in os.listdir(base)]
    found = [c for c in candidates if os.path.isfile(c)]
    if found:
        return max(found, key=os.path.getmtime), None
    parent = os.path.join(os.path.dirname(os.path.abspath(base)), "monitoring.db")
    if target is not None and os.path.isfile(parent):
        return parent, os.path.abspath(target)
    where = target if target is not None else os.path.join(os.getcwd(), "runinfo")
    raise MonitoringDatabaseError(
        f"no monitoring.db found in {where} (run with Config(monitoring=MonitoringHub())"
        " or give --db PATH)"
    )
