"""Durable memo store: checkpoint files that let a rerun reuse finished tasks.

Called by :class:`~conveyor.elaborations.memoization.BasicMemoizer` (kernel thread, and
its periodic flush thread). Each run writes ``<run_dir>/checkpoint/tasks.db``.

Why SQLite in WAL mode rather than an append-only log: every commit is atomic (a
``kill -9`` mid-write leaves the last committed transaction intact and the torn tail of
the WAL is discarded by SQLite on the next open), readers need no parser of our own, and
``synchronous=NORMAL`` in WAL mode survives process crashes without an fsync per task.
Power loss may drop the most recent commits, never corrupt older ones.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator

from conveyor.errors import BadCheckpoint

__all__ = ["CheckpointStore", "read_checkpoints"]

FILENAME = "tasks.db"
_SCHEMA = "CREATE TABLE IF NOT EXISTS memo (key TEXT PRIMARY KEY, result BLOB NOT NULL)"


class CheckpointStore:
    """One run's checkpoint database; thread-safe; buffered or immediate writes."""

    def __init__(self, folder: str) -> None:
        os.makedirs(folder, exist_ok=True)
        self.path = os.path.join(folder, FILENAME)
        self._lock = threading.Lock()
        self._pending: list[tuple[str, bytes]] = []
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)

    def add(self, key: str, result: bytes, *, now: bool) -> int:
        """Queue one entry; write it at once when ``now``. Returns how many were written."""
        with self._lock:
            self._pending.append((key, result))
            return self._flush_locked() if now else 0

    def flush(self) -> int:
        """Write queued entries in one transaction; return how many."""
        with self._lock:
            return self._flush_locked()

    def _flush_locked(self) -> int:
        batch, self._pending = self._pending, []
        if batch and self._db is not None:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany(
                    "INSERT OR REPLACE INTO memo (key, result) VALUES (?, ?)", batch
                )
        return len(batch)

    def close(self) -> None:
        """Flush and close."""
        with self._lock:
            self._flush_locked()
            self._db.close()


def _entries(folder: str) -> Iterator[tuple[str, bytes]]:
    path = os.path.join(folder, FILENAME)
    if not os.path.exists(path):
        raise BadCheckpoint(f"Checkpoint file was not found: {path}")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        yield from db.execute("SELECT key, result FROM memo")
    except sqlite3.DatabaseError:
        return
    finally:
        db.close()


def read_checkpoints(folders: Iterable[str]) -> dict[str, bytes]:
    """Every entry of the given checkpoint folders; later folders win on equal keys.

    Raises BadCheckpoint when a folder holds no checkpoint (as Parsl does).
    """
    table: dict[str, bytes] = {}
    for folder in folders:
        table.update(_entries(folder))
    return table
