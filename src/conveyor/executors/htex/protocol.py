"""Every message on the HTEX links, and nothing else: no sockets here.

    client (user process)  <--ROUTER/DEALER-->  interchange  <--ROUTER/DEALER-->  pool (one per node)

Each message is ONE ZeroMQ frame holding a msgpack array ``[tag, field, ...]`` (a
single-item Submit, Tasks or Results may be followed by that item's buffers: frames.py).
User data (functions, arguments, results, exceptions) travels as opaque ``bytes`` fields
made by :mod:`conveyor.serialize`; the interchange never deserializes them. :func:`decode`
checks the tag, the field count and every field's type and raises
:class:`~conveyor.errors.ProtocolError` on anything else, so garbage is dropped, never run.
See docs/protocol.md.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from typing import Any, ClassVar

import msgpack

from conveyor.errors import ProtocolError
from conveyor.executors.htex.pool_spec import PoolLaunchSpec

__all__ = ["PROTOCOL_VERSION", "Message", "PoolLaunchSpec", "Tag", "decode", "encode"]

PROTOCOL_VERSION = 1


class Tag(IntEnum):
    """Message type codes (first element of every message)."""

    SUBMIT = 1
    CLIENT_SHUTDOWN = 3
    STATS_REQUEST = 4
    DRAIN_BLOCKS = 5
    BLOCKS_LOST = 6
    BLOCKS_STARTING = 7
    RESULTS = 10
    MANAGER_LOST = 11
    REFS_FAILED = 13
    STATS_REPLY = 12
    REGISTER = 20
    HEARTBEAT = 21
    DRAINING = 22
    DRAINED = 23
    MONITORING = 24
    UNHELD = 25
    REGISTER_ACK = 30
    TASKS = 31
    DRAIN = 33
    SHUTDOWN = 34


@dataclass(frozen=True, slots=True)
class Submit:
    """client -> interchange: tasks ``[task_id, priority, walltime_ms, fn_hash, fn_bytes, args]``.

    ``walltime_ms`` is the task's declared walltime (0 = none); ``fn_bytes`` is b"" when
    the interchange has already received that function. An item may end with a seventh
    element, a ``resources`` dict (MPI mode: the checked MPI resource specification).
    """

    tag: ClassVar[Tag] = Tag.SUBMIT
    tasks: list[list[Any]]


@dataclass(frozen=True, slots=True)
class ClientShutdown:
    """client -> interchange: stop everything and exit."""

    tag: ClassVar[Tag] = Tag.CLIENT_SHUTDOWN


@dataclass(frozen=True, slots=True)
class StatsRequest:
    """client -> interchange: ask for a StatsReply."""

    tag: ClassVar[Tag] = Tag.STATS_REQUEST


@dataclass(frozen=True, slots=True)
class DrainBlocks:
    """client -> interchange: drain the pools of these blocks (scale-in)."""

    tag: ClassVar[Tag] = Tag.DRAIN_BLOCKS
    blocks: list[str]


@dataclass(frozen=True, slots=True)
class BlocksLost:
    """client -> interchange: the batch system ended these blocks; fail their pools' tasks."""

    tag: ClassVar[Tag] = Tag.BLOCKS_LOST
    blocks: list[str]


@dataclass(frozen=True, slots=True)
class BlocksStarting:
    """client -> interchange: these blocks' jobs run but none of their pools registered yet.

    While any is listed, the interchange grants no burst beyond a pool's capacity, so the
    pools about to register find tasks to take. Each message replaces the previous list.
    """

    tag: ClassVar[Tag] = Tag.BLOCKS_STARTING
    blocks: list[str]


@dataclass(frozen=True, slots=True)
class Results:
    """interchange -> client and pool -> interchange: ``[task_id, ok, payload]`` items."""

    tag: ClassVar[Tag] = Tag.RESULTS
    results: list[list[Any]]


@dataclass(frozen=True, slots=True)
class ManagerLost:
    """interchange -> client: these tasks were in flight on a pool that stopped heartbeating."""

    tag: ClassVar[Tag] = Tag.MANAGER_LOST
    task_ids: list[int]
    manager_id: str
    hostname: str


@dataclass(frozen=True, slots=True)
class RefsFailed:
    """interchange -> client: these tasks, sent with dependency references, will not run.

    ``task_ids`` lost a dependency (it failed or its pool was lost: the kernel gives them
    DependencyError); ``missing`` referred to a task whose result the interchange no
    longer had or never knew (the kernel resolves those itself and launches them again).
    """

    tag: ClassVar[Tag] = Tag.REFS_FAILED
    task_ids: list[int]
    missing: list[int]


