"""Parsl's view of the kernel's tasks: ``dfk.tasks``, ``fut.task_record``, state counts.

Parsl code reads task records as dicts (``dfk.tasks[3]['status']``, ``fut.task_record['id']``,
``for r in dfk.tasks.values(): r['app_fu']``). conveyor's records are kernel-private, so
these read-only mappings answer Parsl's keys on demand from the live record (a fresh
:class:`~conveyor.kernel.record.TaskView`) or, once the kernel has forgotten the task,
from its AppFuture. Nothing here is kept per task.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from conveyor.kernel.record import TaskView
from conveyor.kernel.states import PARSL_STATE, States, TaskState

__all__ = ["ParslTaskRecord", "TaskTable", "state_counts"]

#: keys answered for a live task (Parsl's TaskRecord keys conveyor has)
_LIVE_KEYS = (
    "id",
    "func",
    "func_name",
    "args",
    "kwargs",
    "status",
    "executor",
    "fail_count",
    "fail_cost",
    "fail_history",
    "try_id",
    "memoize",
    "hashsum",
    "ignore_for_cache",
    "join",
    "resource_specification",
    "time_invoked",
    "time_returned",
    "from_memo",
    "app_fu",
    "dfk",
)
#: keys still answered once the kernel has forgotten the task
_FINISHED_KEYS = ("id", "func", "func_name", "status", "app_fu", "dfk", "hashsum")


class ParslTaskRecord(Mapping[str, Any]):
    """One task as Parsl's task-record dict (read-only; computed when read)."""

    __slots__ = ("_fut", "_kernel")

    def __init__(self, kernel: Any, fut: Any) -> None:
        self._kernel, self._fut = kernel, fut

    def _view(self) -> TaskView | None:
        core = getattr(self._kernel, "_core", None)
        rec = core.tasks.get(self._fut.tid) if core is not None else None
        return rec.view() if rec is not None else None

    def __getitem__(self, key: str) -> Any:
        fut = self._fut
        if key == "id":
            return fut.tid
        if key == "app_fu":
            return fut
        if key == "dfk":
            return self._kernel
        if key == "hashsum":
            return _hashsum(self._kernel, fut)
        view = self._view()
        if key == "status":
            state = view.state if view is not None else _final_state(fut)
            return PARSL_STATE[state] if state is not None else States.pending
        if view is not None and key in _LIVE_KEYS:
            return view[key]
        func = fut._func
        if key == "func" and func is not None:
            return func
        if key == "func_name" and func is not None:
            return getattr(func, "__name__", type(func).__name__)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(_LIVE_KEYS if self._view() is not None else _FINISHED_KEYS)

    def __len__(self) -> int:
        return len(_LIVE_KEYS if self._view() is not None else _FINISHED_KEYS)

    def __repr__(self) -> str:
        return f"<task record {self._fut.tid} {self['status'].name}>"


def _final_state(fut: Any) -> TaskState | None:
    from conveyor.kernel.transitions import last_state

    story = getattr(fut, "final_story", None)
    return last_state(story) if story else None


def _hashsum(kernel: Any, fut: Any) -> str | None:
    """The memo key: the kernel keeps it on the future of a finished memoized task."""
    kept: str | None = fut._hashsum
    if kept is not None:
        return kept
    found = getattr(getattr(kernel, "memoizer", None), "hashsum", None)
    return found(fut.tid) if callable(found) else None


class TaskTable(Mapping[int, ParslTaskRecord]):
    """``dfk.tasks``: the tasks submitted and not yet finished, by id.

    A task is listed from the moment its app call returns (before the kernel thread has
    looked at it) until its AppFuture completes, as in Parsl with ``garbage_collect``.
    """

    __slots__ = ("_kernel",)

    def __init__(self, kernel: Any) -> None:
        self._kernel = kernel

    def __getitem__(self, task_id: int) -> ParslTaskRecord:
        fut = self._kernel._futures.get(task_id)
        if fut is None:
            raise KeyError(task_id)
        return ParslTaskRecord(self._kernel, fut)

    def __iter__(self) -> Iterator[int]:
        return iter(list(self._kernel._futures))

    def __len__(self) -> int:
        return len(self._kernel._futures)


def state_counts(
    live: Mapping[TaskState, int], ended: Mapping[TaskState, int]
) -> dict[States, int]:
    """Parsl's ``dfk.task_state_counts``: tasks per Parsl state, every state listed."""
    counts = dict.fromkeys(States, 0)
    for table in (live, ended):
        for state, n in table.items():
            counts[PARSL_STATE[state]] += n
    return counts
