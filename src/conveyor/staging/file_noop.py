"""NoOpFileStaging: ``file://`` URLs and plain paths are used where they are (shared disk)."""

from __future__ import annotations

from conveyor.files import File
from conveyor.staging.base import Staging

__all__ = ["NoOpFileStaging"]


class NoOpFileStaging(Staging):
    """Accepts local files in and out and does nothing: ``File.filepath`` is the path."""

    def can_stage_in(self, file: File) -> bool:
        """True for ``file:`` URLs and plain paths."""
        return file.scheme == "file"

    def can_stage_out(self, file: File) -> bool:
        """True for ``file:`` URLs and plain paths."""
        return file.scheme == "file"