@dataclass(frozen=True, slots=True)
class StatsReply:
    """interchange -> client: counters and per-block worker counts."""

    tag: ClassVar[Tag] = Tag.STATS_REPLY
    stats: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Register:
    """pool -> interchange: first message of a pool; ``info`` has versions and sizes."""

    tag: ClassVar[Tag] = Tag.REGISTER
    info: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """pool <-> interchange: liveness, both ways."""

    tag: ClassVar[Tag] = Tag.HEARTBEAT


@dataclass(frozen=True, slots=True)
class Draining:
    """pool -> interchange: send no more tasks (the block's end is near); Drained follows."""

    tag: ClassVar[Tag] = Tag.DRAINING


@dataclass(frozen=True, slots=True)
class Drained:
    """pool -> interchange: no task left, the pool is exiting."""

    tag: ClassVar[Tag] = Tag.DRAINED


@dataclass(frozen=True, slots=True)
class Monitoring:
    """pool -> interchange -> client (forwarded as is): what the pool's workers ran and used.

    ``node`` describes the pool (hostname, block_id, uid, timestamp, cpu_count, total_memory,
    worker_count, python_v, active), in every message; ``tries`` items are
    ``[task_id, started, ended]`` (epoch seconds; ended 0.0 while running); ``samples``
    items are ``[task_id, time, pid, ...]`` with the monitoring ``resource`` table's psutil
    columns in its order. Sent only when monitoring is on, ahead of the Results it concerns.
    """

    tag: ClassVar[Tag] = Tag.MONITORING
    node: dict[str, Any]
    tries: list[list[Any]]
    samples: list[list[Any]]


@dataclass(frozen=True, slots=True)
class Unheld:
    """pool -> interchange: delegated tasks the pool gives back unrun.

    A dependency they awaited in the pool had already left it (its result went by before
    they arrived); the interchange dispatches them again the ordinary way.
    """

    tag: ClassVar[Tag] = Tag.UNHELD
    task_ids: list[int]


@dataclass(frozen=True, slots=True)
class RegisterAck:
    """interchange -> pool: registration accepted (``ok``) or refused with ``reason``."""

    tag: ClassVar[Tag] = Tag.REGISTER_ACK
    ok: bool
    reason: str


@dataclass(frozen=True, slots=True)
class Tasks:
    """interchange -> pool: ``[task_id, fn_hash, fn_bytes or b"", args_bytes]`` items.

    An item may end with a fifth element, the ``resources`` dict its Submit item carried;
    with references, a sixth (``[dep_id, payload]`` pairs) and, for a task delegated to
    the pool (held there until its dependencies in the pool finish), a seventh: their ids.
    """

    tag: ClassVar[Tag] = Tag.TASKS
    tasks: list[list[Any]]


@dataclass(frozen=True, slots=True)
class Drain:
    """interchange -> pool: finish current tasks, take no more, then exit."""

    tag: ClassVar[Tag] = Tag.DRAIN


@dataclass(frozen=True, slots=True)
class Shutdown:
    """interchange -> pool: exit now."""

    tag: ClassVar[Tag] = Tag.SHUTDOWN


Message = (
    Submit
    | ClientShutdown
    | StatsRequest
    | DrainBlocks
    | BlocksLost
    | BlocksStarting
    | Results
    | ManagerLost
    | RefsFailed
    | StatsReply
    | Register
    | Heartbeat
    | Draining
    | Drained
    | Monitoring
    | Unheld
    | RegisterAck
    | Tasks
    | Drain
    | Shutdown
)
_TYPES: dict[int, type[Any]] = {
    cls.tag: cls
    for cls in (
        Submit,
        ClientShutdown,
        StatsRequest,
        DrainBlocks,
        BlocksLost,
        BlocksStarting,
        Results,
        ManagerLost,
        RefsFailed,
        StatsReply,
        Register,
        Heartbeat,
        Draining,
        Drained,
        Monitoring,
        Unheld,
        RegisterAck,
        Tasks,
        Drain,
        Shutdown,
    )
}
_ITEM_SHAPES: dict[int, tuple[type, ...]] = {
    Tag.SUBMIT: (int, int, int, bytes, bytes, bytes),
    Tag.TASKS: (int, bytes, bytes, bytes),
    Tag.RESULTS: (int, bool, bytes),
}
#: item shapes that may end with a resources dict, or a resources dict (maybe empty) and
#: dependency references: Submit, the ids of tasks whose results replace TaskRefs in the
#: arguments; Tasks, ``[task_id, payload]`` pairs of those results
_OPTIONAL_TAIL: dict[int, type] = {Tag.SUBMIT: dict, Tag.TASKS: dict}


