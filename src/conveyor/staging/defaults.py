"""Parsl's ``default_staging`` list: the providers used when ``storage_access`` is None.

A module of its own (imported lazily by the DataManager) because building the providers
imports the URL and zip transfer code, which ``import conveyor`` should not pay for.
Users extend it as in Parsl: ``storage_access=default_staging + [MyStaging()]``.
"""

from __future__ import annotations

from conveyor.staging.base import Staging
from conveyor.staging.file_noop import NoOpFileStaging
from conveyor.staging.ftp import FTPSeparateTaskStaging
from conveyor.staging.http import HTTPSeparateTaskStaging
from conveyor.staging.zip import ZipFileStaging

__all__ = ["default_staging"]

default_staging: list[Staging] = [
    NoOpFileStaging(),
    FTPSeparateTaskStaging(),
    HTTPSeparateTaskStaging(),
    ZipFileStaging(),
]
