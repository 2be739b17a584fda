"""Hook protocols: the narrow interfaces through which elaborations join the task path.

Each hook receives an :class:`~conveyor.app.call.AppCall` (at submit time) or a frozen
:class:`~conveyor.kernel.record.TaskView`, and returns a value. No hook mutates kernel
state, sees the kernel, or takes a kernel lock. ``kernel/pipeline.py`` decides the order.

    App.__call__ --> SubmitRewriter* --> [PENDING] --DependencySource--> [READY]
        --Memoizer.check_memo--> MEMO_DONE | FunctionWrapper* --> Launch --> executor
        --> AttemptJudge (on error) / SuccessInterpreter (on value) --> terminal
        --> Memoizer.update_memo_* , CompletionSink*
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol

from conveyor.app.call import AppCall
from conveyor.kernel.record import TaskView

__all__ = ["CompletionSink", "FunctionWrapper", "Memoizer", "SubmitRewriter"]


class SubmitRewriter(Protocol):
    """Called synchronously by ``DataFlowKernel.submit`` before the task is queued.

    Its exceptions reach the app's caller, unless it sets ``refuses_task = True``: then
    the task fails with the exception and the call still returns the AppFuture.
    """

    def rewrite(self, call: AppCall, task_id: int) -> AppCall:
        """Return the call to run instead (e.g. with std stream paths filled in)."""
        ...


class FunctionWrapper(Protocol):
    """Called by the kernel just before ``Launch`` to wrap the function sent to the executor."""

    def wrap(self, view: TaskView, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Return the callable to send (must be serializable for remote executors)."""
        ...


class CompletionSink(Protocol):
    """Called by the kernel when a task enters a terminal state."""

    def record(self, view: TaskView, value: Any, error: BaseException | None) -> None:
        """Observe the final value (or error) of a task. Must not raise."""
        ...


class Memoizer(abc.ABC):
    """Pluggable memo table (Parsl's ``Memoizer`` interface, on TaskViews).

    Called by the kernel: ``start`` at load, ``check_memo`` when a task becomes READY,
    ``update_memo_result``/``update_memo_exception`` when it finishes, ``close`` at cleanup.
    """

    def start(self, *, run_dir: str, config_run_dir: str) -> None:  # noqa: B027
        """Called once by the kernel at load, before any task."""

    @abc.abstractmethod
    def check_memo(self, task: TaskView) -> Future[Any] | None:
        """Return a completed future holding the memoized result, or None to run the task."""

    @abc.abstractmethod
    def update_memo_result(self, task: TaskView, r: Any) -> None:
        """Called by the kernel when a task completes successfully by running."""

    def update_memo_exception(self, task: TaskView, e: BaseException) -> None:  # noqa: B027
        """Called by the kernel when a task fails for good. Default: remember nothing."""

    def checkpoint(self) -> None:  # noqa: B027
        """Write pending checkpoint entries now (``dfk.checkpoint()``)."""

    def close(self) -> None:  # noqa: B027
        """Called by the kernel at cleanup; flush and release resources."""
