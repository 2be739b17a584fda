"""Per-task log records with Parsl's ``extra`` keys (``parsl.task``, ``parsl.task_state``, ...).

Parsl logs every submission, dependency, state change and launch with structured extras,
and tools (and Parsl's own tests) read them from log handlers. Writing five records per
task into the run's log file would cost more than the kernel spends on the task, so
conveyor emits them only while somebody listens beyond its own log file: a handler on
the root logger (``logging.basicConfig``, pytest's log capture) with INFO enabled.
:func:`wanted` is checked once per kernel event, not per record.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from conveyor.kernel.states import PARSL_STATE, States, TaskState

__all__ = ["launched", "moved", "submitted", "wanted"]

logger = logging.getLogger("conveyor.kernel.tasks")


def wanted() -> bool:
    """True while a handler outside conveyor's own log file may want task records."""
    return bool(logging.root.handlers) and logger.isEnabledFor(logging.INFO)


def submitted(task_id: int, app_name: str, deps: Sequence[Future[Any]]) -> None:
    """A task arrived: its app, its dependencies and its first state."""
    from conveyor.elaborations.dependencies import describe_future
    from conveyor.futures import AppFuture

    extra: dict[str, Any]
    for dep in deps:  # never hasattr() on an AppFuture: it would lift the attribute
        if isinstance(dep, AppFuture):
            extra = {"parsl.task": task_id, "parsl.dependency_task": dep.tid}
            logger.info("Task %s has dependency task %s", task_id, dep.tid, extra=extra)
        else:
            extra = {"parsl.task": task_id, "parsl.dependency_object": repr(dep)}
            logger.info("Task %s has dependency future %r", task_id, dep, extra=extra)
    if deps:
        waiting = "waiting on " + ", ".join(describe_future(d) for d in deps)
    else:
        waiting = "not waiting on any dependency"
    extra = {"parsl.task": task_id, "parsl.app_name": app_name}
    logger.info("Task %s submitted for App %s, %s", task_id, app_name, waiting, extra=extra)
    extra = {"parsl.task": task_id, "parsl.task_state": "pending"}
    logger.info("Task %s initializing state to pending", task_id, extra=extra)


def moved(task_id: int, start: TaskState, to: TaskState) -> None:
    """A state change, in Parsl's state names (none when both map to the same one).

    A retry (back to PENDING) passes through Parsl's ``fail_retryable``, as Parsl logs it.
    """
    old, new = PARSL_STATE[start], PARSL_STATE[to]
    if to is TaskState.PENDING:
        _changed(task_id, old, States.fail_retryable)
        old = States.fail_retryable
    if old is not new:
        _changed(task_id, old, new)


def _changed(task_id: int, old: States, new: States) -> None:
    extra = {"parsl.task": task_id, "parsl.task_state": new.name}
    logger.info("Task %s changing state from %s to %s", task_id, old.name, new.name, extra=extra)


def launched(task_id: int, try_id: int, executor: str, executor_task: int | None) -> None:
    """The one record binding a try of the task to its executor.

    With the executor's own id for the task (``parsl.executor_task``) when it has one:
    HTEX's ids, from 1.
    """
    extra: dict[str, Any] = {"parsl.task": task_id, "parsl.try": try_id, "parsl.executor": executor}
    message, values = "Parsl task %s try %s launched on executor %s", [task_id, try_id, executor]
    if executor_task is not None:
        extra["parsl.executor_task"] = executor_task
        message += " with executor id %s"
        values.append(executor_task)
    logger.info(message, *values, extra=extra)
