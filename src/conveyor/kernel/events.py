"""Events into the kernel core (past tense) and instructions out of it (imperative).

The shell turns the outside world (submit calls, future callbacks) into events, feeds
them to ``KernelCore.handle`` under the kernel lock, and carries out the instructions.

They are slotted dataclasses that nothing writes to after creation, deliberately not
``frozen``: a frozen dataclass sets each field through ``object.__setattr__``, about eight
times the cost of building a plain one, and a few of these are built for every task.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from typing import Any

from conveyor.app.call import AppCall

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


@dataclass(slots=True)
class Submitted:
    """A task was submitted by an app call (``refused``: preparing it failed; it fails)."""

    task_id: int
    call: AppCall
    refused: BaseException | None = None


@dataclass(slots=True)
class DependencyDone:
    """One of the futures a PENDING task waits on has completed."""

    task_id: int


@dataclass(slots=True)
class AttemptFinished:
    """Attempt ``try_id`` ended: ``value`` is its result, or its exception if not ``ok``."""

    task_id: int
    try_id: int
    ok: bool
    value: Any

    @classmethod
    def of(cls, task_id: int, try_id: int, future: Future[Any]) -> AttemptFinished:
        """The event for a completed ``future`` (a cancelled one failed with CancelledError)."""
        try:
            error = future.exception(timeout=0)
        except CancelledError as exc:
            error = exc
        if error is not None:
            return cls(task_id, try_id, False, error)
        return cls(task_id, try_id, True, future.result(timeout=0))


@dataclass(slots=True)
class LaunchFailed:
    """``Executor.submit`` raised instead of returning a future."""

    task_id: int
    try_id: int
    error: BaseException


@dataclass(slots=True)
class JoinPartDone:
    """One of the futures a JOINING task waits on has completed."""

    task_id: int


Event = Submitted | DependencyDone | AttemptFinished | LaunchFailed | JoinPartDone


@dataclass(slots=True)
class WatchFutures:
    """Call back with one ``DependencyDone`` (or ``JoinPartDone``) per future completion."""

    task_id: int
    futures: tuple[Future[Any], ...]
    join: bool = False


@dataclass(slots=True)
class Launch:
    """Submit ``func(*args, **kwargs)`` to the executor labelled ``executor``."""

    task_id: int
    try_id: int
    executor: str
    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    resource_spec: Mapping[str, Any]
    #: unfinished dependencies go as references (kernel/refs.py)
    refs: bool = False


@dataclass(slots=True)
class ResolveAppFuture:
    """Complete the task's AppFuture: with ``value``, or with ``error`` when it is set."""

    task_id: int
    value: Any
    error: BaseException | None
    #: the task's story, encoded (``transitions.decode_story``)
    story: bytes
    #: the memo key, when the memoizer computed one (Parsl's ``task_record['hashsum']``)
    hashsum: str | None = None


Instruction = WatchFutures | Launch | ResolveAppFuture
