"""AppFuture and DataFuture: what an app call returns to the user.

Data path position: created by ``DataFlowKernel.submit``; completed exactly once by the
kernel thread in the same step as the task's terminal transition. They hold no task
record: the kernel answers ``story()`` and ``task_status()`` through a small callback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from conveyor.execution.lean_future import LeanFuture

if TYPE_CHECKING:
    from conveyor.files import File

__all__ = ["AppFuture", "DataFuture"]

#: the outputs of every AppFuture without outputs (never appended to: the kernel assigns)
_NO_OUTPUTS: list[Any] = []

#: (task id, final story or None) -> story with state names / current state name
StoryFn = Callable[[int, Any], Sequence[tuple[str, str, str, float]]]
StatusFn = Callable[[int, Any], str]


class AppFuture(LeanFuture[Any]):
    """The future of one app invocation (a ``concurrent.futures.Future``)."""

    __slots__ = ("_status", "_story", "final_story", "tid")

    # Rarely set, so class-level defaults: an instance that sets one keeps it in its own
    # __dict__ (a Future has one), every other instance stores nothing for them.
    #: DataFutures for the ``outputs`` Files of the call (shared empty list until set)
    _outputs: list[DataFuture] = _NO_OUTPUTS
    #: the task's std stream specifications as given (a DataFuture for a File staged out)
    stdout: Any = None
    stderr: Any = None

    def __init__(
        self, tid: int, *, story: StoryFn | None = None, status: StatusFn | None = None
    ) -> None:
        super().__init__()
        self.tid = tid
        self._story = story
        self._status = status
        #: set by the kernel when the task ends (the kernel then forgets the task)
        self.final_story: Any = None

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

    def __repr__(self) -> str:
        return f"<AppFuture tid={self.tid} state={self._state.lower()}>"


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
