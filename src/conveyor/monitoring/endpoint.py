"""Where the monitoring database lives: Parsl's ``logging_endpoint`` URL, opened and checked.

Only SQLite is supported: ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``
(SQLAlchemy's URL form, as Parsl takes it). :func:`open_database` creates the parent
directory and the schema, turns on WAL mode (readers never block the writer and a crash
loses at most the transaction being written) and proves the file can be written; every
failure is a :class:`~conveyor.errors.ConfigurationError` naming the endpoint, raised at
``load()``.
"""

from __future__ import annotations

import os
import sqlite3

from conveyor.errors import ConfigurationError
from conveyor.monitoring.schema import CONVEYOR_TABLE, create_schema

__all__ = ["database_path", "default_endpoint", "open_database", "writer_connection"]

_PREFIX = "sqlite:///"
#: how long a writer waits for another process holding the database's write lock
BUSY_TIMEOUT_S = 10.0


def default_endpoint(config_run_dir: str) -> str:
    """Parsl's default: ``monitoring.db`` in the Config's run_dir (shared by all runs)."""
    return f"{_PREFIX}{os.path.abspath(config_run_dir)}/monitoring.db"


def database_path(endpoint: str) -> str:
    """The file an endpoint names; ConfigurationError for anything but an sqlite URL."""
    if not isinstance(endpoint, str) or not endpoint.startswith(_PREFIX):
        scheme = endpoint.split(":", 1)[0] if isinstance(endpoint, str) else type(endpoint)
        raise ConfigurationError(
            f"monitoring logging_endpoint {endpoint!r}: only sqlite:///PATH is supported "
            f"(got scheme {scheme!r})"
        )
    path = endpoint[len(_PREFIX) :]
    if not path or path == ":memory:":
        raise ConfigurationError(f"monitoring logging_endpoint {endpoint!r} names no database file")
    return path


def open_database(endpoint: str) -> sqlite3.Connection:
    """Open (creating if needed) the endpoint's database, ready for the writer process."""
    path = database_path(endpoint)
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise ConfigurationError(
            f"monitoring logging_endpoint {endpoint!r} cannot be opened: {exc}"
        ) from exc
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        create_schema(conn)
        with conn:  # prove the file is writable now, not at the first batch
            conn.execute(f"UPDATE {CONVEYOR_TABLE} SET version = version")
    except sqlite3.Error as exc:
        conn.close()
        raise ConfigurationError(
            f"monitoring logging_endpoint {endpoint!r} cannot be written: {exc}"
        ) from exc
    return conn


def writer_connection(path: str, busy_timeout: float) -> sqlite3.Connection:
    """The writer process's connection to a database :func:`open_database` prepared.

    WAL mode stays with the file; nothing here takes a lock (another process holding the
    database only makes the first batch wait, or fail as any batch can).
    """
    conn = sqlite3.connect(path, timeout=busy_timeout)
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn
