"""Durable memo store: checkpoint files that let a rerun reuse finished tasks.

Called by :class:`~conveyor.elaborations.memoization.BasicMemoizer` (kernel thread, and
its periodic flush thread). Each run appends to ``<run_dir>/checkpoint/tasks.pkl`` in
Parsl's format: a stream of pickled ``{"hash": key, "exception": None, "result": value}``
records, so tools that read Parsl's checkpoint files read conveyor's. As in Parsl, the
folder and file appear with the first checkpoint pass (a ``manual`` run has none before
``checkpoint()``; a ``task_exit`` pass also follows a failed task, writing nothing).

Crashes: each flush appends its records with a single ``write`` of whole records, so a
``kill -9`` leaves every earlier record intact; a reader stops at a torn or unreadable
last record (it is logged) instead of refusing the whole file. A result the standard
``pickle`` (or cloudpickle) cannot write is left out of the checkpoint, with a warning.
"""

from __future__ import annotations

import logging
import os
import pickle
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from conveyor.errors import BadCheckpoint

__all__ = ["CheckpointStore", "read_checkpoints"]

logger = logging.getLogger(__name__)
FILENAME = "tasks.pkl"
#: what conveyor wrote before it used Parsl's format (such folders are skipped, not refused)
_OLD_FILENAME = "tasks.db"


def _record(key: str, result: Any) -> bytes | None:
    entry = {"hash": key, "exception": None, "result": result}
    try:
        return pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - e.g. a local class: try cloudpickle
        try:
            import cloudpickle

            return bytes(cloudpickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as exc:  # noqa: BLE001 - reported, the run goes on
            logger.warning("result for memo key %s left out of the checkpoint: %r", key, exc)
            return None


class CheckpointStore:
    """One run's checkpoint file; thread-safe; buffered or immediate writes."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.path = os.path.join(folder, FILENAME)
        self._lock = threading.Lock()
        self._pending: list[tuple[str, Any]] = []

    def add(self, key: str, result: Any, *, now: bool) -> int:
        """Queue one entry; write it at once when ``now``. Returns how many were written."""
        with self._lock:
            self._pending.append((key, result))
            return self._flush_locked() if now else 0

    def flush(self) -> int:
        """Append queued entries to the file; return how many."""
        with self._lock:
            return self._flush_locked()

    def _flush_locked(self) -> int:
        batch, self._pending = self._pending, []
        records = [r for r in (_record(k, v) for k, v in batch) if r is not None]
        os.makedirs(self.folder, exist_ok=True)
        with open(self.path, "ab") as f:  # as Parsl: every pass leaves the file, maybe empty
            if records:
                f.write(b"".join(records))  # whole records in one write (see module docs)
        return len(records)

    def close(self) -> None:
        """Write what is still queued."""
        self.flush()


def _entries(folder: str) -> Iterator[tuple[str, Any]]:
    path = os.path.join(folder, FILENAME)
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        if os.path.exists(os.path.join(folder, _OLD_FILENAME)):
            logger.warning("checkpoint %s is an older conveyor's SQLite file: skipped", folder)
            return
        raise BadCheckpoint(f"Checkpoint file was not found: {path}") from None
    with f:
        while True:
            try:
                data = pickle.load(f)
            except EOFError:
                return
            except Exception as exc:  # noqa: BLE001 - a torn last record (crash mid-write)
                logger.warning("checkpoint %s: reading stopped at a broken record: %r", path, exc)
                return
            if isinstance(data, dict) and data.get("exception") is None and "hash" in data:
                yield data["hash"], data.get("result")


def read_checkpoints(folders: Iterable[str]) -> dict[str, Any]:
    """Every result in the given checkpoint folders; later folders win on equal keys.

    Raises BadCheckpoint when a folder holds no checkpoint file (as Parsl does).
    """
    table: dict[str, Any] = {}
    for folder in folders:
        table.update(_entries(folder))
    return table
