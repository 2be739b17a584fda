"""Events into the kernel core (past tense) and instructions out of it (imperative).

The shell turns the outside world (submit calls, future callbacks) into events, feeds
them to ``KernelCore.handle`` on the kernel thread, and carries out the instructions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from conveyor.app.call import AppCall
from conveyor.kernel.transitions import StoryEntry

__all__ = [
    "AttemptFinished",
    "DependencyDone",
    "Event",
    "Instruction",
    "JoinPartDone",
    "Launch",
    "LaunchFailed",
    "ResolveAppFuture",
    "Submitted",
    "WatchFutures",
]


@dataclass(frozen=True, slots=True)
class Submitted:
    """A task was submitted by an app call."""

    task_id: int
    call: AppCall


@dataclass(frozen=True, slots=True)
class DependencyDone:
    """One of the futures a PENDING task waits on has completed."""

    task_id: int


@dataclass(frozen=True, slots=True)
class AttemptFinished:
    """The executor future of attempt ``try_id`` completed (with a value or an error)."""

    task_id: int
    try_id: int
    future: Future[Any]


@dataclass(frozen=True, slots=True)
class LaunchFailed:
    """``Executor.submit`` raised instead of returning a future."""

    task_id: int
    try_id: int
    error: BaseException


@dataclass(frozen=True, slots=True)
class JoinPartDone:
    """One of the futures a JOINING task waits on has completed."""

    task_id: int


Event = Submitted | DependencyDone | AttemptFinished | LaunchFailed | JoinPartDone


@dataclass(frozen=True, slots=True)
class WatchFutures:
    """Call back with one ``DependencyDone`` (or ``JoinPartDone``) per future completion."""

    task_id: int
    futures: tuple[Future[Any], ...]
    join: bool = False


@dataclass(frozen=True, slots=True)
class Launch:
    """Submit ``func(*args, **kwargs)`` to the executor labelled ``executor``."""

    task_id: int
    try_id: int
    executor: str
    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    resource_spec: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ResolveAppFuture:
    """Complete the task's AppFuture: with ``value``, or with ``error`` when it is set."""

    task_id: int
    value: Any
    error: BaseException | None
    story: tuple[StoryEntry, ...]


Instruction = WatchFutures | Launch | ResolveAppFuture
