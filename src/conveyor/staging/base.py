"""Staging: the interface of a staging provider (Parsl's ``parsl.data_provider.staging``).

A provider is listed in an executor's ``storage_access``. For each File an app receives
(in ``args``, keyword values or ``inputs``) the first provider whose ``can_stage_in`` is
true is asked, at submit time, for a separate stage-in task (``stage_in`` returns a
DataFuture the app then depends on) and, just before launch, for an in-task wrapper
(``replace_task`` returns the function to run instead). Files in ``outputs`` go to the
first provider whose ``can_stage_out`` is true: ``replace_task_stage_out`` wraps the
function so the file is stored after it returns (on the worker).

``dm`` is the kernel's :class:`~conveyor.staging.manager.DataManager`; ``dm.dfk`` is the
kernel, so Parsl-style providers that build internal apps on ``dm.dfk`` keep working.
``stage_out`` may start a separate stage-out task (given the app's future) whose future
the output's DataFuture then follows, as in Parsl.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from conveyor.files import File
from conveyor.futures import DataFuture

__all__ = ["Staging"]


class Staging:
    """Base class of staging providers; every hook defaults to "nothing to do"."""

    def can_stage_in(self, file: File) -> bool:
        """Whether this provider stages ``file`` in."""
        return False

    def can_stage_out(self, file: File) -> bool:
        """Whether this provider stages ``file`` out."""
        return False

    def stage_in(
        self, dm: Any, executor: str, file: File, parent_fut: Future[Any] | None
    ) -> DataFuture | None:
        """Start a separate stage-in task; return the DataFuture the app waits on, or None."""
        return None

    def stage_out(
        self, dm: Any, executor: str, file: File, app_fu: Future[Any]
    ) -> Future[Any] | None:
        """Start a separate stage-out task after ``app_fu``; return its future, or None."""
        return None

    def replace_task(
        self, dm: Any, executor: str, file: File, func: Callable[..., Any]
    ) -> Callable[..., Any] | None:
        """Return ``func`` wrapped to stage ``file`` in on the worker, or None."""
        return None

    def replace_task_stage_out(
        self, dm: Any, executor: str, file: File, func: Callable[..., Any]
    ) -> Callable[..., Any] | None:
        """Return ``func`` wrapped to stage ``file`` out on the worker, or None."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
