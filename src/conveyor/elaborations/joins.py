"""join_app support: check what a join app returned, and combine its inner results.

Called by the kernel core after a join app's body ran (``interpret``) and when every
future it returned has completed (``combine``).
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from conveyor.elaborations.dependencies import describe_future
from conveyor.errors import JoinError

__all__ = ["Complete", "Join", "combine", "interpret"]


@dataclass(frozen=True, slots=True)
class Complete:
    """The task is done with ``value``."""

    value: Any


@dataclass(frozen=True, slots=True)
class Join:
    """Wait for these futures; ``single`` says whether the body returned one future."""

    futures: tuple[Future[Any], ...]
    single: bool


def interpret(value: Any) -> Join:
    """A join app must return a Future or a list of Futures; anything else is a TypeError."""
    if isinstance(value, Future):
        return Join((value,), single=True)
    if isinstance(value, list) and all(isinstance(f, Future) for f in value):
        return Join(tuple(value), single=False)
    raise TypeError(
        f"join_app body must return a Future or a list of Futures, got {type(value).__name__}: {value!r}"
    )


def combine(join: Join, task_id: int) -> Any:
    """Return the joined value, or raise JoinError carrying every inner failure."""
    failures: list[tuple[BaseException, str]] = []
    values = []
    for f in join.futures:
        exc = f.exception()
        if exc is not None:
            failures.append((exc, describe_future(f)))
        else:
            values.append(f.result())
    if failures:
        raise JoinError(failures, task_id)
    return values[0] if join.single else values
