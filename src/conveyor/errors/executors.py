"""Errors any executor raises: bad state, unsupported features, scaling, resource specs."""

from __future__ import annotations

from collections.abc import Sequence

from conveyor.errors.base import ConveyorError

__all__ = [
    "BadStateException",
    "ExecutorError",
    "InvalidResourceSpecification",
    "ScalingFailed",
    "TooManyJobFailuresError",
    "UnsupportedFeatureError",
]


class ExecutorError(ConveyorError):
    """Raised by an executor; ``executor`` is the executor's label."""

    def __init__(self, executor: object, reason: str) -> None:
        label = str(getattr(executor, "label", executor))
        super().__init__(label, reason)
        self.executor = label
        self.reason = reason

    def __str__(self) -> str:
        return f"Executor {self.executor} failed due to: {self.reason}"


class BadStateException(ExecutorError):
    """Raised for tasks of an executor that has entered a bad state."""


class UnsupportedFeatureError(ExecutorError):
    """Raised when a feature is requested that the target executor does not support."""


class ScalingFailed(ExecutorError):
    """Raised when an executor could not scale out."""


class InvalidResourceSpecification(ExecutorError):
    """Raised when a task's resource specification has keys or values the executor rejects."""

    def __init__(self, invalid_keys: set[str] | Sequence[str], message: str = "") -> None:
        ConveyorError.__init__(self, set(invalid_keys), message)
        self.executor = ""
        self.invalid_keys = set(invalid_keys)
        self.reason = message or f"invalid resource specification keys: {sorted(self.invalid_keys)}"

    def __str__(self) -> str:
        return self.reason


class TooManyJobFailuresError(ConveyorError):
    """An executor's blocks failed too often (raised by block error handlers)."""
