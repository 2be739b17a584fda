"""The exclusion list (``excluded.txt``): reading it and matching test ids against it.

Shared by the pytest plugin (which deselects) and by ``run.py`` / ``report.py`` (which count
only what the current list keeps, so a run made before the list changed still compares).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["Exclusions", "read"]


class Exclusions:
    """Path or test-id prefixes, and pytest marker names, that are excluded."""

    def __init__(self, patterns: list[str], markers: set[str]) -> None:
        self.patterns = patterns
        self.markers = markers

    def covers(self, nodeid: str) -> bool:
        """Whether the test (or module, or folder) ``nodeid`` is excluded by a pattern."""
        for pattern in self.patterns:
            if nodeid == pattern or nodeid.startswith(pattern.rstrip("/") + "/"):
                return True
            if nodeid.startswith((pattern + "::", pattern + "[")):
                return True
        return False

    def keep(self, results: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        """The entries of ``results`` no pattern excludes."""
        return {k: v for k, v in results.items() if not self.covers(k)}


def read(path: str | Path | None) -> Exclusions:
    """Parse ``excluded.txt``: one entry per line, ``marker:NAME`` for markers, ``#`` comments."""
    patterns: list[str] = []
    markers: set[str] = set()
    for line in Path(path).read_text().splitlines() if path else []:
        entry = line.split("#", 1)[0].strip()
        if entry.startswith("marker:"):
            markers.add(entry.removeprefix("marker:"))
        elif entry:
            patterns.append(entry)
    return Exclusions(patterns, markers)
