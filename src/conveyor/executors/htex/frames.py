"""Messages with attached buffers: a task's or result's out-of-band payload as extra frames.

    [header]                      every message: one msgpack frame (protocol.py)
    [header, buffer, buffer, ...] Submit, Tasks or Results holding exactly ONE item,
                                  followed by that item's out-of-band buffers

The buffers (serialize/buffers.py) are sent with ``copy=False`` and received as ZeroMQ
frames; the interchange forwards them without reading them. Any other message with
extra frames is malformed (:func:`check_attached` raises ProtocolError).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import zmq

from conveyor.errors import ProtocolError
from conveyor.executors.htex import protocol as p

__all__ = [
    "CARRIERS",
    "Carrier",
    "check_attached",
    "item_id",
    "receive_rest",
    "send_split",
    "split_frames",
]

Carrier = type[p.Submit] | type[p.Tasks] | type[p.Results]
#: the message types whose single item may carry buffers
CARRIERS: tuple[Carrier, ...] = (p.Submit, p.Tasks, p.Results)


def check_attached(msg: p.Message, extra: int) -> None:
    """Raise ProtocolError unless ``extra`` attached frames fit ``msg``."""
    if not extra:
        return
    if not isinstance(msg, CARRIERS):
        raise ProtocolError(f"{type(msg).__name__} cannot carry buffers")
    items = msg.results if isinstance(msg, p.Results) else msg.tasks
    if len(items) != 1:
        raise ProtocolError(f"{type(msg).__name__} with buffers must hold one item")


def item_id(msg: p.Submit | p.Tasks | p.Results) -> int:
    """The task id of a carrier's single item."""
    items = msg.results if isinstance(msg, p.Results) else msg.tasks
    task_id: int = items[0][0]
    return task_id


def split_frames(
    cls: Carrier, items: list[list[Any]], buffers: dict[int, list[Any]]
) -> list[list[Any]]:
    """The frame lists carrying ``items`` as ``cls`` messages.

    Items with buffers in ``buffers`` (taken out of it) go one per message with their
    buffers after the header; the others go together in one message (first).
    """
    if not buffers:
        return [[p.encode(cls(items))]]
    plain: list[list[Any]] = []
    attached: list[list[Any]] = []
    for item in items:
        frames = buffers.pop(item[0], None)
        if frames:
            attached.append([p.encode(cls([item])), *frames])
        else:
            plain.append(item)
    return ([[p.encode(cls(plain))]] if plain else []) + attached


def send_split(
    sock: zmq.Socket,  # type: ignore[type-arg]
    cls: Carrier,
    items: list[list[Any]],
    buffers: dict[int, list[Any]],
    prefix: Sequence[bytes] = (),
) -> None:
    """Send ``items`` as :func:`split_frames` cuts them (``prefix``: a ROUTER's identity).

    Messages with buffers go with ``copy=False``; a lone header frame is copied (cheaper).
    """
    for frames in split_frames(cls, items, buffers):
        sock.send_multipart([*prefix, *frames], copy=len(frames) == 1)


def receive_rest(sock: zmq.Socket) -> list[zmq.Frame]:  # type: ignore[type-arg]
    """The remaining frames of the message being received (its buffers), uncopied."""
    frames = []
    while sock.rcvmore:
        frames.append(sock.recv(copy=False))
    return frames
