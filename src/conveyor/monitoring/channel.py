"""Frames between the user's process and the monitoring writer process (one pipe each way).

A frame is a 4-byte little-endian length and a msgpack array ``[kind, body]``. The user's
process sends one ``batch`` frame per batch interval (the queued events, packed in one
call: msgpack is C, so the user's process pays about a microsecond per task) and one
``close`` frame at the end; the writer process answers with ``status`` frames after each
transaction it commits and ``log`` frames for what its log says (re-logged by the user's
process, so a failing write is a warning in the workflow's own log).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import msgpack

__all__ = [
    "BATCH",
    "CLOSE",
    "LOG",
    "STATUS",
    "FrameSplitter",
    "decode",
    "encode",
]

#: user's process -> writer: ``[transitions, tries, samples, nodes, blocks]``
BATCH = "batch"
#: user's process -> writer: the workflow's end time; nothing follows
CLOSE = "close"
#: writer -> user's process: ``[rows_written, failed_batches, dropped_batches, completed, failed]``
STATUS = "status"
#: writer -> user's process: ``[level, message]``
LOG = "log"

_LENGTH = struct.Struct("<I")


def encode(kind: str, body: Any) -> bytes:
    """One frame (length included)."""
    payload: bytes = msgpack.packb((kind, body), use_bin_type=True)
    return _LENGTH.pack(len(payload)) + payload


def decode(payload: bytes) -> tuple[str, Any]:
    """A frame's ``(kind, body)`` from its payload (without the length)."""
    kind, body = msgpack.unpackb(payload, raw=False, use_list=True)
    return str(kind), body


class FrameSplitter:
    """Cuts a byte stream into frame payloads (undecoded: decoding is the consumer's cost)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Add ``data``; yield every payload completed by it."""
        buf = self._buffer
        buf += data
        start = 0
        while len(buf) - start >= _LENGTH.size:
            (size,) = _LENGTH.unpack_from(buf, start)
            end = start + _LENGTH.size + size
            if end > len(buf):
                break
            yield bytes(buf[start + _LENGTH.size : end])
            start = end
        del buf[:start]

    @property
    def pending(self) -> int:
        """Bytes of an incomplete frame held back."""
        return len(self._buffer)
