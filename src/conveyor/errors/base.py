"""The root of conveyor's exceptions and the errors any layer may raise.

Pickling rule (for every module of this package): each exception passes exactly its
constructor arguments, in order, to ``Exception.__init__``, so the default
``cls(*self.args)`` reconstruction works when an exception crosses a process boundary
(worker -> pool -> interchange -> client).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "ConfigurationError",
    "ConveyorError",
    "InternalConsistencyError",
    "InternalError",
    "InvalidTransition",
    "NoDataFlowKernelError",
    "OptionalModuleMissing",
]


class ConveyorError(Exception):
    """Root of every conveyor exception (Parsl's ``ParslError``)."""

    def __str__(self) -> str:
        return self.args[0] if len(self.args) == 1 and isinstance(self.args[0], str) else repr(self)


class ConfigurationError(ConveyorError):
    """Raised when a configuration object or option is invalid, at construction time."""


class OptionalModuleMissing(ConveyorError):
    """Raised when a feature needs a Python module that is not installed."""

    def __init__(self, module_names: Sequence[str], reason: str) -> None:
        super().__init__(list(module_names), reason)
        self.module_names = list(module_names)
        self.reason = reason

    def __str__(self) -> str:
        return f"The functionality requested requires missing optional modules {self.module_names}, because: {self.reason}"


class InternalError(ConveyorError):
    """Raised when conveyor detects a bug in itself; please report it."""


InternalConsistencyError = InternalError


class NoDataFlowKernelError(ConveyorError):
    """Raised when an app is called while no kernel is loaded (call ``conveyor.load`` first)."""


class InvalidTransition(InternalError):
    """Raised when the kernel is asked to move a task along an edge its state table forbids."""

    def __init__(self, task_id: int, start: str, finish: str, story: Sequence[Any] = ()) -> None:
        super().__init__(task_id, start, finish, list(story))
        self.task_id = task_id
        self.start = start
        self.finish = finish
        self.story = list(story)

    def __str__(self) -> str:
        return f"task {self.task_id}: illegal transition {self.start} -> {self.finish}"
