"""Errors of an app's own run: bash exit codes, walltime, missing outputs, std streams."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conveyor.errors.base import ConveyorError

__all__ = [
    "AppBadFormatting",
    "AppException",
    "AppTimeout",
    "BadStdStreamFile",
    "BashAppNoReturn",
    "BashExitFailure",
    "MissingOutputs",
]


class AppException(ConveyorError):
    """Raised by an app's execution machinery when the app itself failed."""


class AppBadFormatting(ConveyorError):
    """Raised when a bash app's command string cannot be formatted."""


class BashExitFailure(AppException):
    """Raised when a bash app's command exits with a non-zero code."""

    def __init__(self, app_name: str, exitcode: int) -> None:
        super().__init__(app_name, exitcode)
        self.app_name = app_name
        self.exitcode = exitcode

    def __str__(self) -> str:
        return f"bash_app {self.app_name} failed with unix exit code {self.exitcode}"


class AppTimeout(AppException):
    """Raised when an app exceeds its ``walltime``; its process tree has been killed."""


class BashAppNoReturn(AppException):
    """Raised when a bash app's function does not return a command string."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MissingOutputs(ConveyorError):
    """Raised when an app finished but did not produce all of its declared ``outputs``."""

    def __init__(self, reason: str, outputs: Sequence[Any]) -> None:
        super().__init__(reason, list(outputs))
        self.reason = reason
        self.outputs = list(outputs)

    def __str__(self) -> str:
        return f"Missing Outputs: {self.outputs}, Reason: {self.reason}"


class BadStdStreamFile(ConveyorError):
    """Raised when a ``stdout``/``stderr`` specification is malformed or cannot be opened."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return f"Bad Stream File: {self.reason}"
