"""Parsl's HTEX query and block methods, over the interchange's statistics and the blocks.

connected_managers() / connected_blocks()  ->  StatsRequest to the interchange
command_client.run(...)                    ->  the same, by Parsl's command names
outstanding()                              ->  the client's outstanding tasks
status_facade / scale_in(n) / scale_out_facade(n)  ->  the BlockManager
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any, Protocol

from conveyor.errors import BlocksFailed
from conveyor.executors.base import ExecutorStatistics
from conveyor.executors.blocks.api import ExecutorLoad
from conveyor.executors.blocks.error_handlers import ErrorHandler
from conveyor.executors.blocks.manager import BlockManager
from conveyor.executors.blocks.states import LIVE, BlockState
from conveyor.executors.blocks.strategy import pick_for_scale_in
from conveyor.executors.htex.client import HtexClient
from conveyor.executors.htex.commands import CommandClient
from conveyor.executors.htex.options import HtexOptions
from conveyor.providers.states import JobStatus

__all__ = ["HtexQueries"]

logger = logging.getLogger(__name__)


class _Executor(Protocol):
    """What the mixin needs of the executor it is mixed into."""

    _client: HtexClient | None
    _blocks: BlockManager | None
    _closed: bool
    block_error_handler: ErrorHandler
    label: str
    options: HtexOptions

    def load(self) -> ExecutorLoad: ...

    def status(self) -> dict[str, JobStatus]: ...

    def connected_blocks(self) -> list[str]: ...

    @property
    def command_client(self) -> CommandClient: ...

    def statistics(self) -> ExecutorStatistics: ...


def _why_not_wait(ex: _Executor, patience: float, unserved_since: float | None) -> str:
    """Why shutdown stops waiting for tasks now, or "" to go on waiting."""
    if not _interchange_stats(ex).get("connected_blocks"):
        states = ex._blocks.block_states() if ex._blocks is not None else {}
        if not any(state is BlockState.RUNNING for state in states.values()):
            return "no pool ever registered and no block runs"
    if unserved_since is not None and time.monotonic() - unserved_since > patience:
        return f"no pool for {patience:.0f} s"
    return ""


def _interchange_stats(ex: _Executor, timeout: float = 5.0) -> dict[str, Any]:
    client = ex._client
    if client is None or client.broken is not None or ex._closed:
        return {}
    return client.statistics(timeout)


class HtexQueries:
    """Mixed into HighThroughputExecutor: the methods Parsl users and tests call on it."""

    def handle_errors(self: _Executor, status: Mapping[str, JobStatus]) -> None:
        """Run ``block_error_handler`` on the blocks' statuses (the BlockManager's poll)."""
        self.block_error_handler(self, status)

    def set_bad_state_and_fail_all(self: _Executor, exception: Exception) -> None:
        """Break the executor: pending and later tasks fail with a BadStateException.

        Parsl's name, called by block error handlers; the error carries ``exception``.
        """
        if self._client is not None:
            self._client.fail_all(BlocksFailed(self, str(exception)))

    @property
    def _executor_bad_state(self: _Executor) -> threading.Event:
        """Parsl's bad-state flag, as an Event that is set once the executor is broken."""
        flag = threading.Event()
        if self._client is not None and self._client.broken is not None:
            flag.set()
        return flag

    def status(self: _Executor) -> dict[str, JobStatus]:
        """Block id -> JobStatus, asking the provider now (as Parsl's), with its message."""
        if self._blocks is None:
            return {}
        self._blocks.refresh()
        return self._blocks.job_statuses()

    def _wait_while_served(self: _Executor, client: HtexClient) -> None:
        """Wait until no task is outstanding, while pools serve them (shutdown(wait=True)).

        Gives up after ``heartbeat_threshold`` without any connected pool: nothing could
        ever finish them; at once when no pool ever registered and no block even runs
        (a batch job still queued).
        """
        patience = self.options.interchange.heartbeat_threshold
        unserved_since: float | None = None
        while not client.wait_idle(timeout=1.0):
            if client.broken is not None:
                return
            why = _why_not_wait(self, patience, unserved_since)
            if why:
                logger.warning(
                    "%s: %d tasks pending and %s; not waiting for them",
                    self.label,
                    len(client.futures),
                    why,
                )
                return
            served = self.statistics().extra.get("managers", 0) > 0
            unserved_since = None if served else (unserved_since or time.monotonic())

    def outstanding(self: _Executor) -> int:
        """Tasks submitted and not finished (queued in the interchange or on a worker)."""
        return len(self._client.futures) if self._client is not None else 0

    def connected_managers(self: _Executor) -> list[dict[str, Any]]:
        """One dict per registered pool, with Parsl's keys.

        manager, block_id, worker_count, tasks, idle_duration, active, draining,
        parsl_version, python_version (and hostname). As in Parsl, this is the command
        client's ``MANAGERS``: it waits for a busy interchange (CommandClientTimeoutError
        after ``DEFAULT_TIMEOUT_S``).
        """
        managers: list[dict[str, Any]] = self.command_client.run("MANAGERS")
        return managers

    def interchange_statistics(self: _Executor, timeout: float) -> dict[str, Any]:
        """The interchange's statistics ({} when it does not run); waits up to ``timeout``."""
        return _interchange_stats(self, timeout)

    @property
    def command_client(self) -> CommandClient:
        """Parsl's command client: ``run("CONNECTED_BLOCKS")`` and the like (commands.py)."""
        return CommandClient(self)  # type: ignore[arg-type]

    def connected_blocks(self: _Executor) -> list[str]:
        """Ids of every block that has had a pool registered, in order, also ended ones.

        The command client's ``CONNECTED_BLOCKS``, as in Parsl (see connected_managers).
        """
        blocks: list[str] = self.command_client.run("CONNECTED_BLOCKS")
        return blocks

    @property
    def status_facade(self: _Executor) -> dict[str, JobStatus]:
        """Block id -> JobStatus of every block started (Parsl's name for ``status()``)."""
        return self.status()

    def scale_out_facade(self: _Executor, n: int) -> list[str]:
        """Start ``n`` more blocks; return their ids.

        As in Parsl, a manual scale-out is not capped by the provider's ``max_blocks``
        (the scaling strategy keeps to it); a broken executor starts none.
        """
        return self._blocks.scale_out(n, limit=sys.maxsize) if self._blocks is not None else []

    def scale_in(self: _Executor, blocks: int, max_idletime: float | None = None) -> list[str]:
        """Stop up to ``blocks`` blocks, those without pools and the idlest first.

        With ``max_idletime``, only blocks idle at least that long. Their pools drain (finish
        what they hold, take nothing new) and the blocks are then cancelled; a block without
        a pool is cancelled at once. Returns the chosen block ids.
        """
        manager = self._blocks
        if manager is None or blocks <= 0:
            return []
        load = self.load()
        snap = manager.snapshot(load, time.monotonic())
        live = [b for b in snap.blocks if b.state in LIVE]
        if max_idletime is not None:
            live = [
                b
                for b in live
                if (snap.idle_for if b.idle_for is None else b.idle_for) >= max_idletime
            ]
        chosen = list(pick_for_scale_in(live, blocks, snap.idle_for))
        manager.scale_in(chosen, load)
        return chosen
