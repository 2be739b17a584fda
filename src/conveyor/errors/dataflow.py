"""Errors the dataflow kernel raises: failed dependencies and joins, bad checkpoints."""

from __future__ import annotations

from collections.abc import Sequence

from conveyor.errors.base import ConveyorError

__all__ = [
    "BadCheckpoint",
    "DataFlowException",
    "DependencyError",
    "JoinError",
    "PropagatedException",
]


class DataFlowException(ConveyorError):
    """Base of errors raised by the dataflow kernel itself."""


class BadCheckpoint(DataFlowException):
    """Raised when a checkpoint cannot be read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PropagatedException(DataFlowException):
    """A task failed because other tasks it relied on failed.

    ``dependent_exceptions_tids`` holds ``(exception, description)`` pairs (``"task 3"``,
    ``"DataFuture from task 3"`` or the repr of another future). ``__cause__`` is the root
    exception, found by following the first failed dependency down; the message names
    that path (``... via task 2 <- task 1``), as Parsl's does.
    """

    kind = "Propagated"

    def __init__(
        self, dependent_exceptions_tids: Sequence[tuple[BaseException, str | None]], task_id: int
    ) -> None:
        super().__init__(list(dependent_exceptions_tids), task_id)
        self.dependent_exceptions_tids = list(dependent_exceptions_tids)
        self.task_id = task_id
        self.__cause__, self._cause_sequence = self._find_any_root_cause()

    def _find_any_root_cause(self) -> tuple[BaseException, list[str]]:
        e: BaseException = self
        path: list[str] = []
        while isinstance(e, PropagatedException) and e.dependent_exceptions_tids:
            first, description = e.dependent_exceptions_tids[0]
            text = description if description is not None else "<unknown>"
            if len(e.dependent_exceptions_tids) > 1:
                text += " (+ others)"
            path.append(text)
            e = first
        return e, path

    def __str__(self) -> str:
        via = " <- ".join(self._cause_sequence)
        return f"{self.kind} failure for task {self.task_id}. The representative cause is via {via}"


class DependencyError(PropagatedException):
    """Raised (without running the task) when one of the task's dependencies failed."""

    kind = "Dependency"


class JoinError(PropagatedException):
    """Raised when a task returned by a ``join_app`` failed."""

    kind = "Join"
