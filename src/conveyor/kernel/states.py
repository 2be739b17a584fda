"""Task states and the table of legal transitions: the single source of truth.

``transition()`` in :mod:`conveyor.kernel.transitions` is the only writer of a task's
state and checks every move against :data:`ALLOWED`. docs/states.md is checked against
this table by a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, IntEnum

__all__ = [
    "ALLOWED",
    "FINAL_FAILURE_STATES",
    "FINAL_STATES",
    "PARSL_STATE",
    "TERMINAL",
    "States",
    "TaskState",
]


class TaskState(Enum):
    """States the kernel moves a task through; values are persisted by name."""

    #: waiting for the futures among its arguments
    PENDING = "pending"
    #: dependencies resolved; about to consult the memoizer and launch
    READY = "ready"
    #: handed to an executor; an attempt is running
    LAUNCHED = "launched"
    #: a join app returned futures; waiting for them
    JOINING = "joining"
    #: finished by running it (terminal)
    EXEC_DONE = "exec_done"
    #: finished from the memo table or a checkpoint without running (terminal)
    MEMO_DONE = "memo_done"
    #: failed and no retries left (terminal)
    FAILED = "failed"
    #: a dependency failed, so it never ran (terminal)
    DEP_FAILED = "dep_failed"

    @property
    def terminal(self) -> bool:
        """True for states a task never leaves."""
        return self._value_ in _TERMINAL_VALUES

    def __str__(self) -> str:
        return self.name


TERMINAL: frozenset[TaskState] = frozenset(
    {TaskState.EXEC_DONE, TaskState.MEMO_DONE, TaskState.FAILED, TaskState.DEP_FAILED}
)

S = TaskState
#: from-state -> the states it may move to
ALLOWED: Mapping[TaskState, frozenset[TaskState]] = {
    S.PENDING: frozenset({S.READY, S.DEP_FAILED, S.FAILED}),
    S.READY: frozenset({S.LAUNCHED, S.MEMO_DONE, S.PENDING, S.FAILED}),
    S.LAUNCHED: frozenset({S.EXEC_DONE, S.JOINING, S.PENDING, S.FAILED}),
    S.JOINING: frozenset({S.EXEC_DONE, S.FAILED}),
    S.EXEC_DONE: frozenset(),
    S.MEMO_DONE: frozenset(),
    S.FAILED: frozenset(),
    S.DEP_FAILED: frozenset(),
}
del S

# Hot-path forms of the same table, keyed by value (str hashing is much cheaper than
# Enum member hashing); membership in a tuple compares by identity.
_TERMINAL_VALUES = frozenset(s.value for s in TERMINAL)
ALLOWED_BY_VALUE: Mapping[str, tuple[TaskState, ...]] = {
    k.value: tuple(v) for k, v in ALLOWED.items()
}


class States(IntEnum):
    """Parsl's task states (names and numbers as ``parsl.dataflow.states.States``).

    conveyor's kernel moves tasks through :class:`TaskState`; :data:`PARSL_STATE` says which
    Parsl state each one is reported as (``dfk.task_state_counts``, ``task_record['status']``).
    ``running`` and ``running_ended`` are only ever seen by monitoring, as in Parsl.
    """

    pending = 0
    running = 2
    exec_done = 3
    failed = 4
    dep_fail = 5
    launched = 7
    fail_retryable = 8
    memo_done = 9
    joining = 10
    running_ended = 11

    def __str__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


FINAL_FAILURE_STATES: frozenset[States] = frozenset({States.failed, States.dep_fail})
FINAL_STATES: frozenset[States] = frozenset(
    {States.exec_done, States.memo_done, *FINAL_FAILURE_STATES}
)

#: the Parsl state each conveyor state is reported as (READY is Parsl's pending)
PARSL_STATE: Mapping[TaskState, States] = {
    TaskState.PENDING: States.pending,
    TaskState.READY: States.pending,
    TaskState.LAUNCHED: States.launched,
    TaskState.JOINING: States.joining,
    TaskState.EXEC_DONE: States.exec_done,
    TaskState.MEMO_DONE: States.memo_done,
    TaskState.FAILED: States.failed,
    TaskState.DEP_FAILED: States.dep_fail,
}
