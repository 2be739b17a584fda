"""The executor contract: where the kernel hands a ready task to something that runs it.

Data path position: kernel (``Launch`` instruction) -> ``Executor.submit`` -> plain
``concurrent.futures.Future`` -> the kernel turns its completion into an event.

Rules every implementation follows (checked by :mod:`conveyor.testing.executor_contract`):

* ``submit(fn, resource_specification, *args, **kwargs)`` returns a plain ``Future``;
  exceptions raised by ``fn`` arrive as their original type, with a ``RemoteTraceback``
  as ``__cause__`` when the task ran in another process.
* ``shutdown()`` is idempotent; ``submit`` after ``shutdown`` raises ``RuntimeError``.
* when the executor's infrastructure breaks, every pending future fails with a
  ``concurrent.futures.BrokenExecutor`` subclass; no future stays pending forever.

The kernel itself calls :meth:`Executor.submit_outcome`, which reports the outcome to a
callable instead of a Future. By default it wraps ``submit``; an executor with many tasks
in flight (HTEX) overrides it so that it keeps no Future per task.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

__all__ = ["Executor", "ExecutorStatistics", "Outcome"]

#: receives a task's outcome once: ``(True, result)`` or ``(False, exception)``
Outcome = Callable[[bool, Any], None]


@dataclass(frozen=True, slots=True)
class ExecutorStatistics:
    """A snapshot of an executor's counters, returned by :meth:`Executor.statistics`."""

    label: str
    #: tasks submitted and not yet completed
    outstanding: int = 0
    #: tasks completed (successfully or not) since start
    completed: int = 0
    #: worker slots currently connected (threads, or workers of connected pools)
    connected_workers: int = 0
    #: executor-specific extra figures (managers, blocks, ...)
    extra: Mapping[str, Any] = field(default_factory=dict)


class Executor(abc.ABC):
    """Base class of every executor (Parsl's ``ParslExecutor``).

    The kernel sets :attr:`run_dir` and :attr:`run_id` before calling :meth:`start`.
    """

    label: str = "executor"
    #: staging providers for files of tasks on this executor; ``None`` = kernel default
    storage_access: list[Any] | None = None
    #: working directory for staged files on the execution side
    working_dir: str | None = None
    #: True if the kernel should pass a task's ``walltime`` in its resource specification
    #: (HTEX uses it to keep tasks off pools whose block would end first)
    accepts_walltime: bool = False
    #: ``submit_outcome(..., refs=True)`` takes unfinished dependencies by its tasks' ids
    accepts_references: bool = False

    def __init__(self) -> None:
        self.run_dir: str = "."
        self.run_id: str | None = None

    def start(self) -> None:  # noqa: B027 - optional hook, default does nothing
        """Start the executor's threads/processes; called once by the kernel at ``load()``."""

    @abc.abstractmethod
    def submit(
        self,
        func: Callable[..., Any],
        resource_specification: Mapping[str, Any],
        *args: Any,
        **kwargs: Any,
    ) -> Future[Any]:
        """Schedule ``func(*args, **kwargs)``; return a future of its result."""

    def submit_outcome(
        self,
        done: Outcome,
        func: Callable[..., Any],
        resource_specification: Mapping[str, Any],
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
        refs: bool = False,
    ) -> int | None:
        """As :meth:`submit`, but call ``done(ok, value)`` once, from any thread, when it ends.

        Raises what ``submit`` raises when the task cannot be accepted. The default wraps
        ``submit`` and a done-callback. An executor that ``accepts_references`` returns
        the task's id, and with ``refs`` takes unfinished dependencies among ``args`` and
        ``kwargs`` by those ids (the kernel passes ``refs`` to no other executor).
        """
        fut = self.submit(func, resource_specification, *args, **kwargs)
        fut.add_done_callback(_Report(done))
        return None

    @abc.abstractmethod
    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the executor and everything it started. Idempotent."""

    def statistics(self) -> ExecutorStatistics:
        """Return a snapshot of this executor's counters."""
        return ExecutorStatistics(label=self.label)

    @property
    def bad_state_is_set(self) -> bool:
        """True once the executor has broken and fails every task."""
        return False

    @property
    def executor_exception(self) -> BaseException | None:
        """The exception that broke this executor, if any."""
        return None

    def map(
        self,
        fn: Callable[..., Any],
        *iterables: Any,
        resource_specification: Mapping[str, Any] | None = None,
    ) -> Iterator[Any]:
        """Submit ``fn`` over zipped iterables; yield results in submission order."""
        spec = resource_specification or {}
        futures = [self.submit(fn, spec, *args) for args in zip(*iterables, strict=False)]
        return (f.result() for f in futures)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown(wait=True)


class _Report:
    """A future's done-callback that hands its outcome to an :data:`Outcome`."""

    __slots__ = ("done",)

    def __init__(self, done: Outcome) -> None:
        self.done = done

    def __call__(self, future: Future[Any]) -> None:
        try:
            error = future.exception(timeout=0)
        except CancelledError as exc:
            error = exc
        if error is not None:
            self.done(False, error)
        else:
            self.done(True, future.result(timeout=0))
