"""Staging: moving the data named by Files to where tasks run, and back.

Providers (Parsl's names) are listed per executor in ``storage_access``; the default
(None) is Parsl's: ``[NoOpFileStaging(), FTPSeparateTaskStaging(), HTTPSeparateTaskStaging(),
ZipFileStaging()]``. The kernel
runs them through :class:`~conveyor.staging.elaboration.Stager` (see ``kernel/pipeline.py``).
"""

from conveyor.errors import StagingError, ZipAuthorityError
from conveyor.staging.base import Staging
from conveyor.staging.file_noop import NoOpFileStaging
from conveyor.staging.ftp import FTPInTaskStaging, FTPSeparateTaskStaging
from conveyor.staging.http import HTTPInTaskStaging, HTTPSeparateTaskStaging
from conveyor.staging.manager import DataManager, default_staging
from conveyor.staging.zip import ZipFileStaging

__all__ = [
    "DataManager",
    "FTPInTaskStaging",
    "FTPSeparateTaskStaging",
    "HTTPInTaskStaging",
    "HTTPSeparateTaskStaging",
    "NoOpFileStaging",
    "Staging",
    "StagingError",
    "ZipAuthorityError",
    "ZipFileStaging",
    "default_staging",
]
