"""serialize / deserialize: user objects <-> bytes with a self-describing header.

Every payload begins with a 2-byte method identifier so the reader picks the right
decoder: ``b"C1"`` = cloudpickle (protocol 5), ``b"P1"`` = plain pickle (protocol 5). Used for task payloads, results, and
checkpoint records. The interchange never calls these.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable
from typing import Any

import cloudpickle

from conveyor.errors import DeserializationError, SerializationError

__all__ = ["deserialize", "serialize", "serialize_plain", "serialize_result"]

_CLOUDPICKLE = b"C1"
_PICKLE = b"P1"
_HEADERS = (_CLOUDPICKLE, _PICKLE)
#: decides, per PickleBuffer, whether it stays in the stream (True) or goes out of band
BufferCallback = Callable[[pickle.PickleBuffer], bool] | None


def serialize(obj: Any, name: str = "object", buffer_callback: BufferCallback = None) -> bytes:
    """Return ``obj`` as bytes; raises SerializationError naming ``name`` on failure."""
    try:
        body: bytes = cloudpickle.dumps(obj, protocol=5, buffer_callback=buffer_callback)
        return _CLOUDPICKLE + body
    except Exception as exc:
        raise SerializationError(f"{name}: {exc!r}") from exc


def serialize_plain(obj: Any, buffer_callback: BufferCallback = None) -> bytes:
    """``obj`` by the standard pickler; raises whatever it raises (no fallback)."""
    return _PICKLE + pickle.dumps(obj, protocol=5, buffer_callback=buffer_callback)


def serialize_result(obj: Any, name: str = "result") -> bytes:
    """Like :func:`serialize`, but tries plain pickle first (fast for data going home)."""
    try:
        return serialize_plain(obj)
    except Exception:  # noqa: BLE001 - cloudpickle handles what pickle cannot
        return serialize(obj, name)


def deserialize(data: bytes | memoryview, buffers: Iterable[Any] | None = None) -> Any:
    """Rebuild an object from :func:`serialize` output; raises DeserializationError.

    ``buffers`` are the out-of-band buffers the stream refers to (serialize/buffers.py).
    """
    header = bytes(data[:2])
    if header not in _HEADERS:
        raise DeserializationError(f"unknown serialization header {header!r}")
    try:
        return pickle.loads(data[2:], buffers=buffers)
    except Exception as exc:
        raise DeserializationError(repr(exc)) from exc
