"""BasicMemoizer: the default memo table, with optional checkpoints on disk.

Called by the kernel (see the Memoizer ABC in ``elaborations/base.py``): ``check_memo``
when a task becomes READY, ``update_memo_result`` / ``update_memo_exception`` when it
finishes (also from the memo table). It filters itself: apps without ``cache=True`` are
never looked up nor remembered. As Parsl's: a hit gives the very object the first task
returned, and a cached app that failed fails again with the same exception; only results
are written to checkpoints, and memo hits are written again into this run's checkpoint.

Checkpoint modes (Parsl's): ``task_exit`` writes each result as the task finishes;
``periodic`` every ``checkpoint_period`` (``"HH:MM:SS"``); ``dfk_exit`` at cleanup;
``manual`` on ``dfk.checkpoint()``; None keeps results in memory only. With a mode and no
``checkpoint_files``, every earlier run's checkpoint under the config's ``run_dir`` loads.
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
from conveyor.utils import get_all_checkpoints

__all__ = ["BasicMemoizer", "Memoizer", "filters_uncached", "id_for_memo"]

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


class _Outcome:
    """One remembered outcome: a result (``ok``) or an exception."""

    __slots__ = ("ok", "value")

    def __init__(self, ok: bool, value: Any) -> None:
        self.ok, self.value = ok, value

    def future(self) -> Future[Any]:
        fut: Future[Any] = Future()
        if self.ok:
            fut.set_result(self.value)
        else:
            fut.set_exception(self.value)
        return fut


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
        self.checkpoint_files = None if checkpoint_files is None else list(checkpoint_files)
        self.checkpoint_mode = checkpoint_mode
        self.checkpoint_period = checkpoint_period
        self.period = parse_period(checkpoint_period) if checkpoint_period else None
        #: entries written to this run's checkpoint so far (Parsl's attribute)
        self.checkpointed_tasks = 0
        self._table: dict[str, _Outcome] = {}
        self._keys: dict[int, str] = {}
        self._store: CheckpointStore | None = None
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None

    def start(self, *, run_dir: str, config_run_dir: str) -> None:
        """Load earlier checkpoints; open this run's store if checkpointing."""
        files = self.checkpoint_files
        if files is None:
            files = get_all_checkpoints(config_run_dir) if self.checkpoint_mode else []
        loaded = read_checkpoints(files)
        if self.memoize:
            self._table = {k: _Outcome(True, value) for k, value in loaded.items()}
        if self.checkpoint_mode is not None:
            self._store = CheckpointStore(os.path.join(run_dir, "checkpoint"))
        if self.checkpoint_mode == "periodic" and self.period:
            self._timer = threading.Thread(
                target=self._periodic, name="conveyor-checkpoint", daemon=True
            )
            self._timer.start()

    def check_memo(self, task: TaskView) -> Future[Any] | None:
        """A done future with the remembered outcome, or None."""
        if not (self.memoize and task.memoize):
            return None
        key = make_key(task.func, task.args, task.kwargs, task.ignore_for_cache)
        self._keys[task.id] = key
        found = self._table.get(key)
        return found.future() if found is not None else None

    def hashsum(self, task_id: int) -> str | None:
        """The memo key computed for a live task (Parsl's ``task_record['hashsum']``)."""
        return self._keys.get(task_id)

    def update_memo_result(self, task: TaskView, r: Any) -> None:
        """Remember a result (and checkpoint it per the mode), also one from the table."""
        key = self._keys.pop(task.id, None)
        if key is None or not self.memoize:
            return
        self._table[key] = _Outcome(True, r)
        if self._store is not None:
            now = self.checkpoint_mode == "task_exit"
            self.checkpointed_tasks += self._store.add(key, r, now=now)

    def update_memo_exception(self, task: TaskView, e: BaseException) -> None:
        """Remember a failure in memory (never in a checkpoint)."""
        key = self._keys.pop(task.id, None)
        if key is not None and self.memoize:
            self._table[key] = _Outcome(False, e)
            if self._store is not None and self.checkpoint_mode == "task_exit":
                self._store.flush()  # a checkpoint pass, as Parsl's (failures are not written)

    def checkpoint(self) -> None:
        """Write every pending entry now (logged with Parsl's messages)."""
        if self._store is None:
            return
        count = self._store.flush()
        self.checkpointed_tasks += count
        if count:
            logger.info("Done checkpointing %d tasks", count)
        elif self.checkpointed_tasks == 0:
            logger.warning(
                "No tasks checkpointed so far in this run. Please ensure caching is enabled"
            )
        else:
            logger.debug("No tasks checkpointed in this pass.")

    def close(self) -> None:
        """Stop the periodic thread; write the final checkpoint and close the store."""
        self._stop.set()
        if self._timer is not None:
            self._timer.join()
        if self._store is not None:
            logger.info("Making final checkpoint")
            self.checkpoint()
            self._store.close()
            self._store = None

    def _periodic(self) -> None:
        assert self.period is not None
        while not self._stop.wait(self.period):
            try:
                self.checkpoint()
            except Exception:  # noqa: BLE001 - next period retries; close() reports
                logger.exception("periodic checkpoint failed")


def filters_uncached(memoizer: Memoizer) -> bool:
    """True when ``memoizer`` ignores apps without ``cache=True`` (BasicMemoizer's own hooks).

    The kernel then skips calling it for those tasks: same outcome, no TaskView to build.
    """
    kind = type(memoizer)
    return all(
        getattr(kind, name) is getattr(BasicMemoizer, name)
        for name in ("check_memo", "update_memo_result", "update_memo_exception")
    )
