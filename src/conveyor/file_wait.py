"""Waiting for a file a task writes to appear.

Parsl's ``parsl.utils`` names ``wait_for_file`` and ``time_limited_open``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

__all__ = ["time_limited_open", "wait_for_file"]

_POLL = 0.01


@contextmanager
def wait_for_file(path: str, seconds: float = 10) -> Iterator[None]:
    """Wait up to ``seconds`` for ``path`` to exist, then run the block (either way)."""
    deadline = time.monotonic() + seconds
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(_POLL)
    yield


@contextmanager
def time_limited_open(path: str, mode: str, seconds: float = 1) -> Iterator[IO[Any]]:
    """Open ``path`` once it exists (waiting up to ``seconds``); close it after the block."""
    with wait_for_file(path, seconds):
        pass
    with open(path, mode) as stream:
        yield stream
