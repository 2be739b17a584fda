"""The interchange's view of one connected pool: its record and the states it goes through."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

__all__ = ["MANAGER_TRANSITIONS", "ManagerInfo", "ManagerState"]


class ManagerState(Enum):
    """Life of one connected pool, as the interchange sees it."""

    #: registered, accepting tasks
    ACTIVE = "active"
    #: asked to drain: gets no new tasks
    DRAINING = "draining"
    #: missed heartbeats, drained or exited; its tasks were reported (terminal)
    GONE = "gone"


MANAGER_TRANSITIONS = {
    ManagerState.ACTIVE: frozenset({ManagerState.DRAINING, ManagerState.GONE}),
    ManagerState.DRAINING: frozenset({ManagerState.GONE}),
    ManagerState.GONE: frozenset(),
}


@dataclass(slots=True)
class ManagerInfo:
    """One registered pool."""

    manager_id: bytes
    hostname: str
    block_id: str
    capacity: int
    workers: int
    last_heard: float
    state: ManagerState = ManagerState.ACTIVE
    in_flight: set[int] = field(default_factory=set)
    #: function hashes this pool has already received
    known_functions: set[bytes] = field(default_factory=set)
    #: the pool's Python (major.minor.micro), for Parsl's connected_managers()
    python_version: str = ""
    idle_since: float | None = None
    #: when the pool stops taking tasks (its block ends), on this clock; None = never
    ends_at: float | None = None
    #: the node's cores / memory (MB) / gpus, for tasks that declare them (None = unknown)
    shape: dict[str, float] | None = None
    #: the pool holds delegated dependents (Register info ``holds``: delegation.py)
    holds: bool = False
    #: tasks delegated to it whose dependencies there have not finished (not in_flight:
    #: they take none of its slots until then)
    held: set[int] = field(default_factory=set)

    @property
    def free(self) -> int:
        """Task slots this manager can take now."""
        return self.capacity - len(self.in_flight) if self.state is ManagerState.ACTIVE else 0
