"""The only function that writes a task's state, and the kernel-private task record.

``transition`` checks the move against :data:`~conveyor.kernel.states.ALLOWED` and appends
``(from, to, cause, time)`` to the record's story. Called only by the kernel core, while
it holds the kernel.

A story is kept compact, as ``bytes``: 12 bytes per entry (from and to state numbers, a
cause number from a small table of cause strings, the time as a double). With a million
tasks in flight a list of tuples of floats was a large part of the submitter's memory.
``decode_story`` turns it back into ``(from, to, cause, time)`` tuples.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Mapping, Sequence
from typing import Any

from conveyor.app.call import AppCall
from conveyor.elaborations.joins import Join
from conveyor.errors import InvalidTransition
from conveyor.kernel.record import Attempt, TaskView
from conveyor.kernel.states import ALLOWED_BY_VALUE, TaskState

__all__ = [
    "StoryEntry",
    "TaskRecord",
    "decode_story",
    "record_entry",
    "story_names",
    "transition",
]

#: (from state, None for the submission entry; to state; cause; time)
StoryEntry = tuple[TaskState | None, TaskState, str, float]

_ENTRY = struct.Struct("<BBHd")
_STATES: tuple[TaskState, ...] = tuple(TaskState)
_NUMBER = {s.value: i for i, s in enumerate(_STATES)}
_NO_STATE = 255
#: cause strings by number, and back (causes are a small fixed vocabulary of the core)
_CAUSES: list[str] = []
_CAUSE_NUMBER: dict[str, int] = {}


def _cause_number(cause: str) -> int:
    number = _CAUSE_NUMBER.get(cause)
    if number is None:
        number = _CAUSE_NUMBER.setdefault(cause, len(_CAUSES))
        if number == len(_CAUSES):
            _CAUSES.append(cause)
    return number


class TaskRecord:
    """Kernel-private, mutable state of one task. Never leaves the kernel: see TaskView."""

    __slots__ = (
        "args",
        "attempts",
        "call",
        "executor",
        "fail_cost",
        "fail_count",
        "fail_history",
        "from_memo",
        "hashsum",
        "id",
        "join",
        "kwargs",
        "log",
        "state",
        "time_returned",
        "waiting",
    )

    def __init__(self, id: int, call: AppCall) -> None:  # noqa: A002 - Parsl's key name
        self.id = id
        self.call = call
        self.state = TaskState.PENDING
        #: the story, encoded (see the module docstring); ``story`` decodes it
        self.log = b""
        self.attempts: tuple[Attempt, ...] = ()
        self.fail_count = 0
        self.fail_cost = 0.0
        self.fail_history: tuple[str, ...] = ()
        self.executor = ""
        #: futures still awaited (dependencies while PENDING, joined futures while JOINING)
        self.waiting = 0
        #: arguments with dependencies replaced by their values (set on READY)
        self.args: tuple[Any, ...] = ()
        self.kwargs: Mapping[str, Any] = _NO_KWARGS
        self.join: Join | None = None
        self.time_returned: float | None = None
        self.from_memo = False
        #: the memo key, once the memoizer has computed one
        self.hashsum: str | None = None

    @property
    def story(self) -> list[StoryEntry]:
        """``(from, to, cause, time)`` for every state change."""
        return decode_story(self.log)

    @property
    def time_invoked(self) -> float:
        """When the task was submitted (the time of its first story entry)."""
        return _ENTRY.unpack_from(self.log)[3] if self.log else time.time()

    def view(self) -> TaskView:
        """A frozen snapshot for elaborations, observers and retry handlers."""
        call = self.call
        return TaskView(
            id=self.id,
            func_name=call.func_name,
            func=call.func,
            args=self.args or call.args,
            kwargs=self.kwargs or dict(call.kwargs),
            state=self.state,
            options=call.options,
            executor=self.executor,
            fail_count=self.fail_count,
            fail_cost=self.fail_cost,
            fail_history=self.fail_history,
            attempts=self.attempts,
            resource_spec=call.resource_spec,
            time_invoked=self.time_invoked,
            time_returned=self.time_returned,
            from_memo=self.from_memo,
            hashsum=self.hashsum,
        )


#: the kwargs of a record before READY (shared; never written)
_NO_KWARGS: Mapping[str, Any] = {}


def record_entry(record: TaskRecord, start: TaskState | None, to: TaskState, cause: str) -> None:
    """Append one entry to the record's story (``transition`` and the submission entry)."""
    first = _NO_STATE if start is None else _NUMBER[start._value_]
    record.log += _ENTRY.pack(first, _NUMBER[to._value_], _cause_number(cause), time.time())


def transition(record: TaskRecord, to: TaskState, cause: str) -> None:
    """Move ``record`` to ``to``, or raise InvalidTransition if the table forbids it."""
    start = record.state
    if to not in ALLOWED_BY_VALUE[start._value_]:
        raise InvalidTransition(record.id, start.name, to.name, story_names(record.log))
    record.state = to
    record_entry(record, start, to, cause)


def decode_story(log: bytes) -> list[StoryEntry]:
    """The entries of an encoded story."""
    return [
        (None if a == _NO_STATE else _STATES[a], _STATES[b], _CAUSES[c], t)
        for a, b, c, t in _ENTRY.iter_unpack(log)
    ]


def last_state(log: bytes) -> TaskState | None:
    """The state the last entry of an encoded story moved to (None for an empty story)."""
    return _STATES[log[-11]] if log else None


def story_names(
    story: bytes | Sequence[StoryEntry],
) -> list[tuple[str, str, str, float]]:
    """The story (encoded, or as entries) with state names (``"NEW"`` for the submission)."""
    entries = decode_story(story) if isinstance(story, bytes) else story
    return [(a.name if a is not None else "NEW", b.name, cause, t) for a, b, cause, t in entries]
