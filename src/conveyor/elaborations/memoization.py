"""BasicMemoizer: the default memo table, with optional checkpoints on disk.

Called by the kernel (see the Memoizer ABC in ``elaborations/base.py``): ``check_memo``
when a cached task becomes READY, ``update_memo_result`` when it succeeds by running.
Only successful results are remembered; exceptions never are.

Checkpoint modes (Parsl's): ``task_exit`` writes each result as the task finishes;
``periodic`` every ``checkpoint_period`` (``"HH:MM:SS"``); ``dfk_exit`` at cleanup;
``manual`` on ``dfk.checkpoint()``; None keeps results in memory only.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from conveyor.elaborations.base import Memoizer
from conveyor.elaborations.checkpoint import CheckpointStore, read_checkpoints
from conveyor.elaborations.memo_keys import id_for_memo, make_key
from conveyor.errors import ConfigurationError
from conveyor.kernel.record import TaskView
from conveyor.serialize.facade import deserialize, serialize

__all__ = ["BasicMemoizer", "Memoizer", "id_for_memo"]

logger = logging.getLogger(__name__)
_MODES = (None, "task_exit", "periodic", "dfk_exit", "manual")


def parse_period(text: str) -> float:
    """``"HH:MM:SS"`` -> seconds; ConfigurationError if malformed."""
    try:
        h, m, s = (int(x) for x in text.split(":"))
    except (ValueError, AttributeError):
        raise ConfigurationError(f"checkpoint_period must be 'HH:MM:SS', got {text!r}") from None
    if min(h, m, s) < 0 or h * 3600 + m * 60 + s == 0:
        raise ConfigurationError(f"checkpoint_period must be a positive 'HH:MM:SS', got {text!r}")
    return float(h * 3600 + m * 60 + s)


class BasicMemoizer(Memoizer):
    """In-memory memo table keyed by function + argument content, with checkpoints."""

    def __init__(
        self,
        *,
        memoize: bool = True,
        checkpoint_files: Sequence[str] | None = None,
        checkpoint_period: str | None = None,
        checkpoint_mode: str | None = None,
    ) -> None:
        if checkpoint_mode not in _MODES:
            raise ConfigurationError(
                f"checkpoint_mode must be one of {_MODES}, got {checkpoint_mode!r}"
            )
        if checkpoint_mode == "periodic" and checkpoint_period is None:
            raise ConfigurationError(
                "checkpoint_mode='periodic' needs checkpoint_period='HH:MM:SS'"
            )
        self.memoize = memoize
        self.checkpoint_files = list(checkpoint_files or [])
        self.checkpoint_mode = checkpoint_mode
        self.period = parse_period(checkpoint_period) if checkpoint_period else None
        self._table: dict[str, bytes] = {}
        self._keys: dict[int, str] = {}
        self._store: CheckpointStore | None = None
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None

    def start(self, *, run_dir: str, config_run_dir: str) -> None:
        """Load earlier checkpoints; open this run's store if checkpointing."""
        self._table = read_checkpoints(self.checkpoint_files)
        if self.checkpoint_mode is not None:
            self._store = CheckpointStore(os.path.join(run_dir, "checkpoint"))
        if self.checkpoint_mode == "periodic" and self.period:
            self._timer = threading.Thread(
                target=self._periodic, name="conveyor-checkpoint", daemon=True
            )
            self._timer.start()

    def check_memo(self, task: TaskView) -> Future[Any] | None:
        """A done future with the remembered result, or None."""
        if not (self.memoize and task.memoize):
            return None
        key = make_key(task.func, task.args, task.kwargs, task.ignore_for_cache)
        self._keys[task.id] = key
        blob = self._table.get(key)
        if blob is None:
            return None
        fut: Future[Any] = Future()
        fut.set_result(deserialize(blob))
        return fut

    def update_memo_result(self, task: TaskView, r: Any) -> None:
        """Remember a successful result (and checkpoint it per the mode)."""
        key = self._keys.pop(task.id, None)
        if key is None or not self.memoize:
            return
        blob = serialize(r, task.func_name)
        self._table[key] = blob
        if self._store is not None:
            self._store.add(key, blob, now=self.checkpoint_mode == "task_exit")

    def update_memo_exception(self, task: TaskView, e: BaseException) -> None:
        """Failures are not remembered."""
        self._keys.pop(task.id, None)

    def checkpoint(self) -> None:
        """Write every pending entry now."""
        if self._store is not None:
            self._store.flush()

    def close(self) -> None:
        """Stop the periodic thread; flush and close the store."""
        self._stop.set()
        if self._timer is not None:
            self._timer.join()
        if self._store is not None:
            self._store.close()
            self._store = None

    def _periodic(self) -> None:
        assert self.period is not None
        while not self._stop.wait(self.period):
            try:
                self.checkpoint()
            except Exception:  # noqa: BLE001 - next period retries; close() reports
                logger.exception("periodic checkpoint failed")
