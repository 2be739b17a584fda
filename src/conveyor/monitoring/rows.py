"""Turns recorded events into one batch of rows in Parsl's schema (pure: no SQL, no threads).

Inputs, sent to the writer process once per batch interval (see :mod:`.process`):

- the kernel observer's events (see :mod:`conveyor.kernel.observe`);
- pool reports (:class:`PoolTry`, :class:`PoolSample`, node dicts) from the HTEX client;
- block changes ``(label, block_id, job_id, status, time)`` from block managers.

Within a batch a task is one ``task`` row however many of its events the batch holds: a
task first seen in this batch is inserted whole, one inserted by an earlier batch gets an
update of what changed. A task that ended is written from its story (every transition with
its time), so its rows cost nothing on the kernel thread. Times are formatted here, as the
database stores them (:func:`~conveyor.monitoring.schema.format_time`: the date part once
per second), in the writer process. Statuses are mapped to Parsl's names
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
_NO_PLACE = (None, None, None)
#: the JobState names of a block that ended (providers/states.py's TERMINAL_STATES)
_ENDED_BLOCK = frozenset({"CANCELLED", "COMPLETED", "FAILED", "TIMEOUT", "MISSING", "SCALED_IN"})
#: a task whose submission was written by an earlier batch
_NOT_SEEN = (False, None, None)
#: the length of a task's end event (kernel/observe.py)
_ENDED = 8
#: where the memo key and the inputs are among the call facts (observe.call_facts)
_HASHSUM, _INPUTS = 3, 4


def _with_late_facts(
    facts: tuple[Any, ...], hashsum: str | None, inputs: str | None
) -> tuple[Any, ...]:
    """The call facts with what was known only at the task's end: memo key, resolved inputs."""
    late = list(facts)
    if hashsum is not None:
        late[_HASHSUM] = hashsum
    if inputs is not None:
        late[_INPUTS] = inputs
    return tuple(late)


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
    #: (time_returned, fail_count, fail_cost, task_id, run_id, hashsum, inputs); the last
    #: two None when unchanged
    task_updates: list[tuple[Any, ...]] = field(default_factory=list)
    #: whole rows; on conflict the kernel's columns (returned, fail_history) are updated
    tries: list[tuple[Any, ...]] = field(default_factory=list)
    #: (block_id, hostname, running, try_id, task_id, run_id) from the pools
    try_updates: list[tuple[Any, ...]] = field(default_factory=list)
    statuses: list[tuple[Any, ...]] = field(default_factory=list)
    resources: list[tuple[Any, ...]] = field(default_factory=list)
    nodes: list[tuple[Any, ...]] = field(default_factory=list)
    #: (last_heartbeat, run_id, block_id) of blocks that ended: their nodes go inactive
    node_ends: list[tuple[Any, ...]] = field(default_factory=list)
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
        #: task_id -> (is_new, call facts, invoked, returned, fail_count, fail_cost, hashsum,
        #: resolved inputs), times formatted; tuples of plain values, which the garbage
        #: collector stops tracking
        self._tasks: dict[int, tuple[Any, ...]] = {}
        #: (task_id, try_id) -> (block_id, hostname, running) from pools, not yet in a row
        self._places: dict[tuple[int, int], tuple[str, str, str]] = {}
        self._batch = Batch()

    # --- kernel events -------------------------------------------------------------

    def kernel_events(self, items: list[tuple[Any, ...]]) -> None:
        """Add the observer's events (kernel/observe.py), in the order they happened.

        A task that ended in this batch is written from its story alone: the status rows
        of its submission and launch events would only repeat it.
        """
        ended = {e[0] for e in items if len(e) == _ENDED}
        status = self._batch.statuses.append
        run_id = self.run_id
        for e in items:
            task_id = e[0]
            if len(e) == _ENDED:
                self._ended(e)
            elif len(e) == 3:
                invoked = stamp(e[2])
                self._tasks[task_id] = (True, e[1], invoked, None, 0, 0.0, None, None)
                if task_id not in ended:
                    status((task_id, "pending", invoked, run_id, 0))
            elif task_id not in ended:
                _, try_id, t, executor = e
                launched = stamp(t)
                status((task_id, "launched", launched, run_id, try_id))
                self._batch.tries.append(self._try(task_id, try_id, executor, launched, None, None))

    def _try(
        self, task_id: int, try_id: int, executor: str, launched: str, returned: Any, error: Any
    ) -> tuple[Any, ...]:
        """A whole try row, with the pool's block, host and running time when known."""
        block, host, running = self._places.pop((task_id, try_id), _NO_PLACE)
        times = (launched, running, returned)
        return (try_id, task_id, self.run_id, block, host, executor, *times, error, None)

    def _ended(self, event: tuple[Any, ...]) -> None:
        """Statuses and tries from a finished task's story; each time formatted once."""
        task_id, log, executor, history, fail_count, fail_cost, hashsum, inputs = event
        status = self._batch.statuses.append
        add_try = self._batch.tries.append
        run_id = self.run_id
        row = self._tasks.get(task_id, _NOT_SEEN)
        try_id, launched, failures, last, text = -1, "", 0, _PENDING, ""
        for start, to, _, t in _entries(log):
            name = _NAME_BY_NUMBER[to]
            if name is None:  # READY: no status row, and no try ends there
                last = to
                continue
            # the submission's time is the task row's (already formatted when new here)
            text = row[2] if start == _NO_STATE and row[0] else stamp(t)
            if last == _LAUNCHED:  # the try launched before ends here
                failed = to in _RETRY_OR_FAIL
                error = history[failures] if failed and failures < len(history) else None
                failures += failed
                add_try(self._try(task_id, try_id, executor, launched, text, error))
            elif to == _LAUNCHED:
                try_id, launched = try_id + 1, text
            last = to
            if to == _PENDING and start != _NO_STATE:
                name = "fail_retryable"
            status((task_id, name, text, run_id, try_id if try_id > 0 else 0))
        if last in _DONE_NUMBERS:
            self.completed += 1
        else:
            self.failed += 1
        self._tasks[task_id] = (
            row[0],
            row[1],
            row[2],
            text,
            fail_count,
            fail_cost,
            hashsum,
            inputs,
        )

    # --- pools and blocks ----------------------------------------------------------

    def pool_tries(self, items: Iterable[PoolTry]) -> None:
        """Add worker-side times and places of tries (and their running statuses).

        Call before :meth:`kernel_events` of the same batch: a try row made in this batch
        takes its place; the others become updates of rows written before.
        """
        status = self._batch.statuses.append
        places = self._places
        run_id = self.run_id
        for p in items:
            started = stamp(p.started)
            places[(p.task_id, p.try_id)] = (p.block_id, p.hostname, started)
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
        """Add block rows; the nodes of a block that ended become inactive.

        (The node table has no executor label: two executors' blocks of the same id
        share their nodes' fate.)
        """
        add = self._batch.blocks.append
        for b in items:
            t = stamp(b.time)
            add((self.run_id, b.label, b.block_id, b.job_id, t, b.status))
            if b.status in _ENDED_BLOCK:
                self._batch.node_ends.append((t, self.run_id, b.block_id))

    # --- the batch -----------------------------------------------------------------

    def take(self) -> Batch:
        """The rows gathered since the last take."""
        batch = self._batch
        run_id = self.run_id
        for task_id, (new, facts, invoked, returned, count, cost, *late) in self._tasks.items():
            if new:
                if late[0] is not None or late[1] is not None:
                    facts = _with_late_facts(facts, *late)
                batch.new_tasks.append((task_id, run_id, *facts, invoked, returned, count, cost))
            else:
                batch.task_updates.append((returned, count, cost, task_id, run_id, *late))
        for (task_id, try_id), (block, host, running) in self._places.items():
            batch.try_updates.append((block, host, running, try_id, task_id, run_id))
        self._reset()
        return batch
