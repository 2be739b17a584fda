"""Turns recorded events into one batch of rows in Parsl's schema (pure: no SQL, no threads).

Inputs, drained by the writer thread once per batch interval:

- kernel transitions (:data:`conveyor.kernel.observe.Transition` tuples);
- pool reports (:class:`PoolTry`, :class:`PoolSample`, node dicts) from the HTEX client;
- block changes ``(label, block_id, job_id, status, time)`` from block managers.

Within a batch a task is one ``task`` row and a try one ``try`` row however many of its
events the batch holds: rows first seen in this batch are inserted whole, rows inserted by
an earlier batch get an update of what changed. Statuses are mapped to Parsl's names
(``DEP_FAILED`` -> ``dep_fail``; a retry's return to ``PENDING`` -> ``fail_retryable``;
``READY`` has no Parsl counterpart and is not written).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from conveyor.kernel.observe import Transition
from conveyor.kernel.states import TaskState
from conveyor.monitoring.schema import format_time as stamp

__all__ = ["Batch", "BlockChange", "PoolSample", "PoolTry", "RowBuilder"]

S = TaskState
_NAMES: Mapping[TaskState, str] = {
    S.PENDING: "pending",
    S.LAUNCHED: "launched",
    S.JOINING: "joining",
    S.EXEC_DONE: "exec_done",
    S.MEMO_DONE: "memo_done",
    S.FAILED: "failed",
    S.DEP_FAILED: "dep_fail",
}
_DONE = frozenset({S.EXEC_DONE, S.MEMO_DONE})
_FAILED = frozenset({S.FAILED, S.DEP_FAILED})
#: Parsl's names of the task states a ``try`` row's worker-side times stand for
RUNNING, RUNNING_ENDED = "running", "running_ended"


class PoolTry(NamedTuple):
    """A worker ran try ``try_id`` of task ``task_id`` on ``hostname`` in ``block_id``."""

    task_id: int
    try_id: int
    hostname: str
    block_id: str
    started: float
    #: 0.0 while still running
    ended: float


class PoolSample(NamedTuple):
    """One psutil sample of the process tree of the worker running a try."""

    task_id: int
    try_id: int
    values: tuple[Any, ...]


class BlockChange(NamedTuple):
    """A block of executor ``label`` reached ``status`` (a JobState name)."""

    label: str
    block_id: str
    job_id: str | None
    status: str
    time: float


@dataclass
class Batch:
    """Rows of one batch, per statement the writer runs."""

    new_tasks: list[tuple[Any, ...]] = field(default_factory=list)
    #: (time_returned, fail_count, fail_cost, task_id, run_id)
    task_updates: list[tuple[Any, ...]] = field(default_factory=list)
    new_tries: list[tuple[Any, ...]] = field(default_factory=list)
    #: (block_id, hostname, running, returned, fail_history, try_id, task_id, run_id)
    try_updates: list[tuple[Any, ...]] = field(default_factory=list)
    statuses: list[tuple[Any, ...]] = field(default_factory=list)
    resources: list[tuple[Any, ...]] = field(default_factory=list)
    nodes: list[tuple[Any, ...]] = field(default_factory=list)
    blocks: list[tuple[Any, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(v) for v in vars(self).values())


class RowBuilder:
    """Accumulates one batch; ``take()`` returns it and starts the next."""

    def __init__(self, run_id: str, interval: float) -> None:
        self.run_id = run_id
        self.interval = interval
        self.completed = 0
        self.failed = 0
        self._reset()

    def _reset(self) -> None:
        #: task_id -> [is_new, row values...] (see _task_row)
        self._tasks: dict[int, list[Any]] = {}
        #: (task_id, try_id) -> [is_new, executor, launched, block, host, running, returned, error]
        self._tries: dict[tuple[int, int], list[Any]] = {}
        self._batch = Batch()

    # --- kernel transitions --------------------------------------------------------

    def transitions(self, items: Iterable[Transition]) -> None:
        """Add kernel transitions (in the order they happened)."""
        status = self._batch.statuses.append
        run_id = self.run_id
        for task_id, to, t, attempts, fail_count, fail_cost, call in items:
            try_id = len(attempts) - 1 if attempts else 0
            if call is not None:
                self._tasks[task_id] = _task_row(task_id, call, t)
            if to is S.PENDING and attempts:
                status((task_id, "fail_retryable", stamp(t), run_id, try_id))
            elif to is not S.READY:
                status((task_id, _NAMES[to], stamp(t), run_id, try_id))
            if attempts:
                self._attempt(task_id, attempts[-1])
            if to in _DONE or to in _FAILED:
                self._ended(task_id, to, t, fail_count, fail_cost)

    def _attempt(self, task_id: int, attempt: Any) -> None:
        key = (task_id, attempt.try_id)
        row = self._tries.get(key)
        if row is None:
            row = self._tries[key] = [True, None, None, None, None, None, None, None]
        row[1], row[2] = attempt.executor, attempt.time_launched
        if attempt.time_returned is not None:
            row[6], row[7] = attempt.time_returned, attempt.error

    def _ended(self, task_id: int, to: TaskState, t: float, count: int, cost: float) -> None:
        if to in _DONE:
            self.completed += 1
        else:
            self.failed += 1
        row = self._tasks.get(task_id)
        if row is None:
            self._tasks[task_id] = row = [False] + [None] * 15
        row[13], row[14], row[15] = t, count, cost

    # --- pools and blocks ----------------------------------------------------------

    def pool_tries(self, items: Iterable[PoolTry]) -> None:
        """Add worker-side times and places of tries (and their running statuses)."""
        status = self._batch.statuses.append
        for p in items:
            key = (p.task_id, p.try_id)
            row = self._tries.get(key)
            if row is None:
                row = self._tries[key] = [False, None, None, None, None, None, None, None]
            row[3], row[4], row[5] = p.block_id, p.hostname, p.started
            status((p.task_id, RUNNING, stamp(p.started), self.run_id, p.try_id))
            if p.ended:
                status((p.task_id, RUNNING_ENDED, stamp(p.ended), self.run_id, p.try_id))

    def samples(self, items: Iterable[PoolSample], when: float) -> None:
        """Add resource samples; ``values`` follow the resource table after ``timestamp``."""
        add = self._batch.resources.append
        for s in items:
            t, *rest = s.values
            add((s.try_id, s.task_id, self.run_id, stamp(t or when), self.interval, *rest))

    def node(self, info: Mapping[str, Any]) -> None:
        """Add one node row (a pool that started, or stopped when ``active`` is false)."""
        t = stamp(float(info.get("timestamp") or time.time()))
        self._batch.nodes.append(
            (
                self.run_id,
                str(info.get("hostname", "")),
                str(info.get("uid", "")),
                str(info.get("block_id", "")),
                int(info.get("cpu_count", 0)),
                int(info.get("total_memory", 0)),
                bool(info.get("active", True)),
                int(info.get("worker_count", 0)),
                str(info.get("python_v", "")),
                t,
                t,
            )
        )

    def blocks(self, items: Iterable[BlockChange]) -> None:
        """Add block rows."""
        add = self._batch.blocks.append
        for b in items:
            add((self.run_id, b.label, b.block_id, b.job_id, stamp(b.time), b.status))

    # --- the batch -----------------------------------------------------------------

    def take(self) -> Batch:
        """The rows gathered since the last take."""
        batch = self._batch
        run_id = self.run_id
        for task_id, row in self._tasks.items():
            returned = None if row[13] is None else stamp(row[13])
            if row[0]:
                batch.new_tasks.append((task_id, run_id, *row[2:12], returned, *row[14:]))
            else:
                batch.task_updates.append((returned, row[14], row[15], task_id, run_id))
        for (task_id, try_id), r in self._tries.items():
            times = [None if v is None else stamp(v) for v in (r[2], r[5], r[6])]
            if r[0]:
                batch.new_tries.append(
                    (try_id, task_id, run_id, r[3], r[4], r[1] or "", *times, r[7], None)
                )
            else:
                batch.try_updates.append(
                    (r[3], r[4], times[1], times[2], r[7], try_id, task_id, run_id)
                )
        self._reset()
        return batch


def _task_row(task_id: int, call: Any, t: float) -> list[Any]:
    """A task row being gathered.

    Slots: is_new, (unused), task_depends, func_name, memoize, hashsum, inputs, outputs,
    stdin, stdout, stderr, time_invoked, (unused), time_returned, fail_count, fail_cost.
    """
    kwargs = call.kwargs
    depends = _depends(call.args, kwargs)
    return [
        True,
        None,
        depends,
        call.func_name or getattr(call.func, "__name__", "?"),
        str(bool(call.options.cache)),
        None,
        _text(kwargs.get("inputs")),
        _text(kwargs.get("outputs")),
        _text(kwargs.get("stdin")),
        _text(kwargs.get("stdout")),
        _text(kwargs.get("stderr")),
        stamp(t),
        None,
        None,
        0,
        0.0,
    ]


def _depends(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str | None:
    if not args and not kwargs:
        return None
    ids = [str(a.tid) for a in (*args, *kwargs.values()) if hasattr(a, "tid")]
    for extra in (kwargs.get("inputs") or ()) if isinstance(kwargs.get("inputs"), list) else ():
        if hasattr(extra, "tid"):
            ids.append(str(extra.tid))
    return ",".join(ids) if ids else None


def _text(value: Any) -> str | None:
    if value is None or value == []:
        return None
    if isinstance(value, tuple):
        value = value[0]
    return str(value)
