"""BlockManager: starts, tracks and stops an executor's blocks through its provider.

executor --start()--> init_blocks submitted now --> provider.submit(launch_command(id))
poller thread, every strategy_period:
    provider.status -> states.advance (blocks ended outside conveyor -> hooks.block_failed)
    hooks.load()    -> strategy.decide -> scale_out (submit) / scale_in (drain, then cancel)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conveyor.executors.blocks.api import BlockOptions, ExecutorHooks, ExecutorLoad, LaunchCommand
from conveyor.executors.blocks.states import (
    AS_JOB,
    ENDED,
    LIVE,
    Block,
    BlockState,
    advance,
    from_job,
)
from conveyor.executors.blocks.strategy import (
    BlockView,
    Limits,
    Snapshot,
    check_strategy,
    decide,
)
from conveyor.providers.base import ExecutionProvider
from conveyor.providers.states import JobState, JobStatus

__all__ = ["BlockManager", "BlockStatistics"]

#: block ends that count towards max_consecutive_failures (a cancel or a timeout does not)
_BROKEN_ENDS = frozenset({BlockState.FAILED, BlockState.MISSING})

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BlockStatistics:
    """Blocks by state, consecutive submit failures and the last failure message."""

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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.hooks = hooks
        self.launch_command = launch_command
        self.label = label
        self.options = options
        self.strategy = check_strategy(options.strategy)
        self.clock = clock
        self.blocks: dict[str, Block] = {}
        self._lock = threading.RLock()
        self._next = 0
        self._failures = 0
        self._last_error = ""
        self._ever_served = False
        self._starting_sent: list[str] = []
        self._ever_connected: frozenset[str] = frozenset()
        self._broken_reported = False
        self._idle_start: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: told (label, block_id, job_id, JobState name) of block changes while monitoring
        self.monitor: Callable[[str, str, Any, str], None] | None = None
        self._reported: dict[str, BlockState] = {}

    @property
    def limits(self) -> Limits:
        """The provider's block limits with Config's max_idletime."""
        p = self.provider
        return Limits(p.min_blocks, p.max_blocks, p.parallelism, self.options.max_idletime)

    def start(self) -> None:
        """Submit the initial blocks now and start the poller thread.

        All ``init_blocks`` start, even beyond ``max_blocks`` (as in Parsl); the strategy
        then keeps to max_blocks when it scales out.
        """
        init = self.provider.init_blocks
        self.scale_out(init, limit=max(init, self.provider.max_blocks))
        self._report_changes()
        self._thread = threading.Thread(
            target=self._poll_loop, name=f"conveyor-blocks-{self.label}", daemon=True
        )
        self._thread.start()

    # --- scale out / in -------------------------------------------------------------------

    def scale_out(self, n: int, limit: int | None = None) -> list[str]:
        """Submit up to ``n`` blocks; return the accepted ids.

        Never more than ``limit`` blocks (default: max_blocks) are not ended.
        """
        cap = self.provider.max_blocks if limit is None else limit
        started = []
        for _ in range(n):
            with self._lock:
                busy = sum(1 for b in self.blocks.values() if not b.ended)
                if busy >= cap or self.broken:
                    break
                block_id = str(self._next)
                self._next += 1
            if self._submit(block_id):
                started.append(block_id)
        if started:
            self._report_changes()  # monitoring sees each new block PENDING first
            # a job that runs at once (LocalProvider) is reported before its pool can
            # register, so the interchange keeps tasks for it (no burst meanwhile)
            self.refresh()
            self._report_starting(self._ever_connected)
        return started

    @property
    def broken(self) -> bool:
        """True once too many blocks in a row were refused or failed (see ``_threshold``).

        With a user's block error handler, once that handler broke the executor.
        """
        if self.options.external_errors:
            return self.hooks.bad_state_is_set
        return self._failures >= self._threshold()

    def _threshold(self) -> int:
        """Failures in a row that break the executor.

        Until a pool has ever registered, Parsl's rule: as many as ``init_blocks`` (at least
        one) — a provider whose first blocks all fail will not do better. Once pools have
        registered, ``max_consecutive_failures`` in a row.
        """
        if self._ever_served:
            return self.options.max_consecutive_failures
        return max(1, self.provider.init_blocks)

    def _submit(self, block_id: str) -> bool:
        name = f"conveyor.{self.label}.block-{block_id}"
        try:
            job = self.provider.submit(self.launch_command(block_id), 1, name)
        except Exception as exc:  # noqa: BLE001 - recorded and reported
            return self._rejected(block_id, str(exc))
        with self._lock:
            self.blocks[block_id] = Block(block_id, job, BlockState.PENDING, self.clock())
        logger.info("block %s of %s submitted: job %s", block_id, self.label, job)
        return True

    def _rejected(self, block_id: str, message: str) -> bool:
        with self._lock:
            block = Block(block_id, None, BlockState.REJECTED, self.clock(), message)
            self.blocks[block_id] = block
        logger.error("block %s of %s could not start: %s", block_id, self.label, message)
        self._count_failure(message)
        return False

    def _count_failure(self, message: str) -> None:
        """One more block in a row failed before any pool connected; at the limit, break."""
        with self._lock:
            self._failures += 1
            self._last_error = message
            now_broken = self._failures >= self._threshold() and not self._broken_reported
            self._broken_reported = self._broken_reported or now_broken
        if now_broken and not self.options.external_errors:
            self.hooks.set_broken(f"{self._failures} blocks in a row failed; last: {message}")

    def scale_in(self, block_ids: list[str], load: ExecutorLoad | None = None) -> None:
        """Drain these blocks; blocks without a connected pool are cancelled at once."""
        now = self.clock()
        with self._lock:
            chosen = [self.blocks[b] for b in block_ids if self.blocks[b].state in LIVE]
            for block in chosen:
                advance(block, BlockState.DRAINING, "scale-in", now)
        self.hooks.drain_blocks([b.block_id for b in chosen])
        workers = load.connected_workers if load is not None else {}
        self._cancel([b for b in chosen if not workers.get(b.block_id)], "scaled in: no pool")

    def _cancel(self, blocks: list[Block], why: str) -> None:
        jobs = [b.job_id for b in blocks if b.job_id is not None]
        if jobs:
            self.provider.cancel(jobs)
        with self._lock:
            for block in blocks:
                if not block.ended:
                    advance(block, BlockState.SCALED_IN, why, self.clock())

    # --- polling ----------------------------------------------------------------------

    def poll(self) -> None:
        """One round: refresh states, report ended blocks, decide and carry out scaling."""
        self.refresh()
        if self.options.external_errors:
            self.hooks.handle_errors(self.job_statuses())
        load = self.hooks.load()
        now = self.clock()
        if any(load.connected_workers.values()):
            with self._lock:
                self._failures = 0  # a pool connected: this provider's blocks do start
                self._ever_served = True
        self._ever_connected = load.ever_connected
        self._report_starting(load.ever_connected)
        self._finish_drains(load, now)
        decision = decide(self.strategy, self.snapshot(load, now), self.limits)
        if decision.scale_out:
            self.scale_out(decision.scale_out)
        if decision.scale_in:
            logger.info("scaling in blocks %s of %s", decision.scale_in, self.label)
            self.scale_in(list(decision.scale_in), load)
        self._report_changes()

    def _report_starting(self, ever_connected: frozenset[str]) -> None:
        """Tell the executor which running blocks still wait for their pools, on change."""
        with self._lock:
            starting = sorted(
                b.block_id
                for b in self.blocks.values()
                if b.state is BlockState.RUNNING and b.block_id not in ever_connected
            )
        if starting != self._starting_sent:
            self._starting_sent = starting
            self.hooks.blocks_starting(starting)

    def _report_changes(self) -> None:
        """Tell the monitor about every block whose state changed since the last report."""
        if self.monitor is None:
            return
        with self._lock:
            changed = [b for b in self.blocks.values() if self._reported.get(b.block_id) != b.state]
            for b in changed:
                self._reported[b.block_id] = b.state
        for b in changed:
            self.monitor(self.label, b.block_id, b.job_id, AS_JOB[b.state].name)

    def refresh(self) -> None:
        """Ask the provider about every block not ended; advance each to what it reports."""
        with self._lock:
            watched = [b for b in self.blocks.values() if not b.ended and b.job_id is not None]
        if not watched:
            return
        statuses = self.provider.status([b.job_id for b in watched])
        now = self.clock()
        registered: frozenset[str] | None = None
        for block, status in zip(watched, statuses, strict=True):
            target = from_job(status.state, block.state)
            if target in ENDED and target is not BlockState.SCALED_IN:
                if registered is None:  # asked only when a block ends: one round trip
                    registered = self.hooks.load().ever_connected
                    if registered:  # pools did register, even if no poll saw them serve
                        self._ever_served = True
                target = _unregistered_end(block.block_id, registered, target)
            with self._lock:
                if target is None or block.ended:
                    continue
                advance(block, target, _describe(status, target, self.provider.script_dir), now)
            if target in ENDED and target is not BlockState.SCALED_IN:
                logger.warning(
                    "block %s of %s ended: %s", block.block_id, self.label, block.message
                )
                self.hooks.block_failed(block.block_id, block.message)
            if target in _BROKEN_ENDS:
                self._count_failure(block.message)

    def snapshot(self, load: ExecutorLoad, now: float) -> Snapshot:
        """The strategy's view of the blocks and of the executor's load."""
        if load.outstanding > 0:
            self._idle_start = None
        elif self._idle_start is None:
            self._idle_start = now
        workers = load.connected_workers
        per_block = max(workers.values(), default=0) or (
            load.workers_per_node * self.provider.nodes_per_block
        )
        with self._lock:
            views = [
                BlockView(
                    b.block_id,
                    b.state,
                    workers.get(b.block_id, 0),
                    load.idle_for.get(b.block_id) if workers.get(b.block_id) else None,
                )
                for b in self.blocks.values()
                if not b.ended
            ]
        idle = 0.0 if self._idle_start is None else now - self._idle_start
        return Snapshot(load.outstanding, per_block, views, idle)

    def _finish_drains(self, load: ExecutorLoad, now: float) -> None:
        """Cancel draining blocks whose pools have gone, or that took too long."""
        with self._lock:
            done = [
                b
                for b in self.blocks.values()
                if b.state is BlockState.DRAINING
                and (
                    not load.connected_workers.get(b.block_id)
                    or now - b.since > self.options.drain_timeout
                )
            ]
        self._cancel(done, "drained")

    def _poll_loop(self) -> None:
        period = self.options.strategy_period
        while not self._stop.wait(period):
            try:
                self.poll()
            except Exception:  # noqa: BLE001 - the next period tries again
                logger.exception("block poll of %s failed", self.label)

    # --- views and shutdown -------------------------------------------------------------

    def block_states(self) -> dict[str, BlockState]:
        """Current state of every block ever started."""
        with self._lock:
            return {b.block_id: b.state for b in self.blocks.values()}

    def job_statuses(self) -> dict[str, JobStatus]:
        """Block id -> JobStatus (state and the last message), Parsl's ``executor.status()``."""
        with self._lock:
            return {b.block_id: JobStatus(AS_JOB[b.state], b.message) for b in self.blocks.values()}

    def statistics(self) -> BlockStatistics:
        """Snapshot for ``executor.statistics()``."""
        with self._lock:
            states = {b.block_id: b.state.name for b in self.blocks.values()}
            return BlockStatistics(states, self._failures, self._last_error)

    def shutdown(self) -> None:
        """Stop polling and cancel every block not ended. Idempotent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            alive = [b for b in self.blocks.values() if not b.ended]
        self._cancel(alive, "executor shut down")
        self._report_changes()
        self._wait_gone([b.job_id for b in alive if b.job_id is not None])
        logger.info("blocks of %s stopped", self.label)

    def _wait_gone(self, jobs: list[Any], timeout: float = 20.0) -> None:
        """Wait until the provider reports every cancelled job ended (no step left behind)."""
        deadline = time.monotonic() + timeout
        while jobs and time.monotonic() < deadline:
            try:
                statuses = self.provider.status(jobs)
            except Exception:  # noqa: BLE001 - shutdown goes on regardless
                logger.exception("status of cancelled blocks of %s unknown", self.label)
                return
            jobs = [j for j, s in zip(jobs, statuses, strict=True) if not s.terminal]
            if jobs:
                time.sleep(min(0.2, self.provider.status_polling_interval))
        if jobs:
            logger.warning(
                "blocks of %s still not ended after %.0f s: %s", self.label, timeout, jobs
            )


def _unregistered_end(block_id: str, registered: frozenset[str], target: BlockState) -> BlockState:
    """A block that ended with no pool ever registered is MISSING (Parsl's rewrite)."""
    return target if block_id in registered else BlockState.MISSING


def _describe(status: JobStatus, target: BlockState, script_dir: str = "") -> str:
    """The provider's message; for a block that failed, with the tail of its stderr."""
    message = status.message or status.state.name
    if target not in ENDED or target is BlockState.SCALED_IN:
        return message
    if target is BlockState.MISSING and status.state is not JobState.MISSING:
        code = "" if status.exit_code is None else f"; EXIT CODE: {status.exit_code}"
        message = (
            f"{message}{code}; the block ended before any of its pools registered with "
            f"the interchange (its job output is in {script_dir})"
        )
    said = (status.stderr or "").strip()
    return f"{message}; its stderr ends with: {said[-400:]}" if said else message
