"""Download staging for URL schemes urllib reads (http, https, ftp): in-task or separate task.

In-task: ``replace_task`` wraps the app's function in
:func:`~conveyor.staging.transfer.run_after_fetch`, so the download runs on the worker,
right before the function. Separate task: ``stage_in`` submits the download as an
internal task of the kernel (on the submit side) and returns its DataFuture; the app
waits for it like any dependency, and fails with a DependencyError carrying the
StagingError if the download fails.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, ClassVar

from conveyor.files import File
from conveyor.futures import DataFuture
from conveyor.staging.base import Staging
from conveyor.staging.transfer import fetch_url, run_after_fetch

__all__ = ["UrlInTaskStaging", "UrlSeparateTaskStaging"]


class _UrlStaging(Staging):
    schemes: ClassVar[tuple[str, ...]] = ()

    def can_stage_in(self, file: File) -> bool:
        """True for this provider's URL schemes."""
        return file.scheme in self.schemes


class UrlInTaskStaging(_UrlStaging):
    """Downloads each input File inside the task, on the worker."""

    def replace_task(
        self, dm: Any, executor: str, file: File, func: Callable[..., Any]
    ) -> Callable[..., Any] | None:
        """Set ``file.local_path`` and return ``func`` preceded by the download."""
        file.local_path = dm.local_path(executor, file)
        return functools.partial(run_after_fetch, func, file.url, file.local_path)


class UrlSeparateTaskStaging(_UrlStaging):
    """Downloads each input File in an internal task the app then depends on."""

    def stage_in(
        self, dm: Any, executor: str, file: File, parent_fut: Future[Any] | None
    ) -> DataFuture | None:
        """Set ``file.local_path``; submit the download; return its DataFuture."""
        file.local_path = dm.local_path(executor, file)
        fut = dm.submit_internal(fetch_url, file.url, file.local_path, parent=parent_fut)
        return DataFuture(fut, file, tid=fut.tid)
