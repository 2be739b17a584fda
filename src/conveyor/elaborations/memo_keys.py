"""Memo keys: a content hash of an app's function and arguments (pure).

``id_for_memo`` is a ``functools.singledispatch`` function; register a type on it to make
its values usable as arguments of cached apps. Unknown types raise a clear error naming
the type, unless the argument is listed in ``ignore_for_cache``.
"""

from __future__ import annotations

import hashlib
import inspect
import pickle
from collections.abc import Callable, Mapping
from functools import lru_cache, singledispatch
from typing import Any

from conveyor.files import File

__all__ = ["function_id", "id_for_memo", "make_key"]


@singledispatch
def id_for_memo(obj: object, output_ref: bool = False) -> bytes:
    """Bytes that identify ``obj`` for memoization; register types to extend it."""
    raise ValueError(
        f"unknown type {type(obj).__module__}.{type(obj).__qualname__} for memoization: "
        "register it with @id_for_memo.register, or list its argument in ignore_for_cache"
    )


@id_for_memo.register(str)
@id_for_memo.register(int)
@id_for_memo.register(float)
@id_for_memo.register(complex)
@id_for_memo.register(bool)
@id_for_memo.register(bytes)
@id_for_memo.register(type(None))
def _id_plain(obj: object, output_ref: bool = False) -> bytes:
    return pickle.dumps((type(obj).__name__, obj))


@id_for_memo.register(list)
@id_for_memo.register(tuple)
def _id_seq(obj: list[Any] | tuple[Any, ...], output_ref: bool = False) -> bytes:
    parts = [id_for_memo(x, output_ref=output_ref) for x in obj]
    return pickle.dumps((type(obj).__name__, parts))


@id_for_memo.register(set)
@id_for_memo.register(frozenset)
def _id_set(obj: set[Any] | frozenset[Any], output_ref: bool = False) -> bytes:
    return pickle.dumps(
        (type(obj).__name__, sorted(id_for_memo(x, output_ref=output_ref) for x in obj))
    )


@id_for_memo.register(dict)
def _id_dict(obj: dict[Any, Any], output_ref: bool = False) -> bytes:
    items = sorted((id_for_memo(k), id_for_memo(v, output_ref=output_ref)) for k, v in obj.items())
    return pickle.dumps(("dict", items))


@id_for_memo.register(File)
def _id_file(obj: File, output_ref: bool = False) -> bytes:
    return pickle.dumps(("File", obj.url))


@lru_cache(maxsize=1024)
def _function_id_cached(func: Callable[..., Any]) -> bytes:
    name = f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', repr(func))}"
    try:
        body = inspect.getsource(func).encode()
    except (OSError, TypeError):
        code = getattr(func, "__code__", None)
        body = (
            pickle.dumps((code.co_code, repr(code.co_consts)))
            if code is not None
            else repr(func).encode()
        )
    return hashlib.sha256(name.encode() + b"\0" + body).digest()


def function_id(func: Callable[..., Any]) -> bytes:
    """Name + source (or bytecode) hash: editing the function changes its id."""
    try:
        return _function_id_cached(func)
    except TypeError:  # unhashable callable
        return _function_id_cached.__wrapped__(func)


def make_key(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    ignore: tuple[str, ...] = (),
) -> str:
    """The memo key (hex sha256) of one call."""
    h = hashlib.sha256(function_id(func))
    for i, a in enumerate(args):
        if f"args[{i}]" not in ignore:
            h.update(id_for_memo(a))
    for name in sorted(kwargs):
        if name in ignore or name in ("stdout", "stderr", "walltime"):
            continue
        # a handler's own error reaches the caller unchanged (Parsl's behaviour)
        h.update(name.encode() + b"=" + id_for_memo(kwargs[name], output_ref=name == "outputs"))
    return h.hexdigest()
