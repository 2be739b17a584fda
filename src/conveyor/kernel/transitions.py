"""The only function that writes a task's state, and the kernel-private task record.

``transition`` checks the move against :data:`~conveyor.kernel.states.ALLOWED`, appends
``(from, to, cause, time)`` to the record's story and counts states. Called only by the
kernel core, on the kernel thread.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conveyor.app.call import AppCall
from conveyor.elaborations.joins import Join
from conveyor.errors import InvalidTransition
from conveyor.kernel.record import Attempt, TaskView
from conveyor.kernel.states import ALLOWED_BY_VALUE, TaskState

__all__ = ["StoryEntry", "TaskRecord", "story_names", "transition"]

#: (from state, None for the submission entry; to state; cause; time)
StoryEntry = tuple[TaskState | None, TaskState, str, float]


@dataclass(slots=True)
class TaskRecord:
    """Kernel-private, mutable state of one task. Never leaves the kernel: see TaskView."""

    id: int
    call: AppCall
    state: TaskState = TaskState.PENDING
    #: (from, to, cause, time) for every state change
    story: list[StoryEntry] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    fail_count: int = 0
    fail_cost: float = 0.0
    fail_history: list[str] = field(default_factory=list)
    executor: str = ""
    #: futures still awaited (dependencies while PENDING, joined futures while JOINING)
    waiting: int = 0
    #: arguments with dependencies replaced by their values (set on READY)
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    join: Join | None = None
    time_invoked: float = field(default_factory=time.time)
    time_returned: float | None = None
    from_memo: bool = False

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
            fail_history=tuple(self.fail_history),
            attempts=tuple(self.attempts),
            resource_spec=call.resource_spec,
            time_invoked=self.time_invoked,
            time_returned=self.time_returned,
            from_memo=self.from_memo,
        )


def transition(record: TaskRecord, to: TaskState, cause: str) -> None:
    """Move ``record`` to ``to``, or raise InvalidTransition if the table forbids it."""
    start = record.state
    if to not in ALLOWED_BY_VALUE[start._value_]:
        raise InvalidTransition(record.id, start.name, to.name, story_names(record.story))
    record.state = to
    record.story.append((start, to, cause, time.time()))


def story_names(
    story: Sequence[StoryEntry],
) -> list[tuple[str, str, str, float]]:
    """The story with state names (``"NEW"`` for the submission entry)."""
    return [(a.name if a is not None else "NEW", b.name, cause, t) for a, b, cause, t in story]
