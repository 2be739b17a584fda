"""TaskRef: a task's argument that is another task's result, resolved next to the data.

The submitter replaces a dependency's future by ``TaskRef(id)`` (``id``: the dependency's
id on the executor) where the kernel's shallow resolver would look: positional
arguments, keyword values, and the items of ``inputs``. The interchange sends the task
on with the dependencies' result payloads, and the worker puts the values back in the
same places before calling the function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any

from conveyor.serialize.facade import deserialize

__all__ = ["TaskRef", "executor_ref", "map_call", "replace_refs", "with_refs"]


class TaskRef:
    """Stands for the result of the executor's task ``task_id``."""

    __slots__ = ("task_id",)

    def __init__(self, task_id: int) -> None:
        self.task_id = task_id

    def __reduce__(self) -> tuple[Any, ...]:
        return (TaskRef, (self.task_id,))

    def __repr__(self) -> str:
        return f"TaskRef({self.task_id})"


def map_call(
    args: tuple[Any, ...], kwargs: Mapping[str, Any], one: Callable[[Any], Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``one`` applied where the shallow resolver looks."""
    new_kwargs: dict[str, Any] = {}
    for key, v in kwargs.items():
        if key == "inputs" and isinstance(v, list | tuple):
            new_kwargs[key] = type(v)(one(item) for item in v)
        else:
            new_kwargs[key] = one(v)
    return tuple(one(a) for a in args), new_kwargs


def executor_ref(value: Any) -> int | None:
    """The executor's id of a future's task (``AppFuture.executor_ref``), if it has one."""
    ref: int | None = getattr(value, "executor_ref", None) if isinstance(value, Future) else None
    return ref


def with_refs(
    args: tuple[Any, ...], kwargs: Mapping[str, Any], ref_of: Callable[[Any], int | None]
) -> tuple[tuple[Any, ...], dict[str, Any], list[int]]:
    """Arguments with every value ``ref_of`` knows replaced by its TaskRef; the ids, in order."""
    ids: list[int] = []

    def one(v: Any) -> Any:
        ref = ref_of(v)
        if ref is None:
            return v
        ids.append(ref)
        return TaskRef(ref)

    new_args, new_kwargs = map_call(args, kwargs, one)
    return new_args, new_kwargs, ids


def replace_refs(
    args: tuple[Any, ...], kwargs: Mapping[str, Any], results: list[list[Any]]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Arguments with each TaskRef replaced by its result (``[task_id, payload]`` pairs)."""
    values = {task_id: deserialize(payload) for task_id, payload in results}

    def one(v: Any) -> Any:
        return values[v.task_id] if type(v) is TaskRef else v

    return map_call(args, kwargs, one)
