"""AppFuture and DataFuture: what an app call returns to the user.

Data path position: created by ``DataFlowKernel.submit``; completed exactly once by the
kernel thread in the same step as the task's terminal transition. They hold no task
record: the kernel answers ``story()`` and ``task_status()`` through a small callback
(a bound method of the kernel, which is also how a future finds its kernel).

Lifted futures (Parsl's): ``fut[key]`` and ``fut.name`` (public names only) submit a small
internal task that depends on ``fut`` and returns ``result[key]`` / ``result.name``, so
they return a new AppFuture at once, fail with KeyError / AttributeError for a bad key or
name, and with DependencyError when ``fut`` fails. Nothing is stored per future for this.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from conveyor.execution.lean_future import LeanFuture

if TYPE_CHECKING:
    from conveyor.files import File

__all__ = ["AppFuture", "DataFuture", "deferred_getattr", "deferred_getitem"]

#: the outputs of every AppFuture without outputs (never appended to: the kernel assigns)
_NO_OUTPUTS: list[Any] = []

#: (task id, final story or None) -> story with state names / current state name
StoryFn = Callable[[int, Any], Sequence[tuple[str, str, str, float]]]
StatusFn = Callable[[int, Any], str]


class AppFuture(LeanFuture[Any]):
    """The future of one app invocation (a ``concurrent.futures.Future``)."""

    __slots__ = ("_func", "_status", "_story", "executor_ref", "final_story", "tid")

    # Rarely set, so class-level defaults: an instance that sets one keeps it in its own
    # __dict__ (a Future has one), every other instance stores nothing for them.
    #: DataFutures for the ``outputs`` Files of the call (shared empty list until set)
    _outputs: list[DataFuture] = _NO_OUTPUTS
    #: the task's std stream specifications as given (a DataFuture for a File staged out)
    stdout: Any = None
    stderr: Any = None
    #: the memo key of a finished memoized task (Parsl's ``task_record['hashsum']``)
    _hashsum: str | None = None

    def __init__(
        self,
        tid: int,
        *,
        story: StoryFn | None = None,
        status: StatusFn | None = None,
        func: Callable[..., Any] | None = None,
    ) -> None:
        super().__init__()
        self.tid = tid
        self._story = story
        self._status = status
        #: the app's function (``task_record['func']`` once the kernel forgot the task)
        self._func = func
        #: set by the kernel when the task ends (the kernel then forgets the task)
        self.final_story: Any = None
        #: the task's id on its executor, when that executor accepts references to it
        self.executor_ref: int | None = None

    @property
    def task_id(self) -> int:
        """The kernel's id of this task."""
        return self.tid

    @property
    def outputs(self) -> list[DataFuture]:
        """DataFutures of the files this task produces (its ``outputs`` keyword)."""
        return self._outputs

    @outputs.setter
    def outputs(self, futures: list[DataFuture]) -> None:
        self._outputs = futures

    def story(self) -> list[tuple[str, str, str, float]]:
        """Every state change of the task: ``(from, to, cause, time)``."""
        return list(self._story(self.tid, self.final_story)) if self._story else []

    def task_status(self) -> str:
        """The task's current state name (e.g. ``"launched"``)."""
        return self._status(self.tid, self.final_story) if self._status else "unknown"

    @property
    def task_record(self) -> Any:
        """Parsl's task record of this task: a read-only mapping with Parsl's keys."""
        from conveyor.kernel.parsl_records import ParslTaskRecord

        return ParslTaskRecord(self._kernel(), self)

    def _kernel(self) -> Any:
        """The kernel that runs this task (the owner of the bound ``story`` callback)."""
        return getattr(self._story, "__self__", None)

    def __getitem__(self, key: Any) -> AppFuture:
        """A new AppFuture of ``self.result()[key]`` (Parsl's lifted ``[]``)."""
        return self._lift(deferred_getitem, key)

    def __getattr__(self, name: str) -> AppFuture:
        """A new AppFuture of ``self.result().name``; names starting with ``_`` are not lifted."""
        if name.startswith("_"):
            raise AttributeError(name)
        return self._lift(deferred_getattr, name)

    def _lift(self, op: Callable[[Any, Any], Any], operand: Any) -> AppFuture:
        kernel = self._kernel()
        if kernel is None:
            raise AttributeError(f"{self!r} belongs to no DataFlowKernel: nothing to lift with")
        lifted: AppFuture = kernel.submit_internal(op, self, operand)
        return lifted

    def __repr__(self) -> str:
        return f"<AppFuture tid={self.tid} state={self._state.lower()}>"


def deferred_getitem(o: Any, k: Any) -> Any:
    """The body of a lifted ``fut[k]`` task."""
    return o[k]


def deferred_getattr(o: Any, name: str) -> Any:
    """The body of a lifted ``fut.name`` task."""
    return getattr(o, name)


class DataFuture(LeanFuture[Any]):
    """The future of a File an app produces; completes with the File when the app succeeds."""

    def __init__(self, fut: Future[Any], file_obj: File, tid: int | None = None) -> None:
        super().__init__()
        self.parent = fut
        self.file_obj = file_obj
        self.tid = tid
        fut.add_done_callback(self._parent_done)

    def _parent_done(self, fut: Future[Any]) -> None:
        exc = fut.exception()
        if exc is not None:
            self.set_exception(exc)
        else:
            self.set_result(self.file_obj)

    @property
    def filepath(self) -> str:
        """Path of the file (as ``File.filepath``)."""
        return self.file_obj.filepath

    @property
    def filename(self) -> str:
        """Base name of the file."""
        return self.file_obj.filename

    def __repr__(self) -> str:
        return f"<DataFuture tid={self.tid} file={self.file_obj.url}>"
