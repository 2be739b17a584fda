"""BlockManager: starts, tracks and stops an executor's blocks through its provider.

executor --start()--> init_blocks submitted now --> provider.submit(launch_command(id))
poller thread (if a strategy is set): provider.status -> failed blocks reported,
replacements within max_blocks, idle blocks drained and cancelled after max_idletime
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conveyor.executors.blocks.api import BlockOptions, ExecutorHooks, LaunchCommand
from conveyor.providers.base import ExecutionProvider
from conveyor.providers.states import JobState

__all__ = ["BlockManager", "BlockStatistics"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BlockStatistics:
    """Blocks by state, and the last failure message."""

    states: Mapping[str, str]
    failures: int
    last_error: str


class BlockManager:
    """Owns the blocks of one executor; thread-safe."""

    def __init__(
        self,
        provider: ExecutionProvider,
        hooks: ExecutorHooks,
        launch_command: LaunchCommand,
        *,
        label: str,
        options: BlockOptions,
        tasks_per_node: int = 1,
    ) -> None:
        self.provider = provider
        self.hooks = hooks
        self.launch_command = launch_command
        self.label = label
        self.options = options
        self.tasks_per_node = tasks_per_node
        self._lock = threading.Lock()
        self._jobs: dict[str, Any] = {}
        self._states: dict[str, JobState] = {}
        self._next = 0
        self._failures = 0
        self._last_error = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Submit the initial blocks now; start the poller when a strategy is set."""
        self.scale_out(self.provider.init_blocks)
        if self.options.strategy not in (None, "none"):
            self._thread = threading.Thread(
                target=self._poll_loop, name=f"conveyor-blocks-{self.label}", daemon=True
            )
            self._thread.start()

    def scale_out(self, n: int) -> list[str]:
        """Submit ``n`` blocks (never beyond max_blocks); return their ids."""
        started = []
        for _ in range(n):
            with self._lock:
                live = sum(1 for s in self._states.values() if not s.terminal)
                if (
                    live >= self.provider.max_blocks
                    or self._failures >= self.options.max_consecutive_failures
                ):
                    break
                block_id = str(self._next)
                self._next += 1
            if self._submit(block_id):
                started.append(block_id)
        return started

    def _submit(self, block_id: str) -> bool:
        try:
            job = self.provider.submit(
                self.launch_command(block_id),
                self.tasks_per_node,
                f"conveyor.{self.label}.block-{block_id}",
            )
        except Exception as exc:  # noqa: BLE001 - recorded and reported
            with self._lock:
                self._states[block_id] = JobState.FAILED
                self._failures += 1
                self._last_error = str(exc)
                broken = self._failures >= self.options.max_consecutive_failures
            logger.error("block %s of %s could not start: %s", block_id, self.label, exc)
            if broken:
                self.hooks.set_broken(
                    f"{self._failures} consecutive block submissions failed; last: {exc}"
                )
            return False
        with self._lock:
            self._jobs[block_id] = job
            self._states[block_id] = JobState.PENDING
            self._failures = 0
        return True

    def scale_in(self, block_ids: list[str]) -> None:
        """Drain, then cancel these blocks."""
        self.hooks.drain_blocks(block_ids)
        with self._lock:
            jobs = [self._jobs[b] for b in block_ids if b in self._jobs]
        self.provider.cancel(jobs)
        with self._lock:
            for b in block_ids:
                self._states[b] = JobState.SCALED_IN

    def block_states(self) -> dict[str, JobState]:
        """Current state of every block ever started."""
        with self._lock:
            return dict(self._states)

    def statistics(self) -> BlockStatistics:
        """Snapshot for ``executor.statistics()``."""
        with self._lock:
            return BlockStatistics(
                {b: s.name for b, s in self._states.items()}, self._failures, self._last_error
            )

    def poll(self) -> None:
        """Refresh block states; report newly failed blocks; keep min_blocks running."""
        with self._lock:
            live = {b: j for b, j in self._jobs.items() if not self._states[b].terminal}
        if not live:
            return
        statuses = self.provider.status(list(live.values()))
        for (block_id, _), status in zip(live.items(), statuses, strict=True):
            with self._lock:
                self._states[block_id] = status.state
            if status.terminal:
                self.hooks.block_failed(block_id, status.message or status.state.name)
        with self._lock:
            running = sum(1 for s in self._states.values() if not s.terminal)
        if running < self.provider.min_blocks:
            self.scale_out(self.provider.min_blocks - running)

    def _poll_loop(self) -> None:
        while not self._stop.wait(self.options.strategy_period):
            try:
                self.poll()
            except Exception:  # noqa: BLE001 - the next period tries again
                logger.exception("block poll of %s failed", self.label)

    def shutdown(self) -> None:
        """Stop polling and cancel every block still alive. Idempotent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            jobs = [j for b, j in self._jobs.items() if not self._states[b].terminal]
            self._jobs.clear()
        if jobs:
            self.provider.cancel(jobs)
        logger.info("blocks of %s stopped at %s", self.label, time.strftime("%X"))
