"""Errors of staging Files in and out."""

from __future__ import annotations

from conveyor.errors.base import ConveyorError

__all__ = ["StagingError", "ZipAuthorityError"]


class ZipAuthorityError(ConveyorError):
    """Raised when a ``zip:`` File URL has a netloc (authority), which is not supported."""

    def __init__(self, file: object) -> None:
        super().__init__(repr(file))
        self.file = file

    def __str__(self) -> str:
        return f"ZipFileStaging cannot stage Files with an authority (netloc) section: {self.file}"


class StagingError(ConveyorError):
    """Raised when a File cannot be staged in or out; names the File's URL."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason)
        self.url = url
        self.reason = reason

    def __str__(self) -> str:
        return f"staging of {self.url} failed: {self.reason}"
