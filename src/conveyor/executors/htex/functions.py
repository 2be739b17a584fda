"""FunctionShipper: each function serialized once, named by content hash, sent once.

The interchange and the pools cache functions by hash, so a Submit item carries the
function's bytes only the first time its hash is seen; later items carry ``b""``.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable
from typing import Any

from conveyor.serialize.facade import serialize

__all__ = ["FunctionShipper"]


class FunctionShipper:
    """``(hash, bytes or b"")`` for a function, as a Submit item wants them."""

    def __init__(self) -> None:
        self._hashes: dict[Any, bytes] = {}
        self._sent: set[bytes] = set()
        self._lock = threading.Lock()

    def __call__(self, func: Callable[..., Any]) -> tuple[bytes, bytes]:
        try:
            fn_hash = self._hashes.get(func)
        except TypeError:  # an unhashable callable: serialized every time
            fn_hash = None
        if fn_hash is not None:
            return fn_hash, b""
        blob = serialize(func, getattr(func, "__name__", "function"))
        fn_hash = hashlib.blake2b(blob, digest_size=16).digest()
        with self._lock:
            first = fn_hash not in self._sent
            self._sent.add(fn_hash)
        with contextlib.suppress(TypeError):
            self._hashes[func] = fn_hash
        return fn_hash, blob if first else b""
