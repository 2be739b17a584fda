"""DependencyTable: tasks that arrived with references to other tasks' results.

A Submit item may name tasks on this interchange whose results replace TaskRefs in its
arguments. Such a task waits here until they finish; their result payloads (opaque
bytes, never read) are kept until every waiting dependent has been dispatched with
them. A dependency that fails, or is lost with its pool, fails its dependents, and
theirs. A reference to a task this interchange does not hold (it finished before the
reference arrived, or is unknown) makes the dependent *missing*: the client's kernel
then resolves it the ordinary way. Results that came with attached buffers are not
kept (their dependents are missing too).

Once references are in use, the last ``RECENT`` small ok payloads are remembered too,
so a reference that arrives just after its dependency's result went by (the pools ran
ahead of the submitter) finds it instead of being missing.

A dependent delegated to a pool (delegation.py) keeps its entry, and the payloads it
was sent with, until its own result: if the pool gives it back, it is dispatched again
with them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RECENT", "RECENT_MAX_BYTES", "Added", "DependencyTable", "Settled"]

#: how many recent ok payloads are remembered, and how large each may be
RECENT = 256
RECENT_MAX_BYTES = 64 << 10


@dataclass(slots=True)
class Settled:
    """What one finished task changed: dependents now ready, failed, or missing."""

    ready: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)


#: outcome of adding a dependent: "ready", "waiting", "failed" or "missing"
Added = str


class DependencyTable:
    """Dependents, the dependencies they wait on, and the payloads they will need."""

    def __init__(self) -> None:
        #: dependent -> the ids it refers to, in order
        self.refs: dict[int, list[int]] = {}
        #: dependent -> how many of them have not finished
        self.waiting: dict[int, int] = {}
        #: dependency -> dependents waiting on it
        self.dependents: dict[int, list[int]] = {}
        #: dependency -> its result payload, while some dependent still needs it
        self.results: dict[int, bytes] = {}
        self._holders: dict[int, int] = {}
        #: the last small ok payloads, once a dependent came (``active``)
        self.recent: OrderedDict[int, bytes] = OrderedDict()
        self.active = False

    def remember(self, items: Iterable[list[Any]], unkept: Container[int]) -> None:
        """Results that went by: the small ok ones (without buffers) are kept a while."""
        recent = self.recent
        for task_id, ok, payload, *_ in items:
            if ok and len(payload) <= RECENT_MAX_BYTES and task_id not in unkept:
                recent[task_id] = payload
        while len(recent) > RECENT:
            recent.popitem(last=False)

    def add(self, task_id: int, dep_ids: list[int], live: Callable[[int], bool]) -> Added:
        """Register a dependent; say whether it can go now, must wait, or cannot run."""
        self.active = True
        results, recent = self.results, self.recent
        pending = [dep for dep in dep_ids if dep not in results and dep not in recent]
        if not all(live(dep) for dep in pending):
            return "missing"
        for dep in set(dep_ids).intersection(recent).difference(results):
            results[dep] = recent[dep]  # went by just now: kept for this dependent
            self._holders[dep] = 0
        self.refs[task_id] = list(dep_ids)
        for dep in set(dep_ids):
            if dep in self.results:
                self._holders[dep] += 1
        if not pending:
            return "ready"
        self.waiting[task_id] = len(set(pending))
        for dep in set(pending):
            self.dependents.setdefault(dep, []).append(task_id)
        return "waiting"

    def finished(self, task_id: int, ok: bool, payload: bytes, keep: bool = True) -> Settled:
        """A task's result went by; ``keep`` is False when its payload cannot be kept."""
        out = Settled()
        waiting = self.dependents.pop(task_id, None)
        if waiting is None:
            return out
        if not (ok and keep):
            self._cascade(waiting, out.failed if not ok else out.missing)
            return out
        self.results[task_id] = payload
        self._holders[task_id] = 0
        for dependent in waiting:
            if dependent not in self.refs:
                continue  # already failed or missing through another dependency
            self._holders[task_id] += 1
            self.waiting[dependent] -= 1
            if self.waiting[dependent] == 0:
                del self.waiting[dependent]
                out.ready.append(dependent)
        if self._holders[task_id] == 0:
            self._release(task_id)
        return out

    def _cascade(self, first: list[int], into: list[int]) -> None:
        """Drop these dependents and, transitively, everything waiting on them."""
        todo = list(first)
        while todo:
            dependent = todo.pop()
            if dependent not in self.refs:
                continue
            self._drop(dependent)
            into.append(dependent)
            todo += self.dependents.pop(dependent, [])

    def take(self, task_id: int) -> list[list[object]]:
        """The ``[dep_id, payload]`` pairs a ready dependent is dispatched with."""
        deps = set(self.refs.pop(task_id))
        pairs: list[list[object]] = [[dep, self.results[dep]] for dep in sorted(deps)]
        for dep in deps:
            self._holders[dep] -= 1
            if self._holders[dep] == 0:
                self._release(dep)
        return pairs

    def awaited(self, task_id: int) -> list[int]:
        """The dependencies a waiting dependent still waits on (their results not in)."""
        return sorted(dep for dep in set(self.refs[task_id]) if dep not in self.results)

    def pairs(self, task_id: int) -> list[list[object]]:
        """The ``[dep_id, payload]`` pairs of its finished dependencies, kept (not taken)."""
        deps = sorted(set(self.refs[task_id]))
        return [[dep, self.results[dep]] for dep in deps if dep in self.results]

    def release(self, task_id: int) -> None:
        """A delegated dependent finished or is gone: the payloads it kept may go."""
        self._drop(task_id)

    def _drop(self, dependent: int) -> None:
        for dep in set(self.refs.pop(dependent, [])):
            if dep in self.results:
                self._holders[dep] -= 1
                if self._holders[dep] == 0:
                    self._release(dep)
        self.waiting.pop(dependent, None)

    def _release(self, dep: int) -> None:
        self.results.pop(dep, None)
        self._holders.pop(dep, None)
