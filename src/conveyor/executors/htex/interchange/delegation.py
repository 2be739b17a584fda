"""Delegation: a waiting dependent handed to the pool that runs its dependencies.

A task sent with references waits in the interchange (deps.py) for its dependencies. When
every dependency it still waits on is located on one pool M (dispatched to M, or itself
delegated to M), M is active and says ``holds`` in its Register info, the task is
*delegated*: sent to M at once with the ``[dep_id, payload]`` pairs the interchange
already has and the ids M will produce. M holds it (pool/holds.py) and starts it when its
own workers return those results, so a chain hop is worker -> manager -> worker.

Decided when a dependent arrives (its dependencies already on a pool) and when a
dependency is dispatched (its dependents follow it in the same Tasks message, in order).
Only plain tasks are delegated: no resources map, no walltime, no attached buffers.

Both sides see the same results, so they agree without extra messages: an ok result of a
held task's dependency makes it run on M (it then counts in M's ``in_flight``); a failed
or lost one, or one with buffers, drops it on M and fails it (or makes it missing) here,
as deps.py decides. A delegated task reaching M after a dependency's result left M runs
with that payload if M still remembers it (pool/holds.py), or is given back (``Unheld``)
and waits or is dispatched again here the ordinary way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conveyor.executors.htex.interchange.managers import ManagerInfo, ManagerState

if TYPE_CHECKING:
    from conveyor.executors.htex.interchange.state import BrokerState

__all__ = ["Delegated", "Delegation"]


@dataclass(slots=True)
class Delegated:
    """A task delegated to a pool, with what it needs to be dispatched again if given back."""

    mgr: ManagerInfo
    fn_hash: bytes
    args: bytes


class Delegation:
    """The delegated tasks of one interchange, until their results, and the decisions."""

    def __init__(self, state: BrokerState) -> None:
        self.state = state
        self.deps = state.deps
        #: delegated task -> its pool and call (held there, or running)
        self.to: dict[int, Delegated] = {}
        #: how many tasks were delegated, and how many of them were given back
        self.count = 0
        self.given_back = 0

    def target(self, task_id: int) -> ManagerInfo | None:
        """The pool a dependent that just arrived may be delegated to, if any."""
        first = self.deps.awaited(task_id)[0]
        entry = self.to.get(first)  # delegated itself: no need to look through the pools
        for mgr in [entry.mgr] if entry is not None else self.state.managers.values():
            if first in mgr.in_flight or first in mgr.held:
                return mgr if self._may_hold(mgr, task_id) else None
        return None

    def _may_hold(self, mgr: ManagerInfo, task_id: int) -> bool:
        waiting = self.deps.waiting.get(task_id)
        # (a wide fan-in is not looked through at each dispatch of one of its dependencies)
        if waiting is None or waiting > len(mgr.in_flight) + len(mgr.held):
            return False
        state = self.state
        if not mgr.holds or mgr.state is not ManagerState.ACTIVE or task_id in self.to:
            return False
        if task_id not in state.tasks or task_id in state.resources:
            return False
        if task_id in state.walltimes or task_id in state.buffered:
            return False
        return all(d in mgr.in_flight or d in mgr.held for d in self.deps.awaited(task_id))

    def follow(self, mgr: ManagerInfo, first: int) -> list[list[Any]]:
        """Items of the dependents that may follow ``first`` (just handed to ``mgr``), in order.

        None for a task with attached buffers: it leaves after the plain items of its
        message (frames.py), so its dependents would reach the pool before it.
        """
        items: list[list[Any]] = []
        if first in self.state.buffered:
            return items
        todo = [first]
        for dep in todo:  # breadth first: ``todo`` grows with the dependents delegated
            for dependent in self.deps.dependents.get(dep, ()):
                if self._may_hold(mgr, dependent):
                    items.append(self.hand(mgr, dependent))
                    todo.append(dependent)
        return items

    def hand(self, mgr: ManagerInfo, task_id: int) -> list[Any]:
        """Delegate a waiting dependent to ``mgr``: its Tasks item (seven elements)."""
        fn_hash, args = self.state.tasks.pop(task_id)
        self.to[task_id] = Delegated(mgr, fn_hash, args)
        mgr.held.add(task_id)
        self.count += 1
        pairs, awaited = self.deps.pairs(task_id), self.deps.awaited(task_id)
        return [task_id, fn_hash, self.state.function_for(mgr, fn_hash), args, {}, pairs, awaited]

    def started(self, task_id: int) -> bool:
        """Its dependencies finished: a delegated task now runs on its pool. False if not delegated."""
        entry = self.to.get(task_id)
        if entry is None:
            return False
        if task_id in entry.mgr.held:
            entry.mgr.held.discard(task_id)
            entry.mgr.in_flight.add(task_id)
        return True

    def ended(self, task_id: int) -> None:
        """A delegated task's result came, or it failed or was lost: forget it."""
        entry = self.to.pop(task_id, None)
        if entry is not None:
            _leave(entry.mgr, task_id)
            self.state.deferred.pop(task_id, None)
            if task_id in self.deps.refs:
                self.deps.release(task_id)

    def give_back(self, manager_id: bytes, task_ids: list[int]) -> list[int]:
        """The pool could not hold these: they wait here again; the ids now ready."""
        ready = []
        for task_id in task_ids:
            entry = self.to.get(task_id)
            if entry is None or entry.mgr.manager_id != manager_id:
                continue  # failed or lost meanwhile
            del self.to[task_id]
            _leave(entry.mgr, task_id)
            self.state.tasks[task_id] = (entry.fn_hash, entry.args)
            self.given_back += 1
            if task_id not in self.deps.waiting:
                ready.append(task_id)
        return ready


def _leave(mgr: ManagerInfo, task_id: int) -> None:
    """The task is no longer on ``mgr``, held or running."""
    mgr.held.discard(task_id)
    mgr.in_flight.discard(task_id)
