"""Turns recorded events into one batch of rows in Parsl's schema (pure: no SQL, no threads).

Inputs, drained by the writer thread once per batch interval:

- the kernel observer's events (see :mod:`conveyor.kernel.observe`);
- pool reports (:class:`PoolTry`, :class:`PoolSample`, node dicts) from the HTEX client;
- block changes ``(label, block_id, job_id, status, time)`` from block managers.

Within a batch a task is one ``task`` row however many of its events the batch holds: a
task first seen in this batch is inserted whole, one inserted by an earlier batch gets an
update of what changed. A task that ended is written from its story (every transition with
its time), so its rows cost nothing on the kernel thread. Statuses are mapped to Parsl's names
(``DEP_FAILED`` -> ``dep_fail``; a retry's return to ``PENDING`` -> ``fail_retryable``;
``READY`` has no Parsl counterpart and is not written).
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

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
# A story (kernel/transitions.py) is ``<BBHd`` entries: from and to as numbers in the
# TaskState enum's order (255 for the submission's missing "from"), cause, time.
_entries = struct.Struct("<BBHd").iter_unpack
_NUMBER = {state: i for i, state in enumerate(TaskState)}
_NO_STATE = 255
_PENDING, _LAUNCHED, _FAILED = _NUMBER[S.PENDING], _NUMBER[S.LAUNCHED], _NUMBER[S.FAILED]
_RETRY_OR_FAIL = frozenset({_PENDING, _FAILED})
_DONE_NUMBERS = frozenset({_NUMBER[S.EXEC_DONE], _NUMBER[S.MEMO_DONE]})
#: Parsl's status name per state number (None for READY, which Parsl does not have)
_NAME_BY_NUMBER: tuple[str | None, ...] = tuple(_NAMES.get(state) for state in TaskState)
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
    #: whole rows; on conflict the kernel's columns (returned, fail_history) are updated
    tries: list[tuple[Any, ...]] = field(default_factory=list)
    #: (block_id, hostname, running, try_id, task_id, run_id) from the pools
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
        self._batch = Batch()

    # --- kernel events -------------------------------------------------------------

    def kernel_events(self, items: list[tuple[Any, ...]]) -> None:
        """Add the observer's events (kernel/observe.py), in the order they happened.

        A task that ended in this batch is written from its story alone: the status rows
        of its submission and launch events would only repeat it.
        """
        ended = {e[0] for e in items if len(e) == 6}
        status = self._batch.statuses.append
        run_id = self.run_id
        for e in items:
            task_id = e[0]
            if len(e) == 6:
                self._ended(e)
            elif len(e) == 3:
                self._tasks[task_id] = _task_row(e[1], e[2])
                if task_id not in ended:
                    status((task_id, "pending", stamp(e[2]), run_id, 0))
            elif task_id not in ended:
                _, try_id, t, executor = e
                status((task_id, "launched", stamp(t), run_id, try_id))
                self._batch.tries.append(
                    (
                        try_id,
                        task_id,
                        run_id,
                        None,
                        None,
                        executor,
                        stamp(t),
                        None,
                        None,
                        None,
                        None,
                    )
                )

    def _ended(self, event: tuple[Any, ...]) -> None:
        task_id, log, executor, history, fail_count, fail_cost = event
        status = self._batch.statuses.append
        add_try = self._batch.tries.append
        run_id = self.run_id
        try_id, launched_at, failures, last, when = -1, "", 0, _PENDING, ""
        for start, to, _, t in _entries(log):
            when = stamp(t)
            if last == _LAUNCHED:  # the try launched before ends here
                failed = to in _RETRY_OR_FAIL
                error = history[failures] if failed and failures < len(history) else None
                failures += failed
                add_try(
                    (try_id, task_id, run_id, None, None, executor, launched_at)
                    + (None, when, error, None)
                )
            elif to == _LAUNCHED:
                try_id, launched_at = try_id + 1, when
            last = to
            name = _NAME_BY_NUMBER[to]
            if name is not None:
                if to == _PENDING and start != _NO_STATE:
                    name = "fail_retryable"
                status((task_id, name, when, run_id, try_id if try_id > 0 else 0))
        if last in _DONE_NUMBERS:
            self.completed += 1
        else:
            self.failed += 1
        row = self._tasks.get(task_id)
        if row is None:
            self._tasks[task_id] = row = [False] + [None] * 14
        row[12], row[13], row[14] = when, fail_count, fail_cost

    # --- pools and blocks ----------------------------------------------------------

    def pool_tries(self, items: Iterable[PoolTry]) -> None:
        """Add worker-side times and places of tries (and their running statuses)."""
        status = self._batch.statuses.append
        update = self._batch.try_updates.append
        run_id = self.run_id
        for p in items:
            started = stamp(p.started)
            update((p.block_id, p.hostname, started, p.try_id, p.task_id, run_id))
            status((p.task_id, RUNNING, started, run_id, p.try_id))
            if p.ended:
                status((p.task_id, RUNNING_ENDED, stamp(p.ended), run_id, p.try_id))

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
            if row[0]:
                batch.new_tasks.append((task_id, run_id, *row[2:]))
            else:
                batch.task_updates.append((row[12], row[13], row[14], task_id, run_id))
        self._reset()
        return batch


def _task_row(call: Any, t: float) -> list[Any]:
    """A task row being gathered.

    Slots: is_new, (unused), then the task table's columns from task_depends to
    task_fail_cost (times already formatted).
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
