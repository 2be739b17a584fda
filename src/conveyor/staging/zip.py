"""ZipFileStaging (Parsl's ``parsl.data_provider.zip``): files inside a zip archive.

URLs look like ``zip:/path/to/archive.zip/member/name``. Inputs are extracted on the
worker before the app runs; outputs are written by the app to a local path and added
to the archive (creating it if needed) after the app returns, on the worker, under an
advisory lock on ``<archive>.lock``. The archive must be on a disk the workers see.
A URL with an authority (``zip://host/...``) raises :class:`ZipAuthorityError`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from conveyor.errors import ZipAuthorityError
from conveyor.files import File
from conveyor.staging.base import Staging
from conveyor.staging.transfer import run_after_extract, run_then_store_in_zip, zip_path_split

__all__ = ["ZipAuthorityError", "ZipFileStaging", "zip_path_split"]


def _is_zip_url(file: File) -> bool:
    if file.scheme != "zip":
        return False
    if file.netloc:
        raise ZipAuthorityError(file)
    return True


class ZipFileStaging(Staging):
    """Stages ``zip:`` Files in (extract) and out (add to the archive), in the task."""

    def can_stage_in(self, file: File) -> bool:
        """True for ``zip:`` URLs; ZipAuthorityError if the URL has a netloc."""
        return _is_zip_url(file)

    def can_stage_out(self, file: File) -> bool:
        """True for ``zip:`` URLs; ZipAuthorityError if the URL has a netloc."""
        return _is_zip_url(file)

    def replace_task(
        self, dm: Any, executor: str, file: File, func: Callable[..., Any]
    ) -> Callable[..., Any] | None:
        """Set ``file.local_path``; return ``func`` preceded by the extraction."""
        return _wrap(run_after_extract, dm, executor, file, func)

    def replace_task_stage_out(
        self, dm: Any, executor: str, file: File, func: Callable[..., Any]
    ) -> Callable[..., Any] | None:
        """Set ``file.local_path``; return ``func`` followed by storing the file in the zip."""
        return _wrap(run_then_store_in_zip, dm, executor, file, func)


def _wrap(
    runner: Callable[..., Any], dm: Any, executor: str, file: File, func: Callable[..., Any]
) -> Callable[..., Any]:
    """``func`` run by ``runner`` with the archive, the member and its local path."""
    archive, member = zip_path_split(file.path, file.url)
    file.local_path = dm.local_path(executor, file, member)
    return functools.partial(runner, func, file.url, archive, member, file.local_path)
