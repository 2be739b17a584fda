"""serialize / deserialize: user objects <-> bytes with a self-describing header.

Every payload begins with a 2-byte method identifier so the reader picks the right
decoder: ``b"C1"`` = cloudpickle (protocol 5). Used for task payloads, results, and
checkpoint records. The interchange never calls these.
"""

from __future__ import annotations

import pickle
from typing import Any

import cloudpickle

from conveyor.errors import DeserializationError, SerializationError

__all__ = ["deserialize", "serialize"]

_CLOUDPICKLE = b"C1"


def serialize(obj: Any, name: str = "object") -> bytes:
    """Return ``obj`` as bytes; raises SerializationError naming ``name`` on failure."""
    try:
        body: bytes = cloudpickle.dumps(obj, protocol=5)
        return _CLOUDPICKLE + body
    except Exception as exc:
        raise SerializationError(f"{name}: {exc!r}") from exc


def deserialize(data: bytes | memoryview) -> Any:
    """Rebuild an object from :func:`serialize` output; raises DeserializationError."""
    header = bytes(data[:2])
    if header != _CLOUDPICKLE:
        raise DeserializationError(f"unknown serialization header {header!r}")
    try:
        return pickle.loads(data[2:])
    except Exception as exc:
        raise DeserializationError(repr(exc)) from exc
