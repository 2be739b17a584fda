"""The monitoring database's schema: Parsl 2026.10's seven tables, column for column.

Parsl's ``parsl-visualize`` and ``parsl.monitoring.queries.pandas`` read a conveyor
database unchanged because the tables ``workflow``, ``task``, ``try``, ``status``,
``block``, ``node`` and ``resource`` have exactly Parsl's column names, declared types,
nullability, primary keys, foreign keys and index. conveyor adds one table of its own,
``conveyor_schema``, which records the schema version (so a reader can tell a conveyor
database, a plain Parsl database and a database from a newer conveyor apart).

This module is the stable contract between the writer (``conveyor.monitoring.writer``)
and the readers (dashboard, CLI): names here are only ever added, never renamed.

Timestamps are stored the way SQLAlchemy stores a ``DateTime`` in SQLite (local time,
``YYYY-MM-DD HH:MM:SS.ffffff``); :func:`format_time` and :func:`parse_time` convert.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Mapping

__all__ = [
    "BLOCK",
    "COLUMNS",
    "CONVEYOR_TABLE",
    "DDL",
    "FINAL_FAILURE_STATUSES",
    "FINAL_STATUSES",
    "NODE",
    "PARSL_TABLES",
    "RESOURCE",
    "SCHEMA_VERSION",
    "STATUS",
    "STATUS_NAMES",
    "TASK",
    "TRY",
    "WORKFLOW",
    "MonitoringDatabaseError",
    "check_database",
    "create_schema",
    "format_time",
    "parse_time",
    "schema_version",
]

WORKFLOW = "workflow"
TASK = "task"
TRY = "try"
STATUS = "status"
BLOCK = "block"
NODE = "node"
RESOURCE = "resource"
#: Parsl's tables, in the order they are created (``workflow`` first: others refer to it)
PARSL_TABLES: tuple[str, ...] = (WORKFLOW, STATUS, TASK, TRY, NODE, BLOCK, RESOURCE)
#: conveyor's own table: one row, the schema version
CONVEYOR_TABLE = "conveyor_schema"
#: bumped when conveyor adds tables or columns; readers refuse a newer version
SCHEMA_VERSION = 1

#: Parsl's task status names as stored in ``status.task_status_name`` and
#: ``try``/``task`` rows (``parsl.dataflow.states.States`` names)
STATUS_NAMES: tuple[str, ...] = (
    "pending",
    "launched",
    "running",
    "running_ended",
    "exec_done",
    "failed",
    "dep_fail",
    "fail_retryable",
    "memo_done",
    "joining",
)
FINAL_FAILURE_STATUSES: frozenset[str] = frozenset({"failed", "dep_fail"})
FINAL_STATUSES: frozenset[str] = frozenset({"exec_done", "memo_done"}) | FINAL_FAILURE_STATUSES

# (column name, declared SQL type, nullable) per table; declared types are the ones
# SQLAlchemy emits for Parsl's column types on SQLite.
_T, _I, _F, _D, _BI, _B = "TEXT", "INTEGER", "FLOAT", "DATETIME", "BIGINT", "BOOLEAN"
_Col = tuple[str, str, bool]
_COLUMN_SPECS: Mapping[str, tuple[_Col, ...]] = {
    WORKFLOW: (
        ("run_id", _T, False),
        ("workflow_name", _T, True),
        ("workflow_version", _T, True),
        ("time_began", _D, False),
        ("time_completed", _D, True),
        ("host", _T, False),
        ("user", _T, False),
        ("rundir", _T, False),
        ("tasks_failed_count", _I, False),
        ("tasks_completed_count", _I, False),
    ),
    STATUS: (
        ("task_id", _I, False),
        ("task_status_name", _T, False),
        ("timestamp", _D, False),
        ("run_id", _T, False),
        ("try_id", _I, False),
    ),
    TASK: (
        ("task_id", _I, False),
        ("run_id", _T, False),
        ("task_depends", _T, True),
        ("task_func_name", _T, False),
        ("task_memoize", _T, False),
        ("task_hashsum", _T, True),
        ("task_inputs", _T, True),
        ("task_outputs", _T, True),
        ("task_stdin", _T, True),
        ("task_stdout", _T, True),
        ("task_stderr", _T, True),
        ("task_time_invoked", _D, True),
        ("task_time_returned", _D, True),
        ("task_fail_count", _I, False),
        ("task_fail_cost", _F, False),
    ),
    TRY: (
        ("try_id", _I, False),
        ("task_id", _I, False),
        ("run_id", _T, False),
        ("block_id", _T, True),
        ("hostname", _T, True),
        ("task_executor", _T, False),
        ("task_try_time_launched", _D, True),
        ("task_try_time_running", _D, True),
        ("task_try_time_returned", _D, True),
        ("task_fail_history", _T, True),
        ("task_joins", _T, True),
    ),
    NODE: (
        ("id", _I, False),
        ("run_id", _T, False),
        ("hostname", _T, False),
        ("uid", _T, False),
        ("block_id", _T, False),
        ("cpu_count", _I, False),
        ("total_memory", _BI, False),
        ("active", _B, False),
        ("worker_count", _I, False),
        ("python_v", _T, False),
        ("timestamp", _D, False),
        ("last_heartbeat", _D, False),
    ),
    BLOCK: (
        ("run_id", _T, False),
        ("executor_label", _T, False),
        ("block_id", _T, False),
        ("job_id", _T, True),
        ("timestamp", _D, False),
        ("status", _T, False),
    ),
    RESOURCE: (
        ("try_id", _I, False),
        ("task_id", _I, False),
        ("run_id", _T, False),
        ("timestamp", _D, False),
        ("resource_monitoring_interval", _F, True),
        ("psutil_process_pid", _I, True),
        ("psutil_process_memory_percent", _F, True),
        ("psutil_process_children_count", _F, True),
        ("psutil_process_time_user", _F, True),
        ("psutil_process_time_system", _F, True),
        ("psutil_process_memory_virtual", _F, True),
        ("psutil_process_memory_resident", _F, True),
        ("psutil_process_disk_read", _F, True),
        ("psutil_process_disk_write", _F, True),
        ("psutil_process_status", _T, True),
        ("psutil_cpu_num", _T, True),
        ("psutil_process_num_ctx_switches_voluntary", _F, True),
        ("psutil_process_num_ctx_switches_involuntary", _F, True),
    ),
}
_PRIMARY_KEYS: Mapping[str, tuple[str, ...]] = {
    WORKFLOW: ("run_id",),
    STATUS: ("task_id", "run_id", "task_status_name", "timestamp"),
    TASK: ("task_id", "run_id"),
    TRY: ("try_id", "task_id", "run_id"),
    NODE: ("id",),
    BLOCK: ("run_id", "block_id", "executor_label", "timestamp"),
    RESOURCE: ("try_id", "task_id", "run_id", "timestamp"),
}
#: tables whose ``run_id`` refers to ``workflow.run_id``
_RUN_ID_FOREIGN_KEYS = frozenset({STATUS, RESOURCE})

#: column names per Parsl table, in declaration order (the writer inserts in this order)
COLUMNS: Mapping[str, tuple[str, ...]] = {
    table: tuple(name for name, _, _ in specs) for table, specs in _COLUMN_SPECS.items()
}


def _table_ddl(table: str) -> str:
    lines = [
        f"\t{name} {sqltype}{'' if nullable else ' NOT NULL'}"
        for name, sqltype, nullable in _COLUMN_SPECS[table]
    ]
    lines.append(f"\tPRIMARY KEY ({', '.join(_PRIMARY_KEYS[table])})")
    if table in _RUN_ID_FOREIGN_KEYS:
        lines.append("\tFOREIGN KEY(run_id) REFERENCES workflow (run_id)")
    return f'CREATE TABLE IF NOT EXISTS "{table}" (\n' + ",\n".join(lines) + "\n)"


#: the whole schema as SQL statements, in creation order
DDL: tuple[str, ...] = (
    *(_table_ddl(t) for t in PARSL_TABLES),
    "CREATE INDEX IF NOT EXISTS ix_task_task_hashsum ON task (task_hashsum)",
    f"CREATE TABLE IF NOT EXISTS {CONVEYOR_TABLE} (version INTEGER NOT NULL)",
)


class MonitoringDatabaseError(Exception):
    """A database is not a monitoring database, or comes from a newer conveyor."""


def create_schema(conn: sqlite3.Connection) -> None:
    """Create every table (if missing) in ``conn`` and record the schema version.

    Idempotent: a database already holding the schema (from conveyor or from Parsl)
    is left as it is, so several workflows can share one file.
    """
    with conn:
        for statement in DDL:
            conn.execute(statement)
        row = conn.execute(f"SELECT max(version) FROM {CONVEYOR_TABLE}").fetchone()
        if row is None or row[0] is None:
            conn.execute(f"INSERT INTO {CONVEYOR_TABLE} (version) VALUES (?)", (SCHEMA_VERSION,))


def schema_version(conn: sqlite3.Connection) -> int | None:
    """The conveyor schema version recorded in ``conn``; None if it has none."""
    try:
        row = conn.execute(f"SELECT max(version) FROM {CONVEYOR_TABLE}").fetchone()
    except sqlite3.DatabaseError:
        return None
    return None if row is None or row[0] is None else int(row[0])


def check_database(conn: sqlite3.Connection, where: str = "database") -> None:
    """Raise :class:`MonitoringDatabaseError` unless ``conn`` holds a readable schema.

    A plain Parsl database (no ``conveyor_schema`` table) is accepted; a newer conveyor
    version or a file missing Parsl's tables is refused with a message naming ``where``.
    """
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError as e:
        raise MonitoringDatabaseError(f"{where} is not an SQLite database: {e}") from e
    missing = [t for t in PARSL_TABLES if t not in {r[0] for r in rows}]
    if missing:
        raise MonitoringDatabaseError(
            f"{where} is not a monitoring database (missing tables: {', '.join(missing)})"
        )
    version = schema_version(conn)
    if version is not None and version > SCHEMA_VERSION:
        raise MonitoringDatabaseError(
            f"{where} was written by a newer conveyor (schema version {version}, "
            f"this one reads up to {SCHEMA_VERSION}); upgrade conveyor"
        )


_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


#: epoch second -> its local date and time (a batch's times span a few seconds, interleaved)
_SECONDS: dict[int, str] = {}
_SECONDS_KEPT = 4096


def format_time(seconds: float) -> str:
    """An epoch time as the database stores it (local time, microseconds).

    Called for every timestamp the writer stores, so the date part is formatted once per
    second and cached.
    """
    whole = int(seconds)
    text = _SECONDS.get(whole)
    if text is None:
        if len(_SECONDS) >= _SECONDS_KEPT:
            _SECONDS.clear()
        text = _SECONDS[whole] = datetime.datetime.fromtimestamp(whole).strftime(_TIME_FORMAT)
    return f"{text}.{int((seconds - whole) * 1e6):06d}"


def parse_time(text: str) -> datetime.datetime:
    """A stored timestamp back as a naive local :class:`datetime.datetime`."""
    return datetime.datetime.fromisoformat(text)
