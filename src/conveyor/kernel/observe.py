"""The kernel's observer point: where each task transition is reported while monitoring is on.

``KernelCore.observer`` is None unless a monitoring hub is configured, so with monitoring
off a transition costs one attribute test. With it on, the kernel thread only appends one
small tuple per transition to a deque (:class:`TransitionObserver`); everything else
(naming, rows, SQL) happens on the monitoring writer's thread, in batches.

A recorded transition is a :data:`Transition` tuple::

    (task_id, to_state, time, attempts, fail_count, fail_cost, call)

``attempts`` is the record's tuple of frozen :class:`~conveyor.kernel.record.Attempt`
(immutable, so sharing it is safe); ``call`` is the task's ``AppCall`` on its first entry
(the submission, to ``PENDING`` with no attempt yet) and None afterwards.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any, Protocol

from conveyor.kernel.states import TaskState
from conveyor.kernel.transitions import TaskRecord

__all__ = ["TaskObserver", "Transition", "TransitionObserver"]

Transition = tuple[int, TaskState, float, tuple[Any, ...], int, float, Any]


class TaskObserver(Protocol):
    """What the kernel core calls after every transition (on the kernel thread)."""

    def moved(self, rec: TaskRecord, to: TaskState) -> None:
        """``rec`` has just moved to ``to``; must be cheap and must not raise."""


class TransitionObserver:
    """Appends one :data:`Transition` per state change to ``events`` (thread-safe deque)."""

    __slots__ = ("events",)

    def __init__(self, events: deque[Transition]) -> None:
        self.events = events

    def moved(self, rec: TaskRecord, to: TaskState) -> None:
        """Record the transition; the submission entry also carries the call."""
        attempts = rec.attempts
        first = to is TaskState.PENDING and not attempts and len(rec.log) <= 12
        self.events.append(
            (
                rec.id,
                to,
                time.time(),
                attempts,
                rec.fail_count,
                rec.fail_cost,
                rec.call if first else None,
            )
        )
