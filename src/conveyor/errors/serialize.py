"""Errors of turning functions, arguments and results into bytes and back."""

from __future__ import annotations

from conveyor.errors.base import ConveyorError

__all__ = ["DeserializationError", "SerializationError"]


class SerializationError(ConveyorError):
    """Raised when a function, argument or result cannot be serialized."""

    def __init__(self, fname: str) -> None:
        super().__init__(fname)
        self.fname = fname

    def __str__(self) -> str:
        return f"Failed to serialize data objects for {self.fname}"


class DeserializationError(ConveyorError):
    """Raised when received bytes cannot be deserialized."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return f"Failed to deserialize objects. Reason: {self.reason}"
