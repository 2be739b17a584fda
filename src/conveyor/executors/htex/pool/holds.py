"""HoldTable: delegated tasks a pool holds until its own workers finish their dependencies.

The interchange delegates a dependent to the pool that runs every dependency it still
waits on (interchange/delegation.py): its Tasks item has a seventh element, those ids,
after the ``[dep_id, payload]`` pairs of the dependencies finished elsewhere. The pool
holds it here; each ok result of an awaited task (without attached buffers) adds its
payload to the pairs, and when none is awaited any more the task joins the front of the
pool's queue, so the worker just freed takes it: a chain hop is worker -> manager ->
worker. A failed awaited task (an error, a WorkerLost, a refusal), or one whose result
came with buffers, drops its held dependents and theirs; the interchange, seeing the same
result, fails them or makes them missing.

A delegated task may reach the pool after an awaited task's result left it (the
interchange decided before that result reached it). The pool keeps the last
``RECENT`` small ok payloads of its tasks for that case; an awaited task neither here nor
among them makes the pool give the delegated task back (``Unheld``).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Container, Iterable
from typing import Any

__all__ = ["RECENT", "RECENT_MAX_BYTES", "HoldTable"]

#: how many recent ok payloads the pool keeps for late delegated tasks, and how large each
#: may be to be kept
RECENT = 256
RECENT_MAX_BYTES = 64 << 10


class HoldTable:
    """Held tasks, the ids each still awaits, and the dependency payloads gathered so far."""

    def __init__(self) -> None:
        #: held task -> its task item (as queued, without pairs and awaited ids)
        self.tasks: dict[int, list[Any]] = {}
        #: held task -> ``[dep_id, payload]`` pairs so far
        self.pairs: dict[int, list[list[Any]]] = {}
        #: held task -> ids it still awaits
        self.awaiting: dict[int, set[int]] = {}
        #: awaited id -> held tasks awaiting it
        self.waiters: dict[int, list[int]] = {}
        #: the last ok payloads (small, without buffers) of this pool's tasks
        self.recent: OrderedDict[int, bytes] = OrderedDict()
        #: a delegated task came: results are looked at from now on (else they are not)
        self.active = False

    def hold(
        self,
        task: list[Any],
        pairs: list[list[Any]],
        awaited: list[int],
        here: Callable[[int], bool],
    ) -> str:
        """Hold ``task`` until ``awaited`` finish here, or say why not.

        Returns "held", "ready" (all were among the recent) or "back" (one is neither here
        nor recent: give it back). ``pairs`` gets the recent ones' payloads.
        """
        self.active = True
        recent = [dep for dep in awaited if dep in self.recent]
        left = set(awaited).difference(recent)
        if not all(dep in self.tasks or here(dep) for dep in left):
            return "back"
        pairs += [[dep, self.recent[dep]] for dep in recent]
        if not left:
            return "ready"
        task_id = task[0]
        self.tasks[task_id] = task
        self.pairs[task_id] = pairs
        self.awaiting[task_id] = left
        for dep in left:
            self.waiters.setdefault(dep, []).append(task_id)
        return "held"

    def remember(self, task_id: int, payload: bytes) -> None:
        """An ok result without buffers: kept among the recent ones if small."""
        if len(payload) <= RECENT_MAX_BYTES:
            self.recent[task_id] = payload
            if len(self.recent) > RECENT:
                self.recent.popitem(last=False)

    def finished(self, task_id: int, payload: bytes | None) -> list[list[Any]]:
        """An awaited task's result (``payload`` None: failed or unusable): the tasks now ready.

        Each ready task's pairs are in ``pairs`` until :meth:`release` takes them.
        """
        waiting = self.waiters.pop(task_id, None)
        if not waiting:
            return []
        if payload is None:
            self._drop(waiting)
            return []
        ready = []
        for held in waiting:
            self.pairs[held].append([task_id, payload])
            self.awaiting[held].discard(task_id)
            if not self.awaiting[held]:
                del self.awaiting[held]
                ready.append(self.tasks.pop(held))
        return ready

    def release(self, task_id: int) -> list[list[Any]]:
        """The pairs a ready task runs with (no longer held here)."""
        return self.pairs.pop(task_id)

    def _drop(self, first: Iterable[int]) -> None:
        """Forget these held tasks and, transitively, the ones awaiting them."""
        todo = list(first)
        while todo:
            held = todo.pop()
            if self.tasks.pop(held, None) is None:
                continue
            del self.pairs[held]
            for dep in self.awaiting.pop(held, ()):
                others = self.waiters.get(dep)
                if others is not None and held in others:
                    others.remove(held)
            todo += self.waiters.pop(held, [])

    def settle(
        self,
        results: Iterable[list[Any]],
        unusable: Container[int],
        pending: deque[list[Any]],
        task_refs: dict[int, list[Any]],
    ) -> None:
        """Results of this pool's tasks: held dependents made ready go to the front of ``pending``.

        ``unusable``: ids whose results came with attached buffers (never kept).
        """
        ready: list[list[Any]] = []
        for task_id, ok, payload, *_ in results:
            usable = ok and task_id not in unusable
            if usable:
                self.remember(task_id, payload)
            if task_id in self.waiters:
                ready += self.finished(task_id, payload if usable else None)
        for task in reversed(ready):
            task_refs[task[0]] = self.release(task[0])
            pending.appendleft(task)
