"""Retry policy: after a failed attempt, decide whether to run the task again.

Called by the kernel core when an attempt fails (or cannot be launched). Pure apart from
the user's ``retry_handler``: the budget is ``Config.retries``; each failure costs 1, or
what ``retry_handler(exception, task_view)`` returns; the task is retried while the total
cost stays within the budget (Parsl's semantics). A DependencyError is never retried. A
raising handler gives up, and its error becomes the task's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conveyor.errors import DependencyError
from conveyor.kernel.record import TaskView

__all__ = ["GiveUp", "Retry", "RetryPolicy"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Retry:
    """Run the task again; ``cost`` is what this failure added."""

    cost: float


@dataclass(frozen=True, slots=True)
class GiveUp:
    """Fail the task with ``error``; ``cost`` is what this failure added."""

    cost: float
    error: BaseException


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """The retry budget and the optional user cost function."""

    retries: int = 0
    handler: Callable[[BaseException, Any], float] | None = None

    def judge(self, view: TaskView, error: BaseException) -> Retry | GiveUp:
        """Decide for a task that just failed with ``error``.

        ``view`` already counts this failure in ``fail_count`` (not yet in ``fail_cost``).
        The handler is called after every failure, whatever the budget (as Parsl); if it
        raises, the task fails with the handler's exception and is not retried.
        """
        try:
            cost = 1.0 if self.handler is None else float(self.handler(error, view))
        except Exception as handler_error:  # noqa: BLE001 - becomes the task's error
            logger.exception("retry_handler raised for task %s; not retrying", view.id)
            return GiveUp(float(self.retries) + 1.0 - view.fail_cost, handler_error)
        if not isinstance(error, DependencyError) and view.fail_cost + cost <= self.retries:
            return Retry(cost)
        return GiveUp(cost, error)
