"""Dependency resolvers: find the futures a call waits on, and replace them by their values.

Called by the kernel core when a task is submitted (``traverse_to_gather``) and when all
its dependencies have completed (``traverse_to_unwrap``). The shallow resolver looks at
top-level args, kwargs and the items of ``inputs``; the deep resolver walks nested
lists, tuples, sets and dicts. Both are ``functools.singledispatch`` functions, so users
can teach them new container types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from functools import singledispatch
from typing import Any

from conveyor.execution.refs import map_call

__all__ = [
    "DEEP_DEPENDENCY_RESOLVER",
    "SHALLOW_DEPENDENCY_RESOLVER",
    "DependencyResolver",
    "Unwrapped",
    "describe_future",
    "gather_call",
    "unwrap_call",
]


@dataclass(frozen=True, slots=True)
class DependencyResolver:
    """A pair of traversals: collect futures from a value / replace futures in a value."""

    traverse_to_gather: Callable[[Any], list[Future[Any]]]
    traverse_to_unwrap: Callable[[Any], Any]


def _shallow_gather(o: Any) -> list[Future[Any]]:
    return [o] if isinstance(o, Future) else []


def _shallow_unwrap(o: Any) -> Any:
    return o.result() if isinstance(o, Future) else o


@singledispatch
def deep_traverse_to_gather(o: object) -> list[Future[Any]]:
    """Collect futures in ``o`` and, recursively, in its containers."""
    return [o] if isinstance(o, Future) else []


@deep_traverse_to_gather.register(tuple)
@deep_traverse_to_gather.register(list)
@deep_traverse_to_gather.register(set)
@deep_traverse_to_gather.register(frozenset)
def _gather_seq(o: list[Any] | tuple[Any, ...] | set[Any]) -> list[Future[Any]]:
    found: list[Future[Any]] = []
    for x in o:
        found.extend(deep_traverse_to_gather(x))
    return found


@deep_traverse_to_gather.register(dict)
def _gather_dict(o: dict[Any, Any]) -> list[Future[Any]]:
    found: list[Future[Any]] = []
    for k, v in o.items():
        found.extend(deep_traverse_to_gather(k))
        found.extend(deep_traverse_to_gather(v))
    return found


@singledispatch
def deep_traverse_to_unwrap(o: object) -> Any:
    """Return ``o`` with every future (recursively) replaced by its result."""
    return o.result() if isinstance(o, Future) else o


@deep_traverse_to_unwrap.register(tuple)
@deep_traverse_to_unwrap.register(list)
@deep_traverse_to_unwrap.register(set)
@deep_traverse_to_unwrap.register(frozenset)
def _unwrap_seq(o: list[Any] | tuple[Any, ...] | set[Any]) -> Any:
    return type(o)(deep_traverse_to_unwrap(x) for x in o)


@deep_traverse_to_unwrap.register(dict)
def _unwrap_dict(o: dict[Any, Any]) -> Any:
    return {deep_traverse_to_unwrap(k): deep_traverse_to_unwrap(v) for k, v in o.items()}


SHALLOW_DEPENDENCY_RESOLVER = DependencyResolver(_shallow_gather, _shallow_unwrap)
DEEP_DEPENDENCY_RESOLVER = DependencyResolver(deep_traverse_to_gather, deep_traverse_to_unwrap)


def gather_call(
    resolver: DependencyResolver, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> list[Future[Any]]:
    """Every future among ``args``, ``kwargs`` values and the items of ``inputs``."""
    gather = resolver.traverse_to_gather
    deps: list[Future[Any]] = []
    for a in args:
        deps.extend(gather(a))
    for key, v in kwargs.items():
        if key == "inputs" and isinstance(v, list | tuple):
            for item in v:
                deps.extend(gather(item))
        else:
            deps.extend(gather(v))
    return deps


@dataclass(frozen=True, slots=True)
class Unwrapped:
    """Arguments with futures replaced, plus the failures met on the way."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    #: (exception, task id or repr of the failed future)
    failures: list[tuple[BaseException, str]]


def unwrap_call(
    resolver: DependencyResolver, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> Unwrapped:
    """Replace completed futures by their values; collect failed ones instead of raising."""
    failures: list[tuple[BaseException, str]] = []

    def one(v: Any) -> Any:
        try:
            return resolver.traverse_to_unwrap(v)
        except BaseException as exc:  # noqa: BLE001 - a failed dependency, collected
            failures.append((exc, describe_future(v)))
            return v

    new_args, new_kwargs = map_call(args, kwargs, one)
    return Unwrapped(new_args, new_kwargs, failures)


def describe_future(v: Any) -> str:
    """How a failed argument or joined future is named in a DependencyError or JoinError."""
    from conveyor.futures import AppFuture, DataFuture

    if isinstance(v, DataFuture):
        return f"DataFuture from task {v.tid}"
    if isinstance(v, AppFuture):
        return f"task {v.tid}"
    return repr(v)
