"""FTP staging providers (Parsl's ``parsl.data_provider.ftp``); urllib speaks ``ftp://``."""

from __future__ import annotations

from conveyor.staging.url import UrlInTaskStaging, UrlSeparateTaskStaging

__all__ = ["FTPInTaskStaging", "FTPSeparateTaskStaging"]


class FTPInTaskStaging(UrlInTaskStaging):
    """Downloads ``ftp://`` inputs on the worker, before the app runs."""

    schemes = ("ftp",)


class FTPSeparateTaskStaging(UrlSeparateTaskStaging):
    """Downloads ``ftp://`` inputs in a separate internal task."""

    schemes = ("ftp",)