def encode(msg: Message) -> bytes:
    """One frame for ``msg`` (fields taken as they are: no copy of the task lists)."""
    values = [getattr(msg, name) for name, _ in _FIELD_CHECKS[type(msg)]]
    frame: bytes = msgpack.packb([msg.tag, *values], use_bin_type=True)
    return frame


def decode(frame: bytes) -> Message:
    """Parse one frame; raise ProtocolError for anything that is not a valid message."""
    try:
        data = msgpack.unpackb(frame, raw=False, strict_map_key=True, use_list=True)
    except Exception as exc:
        raise ProtocolError(f"undecodable frame ({len(frame)} bytes): {exc}") from None
    if not isinstance(data, list) or not data or not isinstance(data[0], int):
        raise ProtocolError("frame is not a tagged message")
    cls = _TYPES.get(data[0])
    if cls is None:
        raise ProtocolError(f"unknown message tag {data[0]}")
    args = data[1:]
    expected = _FIELD_CHECKS[cls]
    if len(args) != len(expected):
        raise ProtocolError(f"{cls.__name__} needs {len(expected)} fields, got {len(args)}")
    _check_fields(cls, args, expected)
    return cls(*args)  # type: ignore[no-any-return]


_FIELD_TYPES: dict[str, type] = {"list": list, "dict": dict, "str": str, "bool": bool, "int": int}
#: per message class, ``(field name, expected type)`` for each field, computed once
_FIELD_CHECKS: dict[type[Any], tuple[tuple[str, type], ...]] = {
    cls: tuple((f.name, _FIELD_TYPES[str(f.type).split("[")[0]]) for f in fields(cls))
    for cls in _TYPES.values()
}
#: per tag, the exact type tuples its items may have (with and without the optional tail)
_ITEM_TYPES: dict[int, frozenset[tuple[type, ...]]] = {
    tag: frozenset(
        {shape}
        | (
            {(*shape, _OPTIONAL_TAIL[tag]), (*shape, _OPTIONAL_TAIL[tag], list)}
            if tag in _OPTIONAL_TAIL
            else set()
        )
        | ({(*shape, dict, list, list)} if tag == Tag.TASKS else set())
    )
    for tag, shape in _ITEM_SHAPES.items()
}


def _check_fields(cls: type[Any], args: list[Any], expected: tuple[tuple[str, type], ...]) -> None:
    for (name, kind), value in zip(expected, args, strict=True):
        if not isinstance(value, kind):
            raise ProtocolError(f"{cls.__name__}.{name} must be {kind.__name__}")
    allowed = _ITEM_TYPES.get(cls.tag)
    if allowed is not None:
        _check_items(cls, args[0], allowed)
        if cls.tag in _OPTIONAL_TAIL:
            _check_refs(cls, args[0], len(_ITEM_SHAPES[cls.tag]) + 2)
    if cls in (ManagerLost, RefsFailed, Unheld) and not all(
        type(t) is int for ids in args[:2] if type(ids) is list for t in ids
    ):
        raise ProtocolError(f"{cls.__name__}.task_ids must be ints")


def _check_refs(cls: type[Any], items: list[Any], long: int) -> None:
    """Dependency references: ints in a Submit, ``[int, bytes]`` pairs in Tasks."""
    for item in items:
        if len(item) < long:
            continue
        if cls is Submit:
            ok = all(type(r) is int for r in item[-1])
        else:  # pairs, then (a delegated task) the ids awaited in the pool
            awaited = item[long] if len(item) > long else []
            ok = all(
                type(r) is list and len(r) == 2 and type(r[0]) is int and type(r[1]) is bytes
                for r in item[long - 1]
            ) and all(type(r) is int for r in awaited)
        if not ok:
            raise ProtocolError(f"{cls.__name__} item has malformed dependency references")


def _check_items(cls: type[Any], items: list[Any], allowed: frozenset[tuple[type, ...]]) -> None:
    """Every item is a list whose element types are exactly one of the ``allowed`` shapes.

    Checked per item as one tuple of types (no per-field Python loop): the interchange
    decodes every task twice, so this is on its hot path.
    """
    for item in items:
        if type(item) is not list:
            raise ProtocolError(f"{cls.__name__} item has the wrong shape")
        if tuple(map(type, item)) not in allowed:
            if not any(len(item) == len(shape) for shape in allowed):
                raise ProtocolError(f"{cls.__name__} item has the wrong shape")
            raise ProtocolError(f"{cls.__name__} item has a field of the wrong type")
