"""DataManager: chooses staging providers per executor and places staged files.

Created by ``kernel/pipeline.py``, one per kernel; handed to providers as ``dm``.
``dm.dfk`` is the kernel (found lazily: the pipeline is built inside the kernel's
constructor). Staged copies live in the executor's ``working_dir`` when it has one
(``<working_dir>/<name>``, as Parsl), else under ``<run_dir>/staging/<url hash>/<name>``
so different URLs with the same file name never collide.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from conveyor.errors import StagingError
from conveyor.files import File
from conveyor.staging.base import Staging

__all__ = ["DataManager", "default_staging"]


def default_staging() -> list[Staging]:
    """Providers used when an executor's ``storage_access`` is None.

    Parsl's list (NoOp, FTP, HTTP and zip: ``conveyor.staging.defaults.default_staging``),
    so ``zip:`` Files work without configuring it.
    """
    from conveyor.staging.defaults import default_staging as providers

    return list(providers)


class DataManager:
    """The kernel's staging context (Parsl's ``DataManager``)."""

    def __init__(
        self,
        executors: Mapping[str, Any],
        run_dir: str,
        find_kernel: Callable[[], Any],
    ) -> None:
        self.executors = dict(executors)
        self.labels = list(self.executors)
        self.staging_root = os.path.join(os.path.abspath(run_dir), "staging")
        self._find_kernel = find_kernel
        self._default = default_staging()
        self._providers: dict[str, list[Staging]] = {}

    @property
    def dfk(self) -> Any:
        """The kernel this manager belongs to."""
        return self._find_kernel()

    def submit_internal(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``func`` as an internal task of the kernel; return its AppFuture."""
        return self.dfk.submit_internal(func, *args, **kwargs)

    def label_for(self, executors: Sequence[str] | Literal["all"]) -> str:
        """The executor whose ``storage_access`` applies to an app (its first allowed one)."""
        if executors == "all":
            return self.labels[0] if self.labels else ""
        return executors[0] if executors else ""

    def providers(self, label: str) -> list[Staging]:
        """The providers of executor ``label`` (default ones when it sets none)."""
        found = self._providers.get(label)
        if found is None:
            access = getattr(self.executors.get(label), "storage_access", None)
            found = list(access) if access is not None else self._default
            self._providers[label] = found
        return found

    def provider_in(self, label: str, file: File) -> Staging | None:
        """The first provider of ``label`` that can stage ``file`` in, or None."""
        return next((p for p in self.providers(label) if p.can_stage_in(file)), None)

    def provider_out(self, label: str, file: File) -> Staging | None:
        """The first provider of ``label`` that can stage ``file`` out, or None."""
        return next((p for p in self.providers(label) if p.can_stage_out(file)), None)

    def require_in(self, label: str, file: File) -> Staging:
        """Like :meth:`provider_in`, but StagingError naming the URL when none can."""
        return self._require(self.provider_in(label, file), label, file, "in")

    def require_out(self, label: str, file: File) -> Staging:
        """Like :meth:`provider_out`, but StagingError naming the URL when none can."""
        return self._require(self.provider_out(label, file), label, file, "out")

    def _require(self, found: Staging | None, label: str, file: File, way: str) -> Staging:
        if found is None:
            raise StagingError(
                file.url,
                f"no staging provider of executor {label!r} can stage {way} {file.scheme}: files "
                f"(storage_access={self.providers(label)!r})",
            )
        return found

    def local_path(self, executor: str, file: File, name: str | None = None) -> str:
        """Where the staged copy of ``file`` goes on the side that runs ``executor``'s tasks."""
        name = name or file.filename or "index"
        working_dir = getattr(self.executors.get(executor), "working_dir", None)
        if working_dir:
            return os.path.join(working_dir, name)
        digest = hashlib.sha256(file.url.encode()).hexdigest()[:16]
        return os.path.join(self.staging_root, digest, name)
