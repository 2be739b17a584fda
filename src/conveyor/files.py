"""File: a URL-like reference to data that apps read (``inputs``) or write (``outputs``).

A File records where data lives globally (``url``, ``scheme``, ``netloc``, ``path``) and,
after staging, where it lives locally on one side (``local_path``). ``filepath`` gives
the path to open on the side that asks.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

__all__ = ["File"]


class File:
    """A file named by a path or URL (``file://``, ``http(s)://``, ``ftp://``, ``zip:``...)."""

    def __init__(self, url: str | os.PathLike[str]) -> None:
        if not isinstance(url, str | os.PathLike):
            raise TypeError(f"File needs a str or path-like url, not {type(url).__name__}")
        self.url = os.fspath(url)
        parsed = urlparse(self.url)
        self.scheme = parsed.scheme or "file"
        self.netloc = parsed.netloc
        self.path = parsed.path
        self.filename = os.path.basename(self.path)
        #: path on the side where the file was staged; None until staged
        self.local_path: str | None = None

    def cleancopy(self) -> File:
        """Return a copy with only the global, immutable part (no ``local_path``)."""
        return File(self.url)

    @property
    def filepath(self) -> str:
        """The path to open here: ``local_path`` if staged, else the path of a file: URL."""
        if self.local_path is not None:
            return self.local_path
        if self.scheme == "file":
            return self.path
        raise ValueError(
            f"No local_path set for {self!r}: {self.scheme}: files must be staged first"
        )

    def __fspath__(self) -> str:
        return self.filepath

    def __str__(self) -> str:
        return self.filepath

    def __repr__(self) -> str:
        # Parsl's form, field for field
        parts = [
            type(self).__name__,
            f"at 0x{id(self):x}",
            f"url={self.url}",
            f"scheme={self.scheme}",
            f"netloc={self.netloc}",
            f"path={self.path}",
            f"filename={self.filename}",
        ]
        if self.local_path is not None:
            parts.append(f"local_path={self.local_path}")
        return f"<{' '.join(parts)}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, File):
            return NotImplemented
        return self.url == other.url

    def __hash__(self) -> int:
        return hash(self.url)
