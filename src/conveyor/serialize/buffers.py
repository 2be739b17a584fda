"""Out-of-band buffers: large payloads leave the pickle stream and travel as their own frames.

Pickle protocol 5 lets an object hand its memory over as a :class:`pickle.PickleBuffer`
instead of copying it into the stream; numpy arrays do this by themselves. Here large
``bytes``, ``bytearray`` and ``memoryview`` values do it too, when they are a call's
arguments or a result, or items of those down to three levels of tuples, lists and dicts
(deeper, or inside other objects, they stay in the stream: pickle never asks about exact
``bytes``).

    sender:   to_frames(obj) -> (stream, [PickleBuffer, ...])   no copy of the big memory
    wire:     stream and each buffer are separate ZeroMQ frames (copy=False)
    receiver: from_frames(stream, buffers) -> obj               numpy arrays and memoryviews
                                                                 use the received memory
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

from conveyor.serialize.facade import deserialize, serialize, serialize_plain

__all__ = ["OOB_THRESHOLD", "from_frames", "has_big_buffer", "to_frames"]

#: buffers at least this large travel out of band; smaller ones stay in the stream
OOB_THRESHOLD = 64 * 1024
_BUFFERISH = (bytes, bytearray, memoryview)


def _rebuild_bytes(buf: Any) -> bytes:
    return bytes(buf)


def _rebuild_bytearray(buf: Any) -> bytearray:
    return bytearray(buf)


def _rebuild_memoryview(buf: Any) -> memoryview:
    return memoryview(buf)


_REBUILD: dict[type, Callable[[Any], Any]] = {
    bytes: _rebuild_bytes,
    bytearray: _rebuild_bytearray,
    memoryview: _rebuild_memoryview,
}


class _OutOfBand:
    """Stands in for a large bytes-like value while pickling: reduces to a PickleBuffer."""

    __slots__ = ("value",)

    def __init__(self, value: bytes | bytearray | memoryview) -> None:
        self.value = value

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        view = memoryview(self.value)
        if not view.contiguous:
            view = memoryview(view.tobytes())
        return (_REBUILD[type(self.value)], (pickle.PickleBuffer(view),))


def _big(value: Any) -> bool:
    return type(value) in _REBUILD and memoryview(value).nbytes >= OOB_THRESHOLD


def _swap(value: Any, depth: int = 3) -> Any:
    """``value`` with its large bytes-like values replaced by stand-ins.

    Looks ``depth`` levels down tuples, lists and dicts: a call's ``(args, kwargs)``,
    their items, and those items' items.
    """
    if _big(value):
        return _OutOfBand(value)
    kind = type(value)
    if depth == 0 or kind not in _CONTAINERS:
        return value
    if kind is dict:
        return {k: _swap(v, depth - 1) for k, v in value.items()}
    return kind(_swap(v, depth - 1) for v in value)


_CONTAINERS = frozenset({tuple, list, dict})


def has_big_buffer(values: Any) -> bool:
    """True when one of ``values`` (an iterable) is a large bytes-like value."""
    return any(_big(v) for v in values)


def to_frames(obj: Any, name: str = "object", plain: bool = False) -> tuple[bytes, list[Any]]:
    """``obj`` as a stream plus its out-of-band buffers (an empty list when there are none).

    ``plain`` tries the standard pickler first (results); otherwise cloudpickle (calls).
    """
    swapped = _swap(obj)
    if plain:
        buffers: list[pickle.PickleBuffer] = []
        try:
            return serialize_plain(swapped, _keeper(buffers)), buffers
        except Exception:  # noqa: BLE001 - cloudpickle handles what pickle cannot
            pass
    buffers = []
    return serialize(swapped, name, _keeper(buffers)), buffers


def _keeper(buffers: list[pickle.PickleBuffer]) -> Callable[[pickle.PickleBuffer], bool]:
    """A buffer_callback that keeps large buffers out of band in ``buffers``."""

    def keep(buf: pickle.PickleBuffer) -> bool:
        if buf.raw().nbytes < OOB_THRESHOLD:
            return True  # small: stays in the stream
        buffers.append(buf)
        return False

    return keep


def from_frames(stream: bytes | memoryview, buffers: list[Any]) -> Any:
    """Rebuild what :func:`to_frames` made; ``buffers`` are the received frames' memory."""
    return deserialize(stream, buffers)
