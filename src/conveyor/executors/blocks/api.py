"""The seam between a block-based executor (HTEX) and its block machinery.

    HTEX executor --implements--> ExecutorHooks (load snapshot, drain, block failed)
    HTEX executor --owns--------> BlockManager(provider, hooks, launch_command, options)
    BlockManager  --poller thread: provider.status -> strategy.decide -> scale out / in

The executor renders a pool command for a block id (``launch_command(block_id)``); the
block manager wraps it with the provider's launcher via ``provider.submit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from conveyor.providers.states import JobStatus

__all__ = ["BlockOptions", "ExecutorHooks", "ExecutorLoad", "LaunchCommand"]


@dataclass(frozen=True, slots=True)
class ExecutorLoad:
    """What the scaling strategy needs to know about the executor's work, at one instant."""

    #: tasks submitted and not yet finished (queued + running)
    outstanding: int
    #: worker slots per node that one block's pool offers
    workers_per_node: int
    #: block id -> number of connected workers of that block
    connected_workers: Mapping[str, int] = field(default_factory=dict)
    #: block id -> seconds all its workers have been idle (0 while any is busy)
    idle_for: Mapping[str, float] = field(default_factory=dict)
    #: ids of every block that ever had a pool registered (ended ones too)
    ever_connected: frozenset[str] = frozenset()


class ExecutorHooks(Protocol):
    """Implemented by the executor; called by the BlockManager's poller thread."""

    def load(self) -> ExecutorLoad:
        """Return the current load snapshot."""
        ...

    def drain_blocks(self, block_ids: list[str]) -> None:
        """Ask the pools of these blocks to stop taking tasks and exit when idle."""
        ...

    def block_failed(self, block_id: str, message: str) -> None:
        """A block ended or was rejected; fail or requeue its tasks (ManagerLost)."""
        ...

    def set_broken(self, message: str) -> None:
        """Too many consecutive block failures: fail pending tasks, refuse new ones."""
        ...

    def blocks_starting(self, block_ids: list[str]) -> None:
        """These blocks' jobs run but none of their pools registered yet (sent on change)."""
        ...

    @property
    def bad_state_is_set(self) -> bool:
        """True once the executor is broken (then no more blocks start)."""
        ...

    def handle_errors(self, status: Mapping[str, JobStatus]) -> None:
        """Run the user's block error handler on every block's status (each poll)."""
        ...


class LaunchCommand(Protocol):
    """Renders the worker-pool command line for one block id."""

    def __call__(self, block_id: str) -> str: ...


@dataclass(frozen=True, slots=True)
class BlockOptions:
    """Scaling options, from Config (strategy, strategy_period, max_idletime)."""

    strategy: str | None = "simple"
    strategy_period: float = 5.0
    max_idletime: float = 120.0
    #: consecutive failed block submissions before the executor is declared broken
    max_consecutive_failures: int = 3
    #: seconds a draining block may take before it is cancelled anyway
    drain_timeout: float = 30.0
    #: a user's block error handler decides when to break (``hooks.handle_errors``), not
    #: the built-in rule
    external_errors: bool = False
