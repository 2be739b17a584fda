"""HTTP(S) staging providers (Parsl's ``parsl.data_provider.http``)."""

from __future__ import annotations

from conveyor.staging.url import UrlInTaskStaging, UrlSeparateTaskStaging

__all__ = ["HTTPInTaskStaging", "HTTPSeparateTaskStaging"]


class HTTPInTaskStaging(UrlInTaskStaging):
    """Downloads ``http://`` and ``https://`` inputs on the worker, before the app runs."""

    schemes = ("http", "https")


class HTTPSeparateTaskStaging(UrlSeparateTaskStaging):
    """Downloads ``http://`` and ``https://`` inputs in a separate internal task."""

    schemes = ("http", "https")
