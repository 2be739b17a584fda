"""run_task: the single implementation that runs one task from its serialized form.

Data path position: pool worker (step 7) -> ``run_task`` -> ``(ok, payload)`` back to the
manager. The payload is a serialized value, or a serialized exception of its original
type with a RemoteTraceback ``__cause__`` naming the worker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from conveyor.errors import ConveyorError, SerializationError
from conveyor.execution.outcome import attach_remote_traceback
from conveyor.execution.refs import replace_refs
from conveyor.serialize.buffers import from_frames, has_big_buffer, to_frames
from conveyor.serialize.facade import deserialize, serialize, serialize_result

__all__ = [
    "FunctionCache",
    "error_payload",
    "pack_call",
    "pack_call_frames",
    "run_task",
    "unpack_error",
]


class FunctionCache:
    """Deserialized functions by content hash, so each is unpickled once per worker."""

    def __init__(self, limit: int = 256) -> None:
        self._fns: dict[bytes, Callable[..., Any]] = {}
        self.limit = limit

    def get(self, fn_hash: bytes, fn_bytes: bytes) -> Callable[..., Any]:
        """The function for ``fn_hash``, deserializing ``fn_bytes`` on first sight."""
        fn = self._fns.get(fn_hash)
        if fn is None:
            if not fn_bytes:
                raise LookupError(f"function {fn_hash.hex()} was never sent to this worker")
            fn = deserialize(fn_bytes)
            if len(self._fns) >= self.limit:
                self._fns.pop(next(iter(self._fns)))
            self._fns[fn_hash] = fn
        return fn


_PLAIN = frozenset({int, float, str, bytes, bool, type(None)})


def _plain(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> bool:
    """Whether every argument is a plain value (the standard pickler will do)."""
    return all(type(a) in _PLAIN for a in args) and all(type(v) in _PLAIN for v in kwargs.values())


def pack_call(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> bytes:
    """Serialize the arguments of one call (plain pickle when they are all plain values)."""
    if _plain(args, kwargs):
        return serialize_result((args, kwargs))
    return serialize((args, kwargs), "task arguments")


def pack_call_frames(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[bytes, list[Any]]:
    """Like :func:`pack_call`, with large buffers out of band (serialize/buffers.py)."""
    if not args and not kwargs:
        return serialize_result((args, kwargs)), []
    plain = _plain(args, kwargs)
    if plain and not (has_big_buffer(args) or has_big_buffer(kwargs.values())):
        return serialize_result((args, kwargs)), []
    return to_frames((args, kwargs), "task arguments", plain=plain)


def run_task(
    cache: FunctionCache,
    fn_hash: bytes,
    fn_bytes: bytes,
    args_bytes: bytes,
    origin: str,
    buffers: list[Any] | None = None,
    refs: list[list[Any]] | None = None,
) -> tuple[bool, bytes, list[Any]]:
    """Run one task; never raises (errors become an error payload).

    ``buffers`` are the arguments' out-of-band buffers; ``refs`` the ``[task_id, payload]``
    results its TaskRefs stand for (execution/refs.py). Returns ``(ok, payload,
    out-of-band buffers of the payload)``.
    """
    try:
        fn = cache.get(fn_hash, fn_bytes)
        args, kwargs = from_frames(args_bytes, buffers) if buffers else deserialize(args_bytes)
        if refs:
            args, kwargs = replace_refs(args, kwargs, refs)
        value = fn(*args, **kwargs)
    except BaseException as exc:  # noqa: BLE001 - every failure is reported to the client
        return False, _error_payload(exc, origin), []
    try:
        if type(value) in _PLAIN and type(value) is not bytes:
            return True, serialize_result(value), []
        payload, out = to_frames(value, "result", plain=True)
        return True, payload, out
    except SerializationError as exc:
        return False, _error_payload(exc, origin), []


def _error_payload(exc: BaseException, origin: str) -> bytes:
    """Serialize ``(exception, RemoteTraceback)``: pickle drops ``__cause__``, so it travels beside."""
    attach_remote_traceback(exc, origin)
    cause = exc.__cause__
    try:
        return serialize((exc, cause))
    except SerializationError:
        replacement = SerializationError(f"exception {type(exc).__name__}: {exc} (unpicklable)")
        return serialize((replacement, cause))


def error_payload(exc: BaseException) -> bytes:
    """The payload of an error raised outside a task (e.g. WorkerLost by the manager)."""
    return serialize((exc, None))


def unpack_error(value: object) -> BaseException:
    """Rebuild the exception of an error payload, with its RemoteTraceback as ``__cause__``."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], BaseException):
        exc: BaseException = value[0]
        if value[1] is not None:
            exc.__cause__ = value[1]
        return exc
    return ConveyorError(f"malformed error payload: {value!r}")
