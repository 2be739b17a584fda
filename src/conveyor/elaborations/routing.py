"""Executor routing: choose the executor label a task runs on.

Called by the kernel core when a task is about to launch. ``executors="all"`` means any
user executor (not the internal one); a list restricts the choice. Choices rotate
round-robin, which spreads load evenly and stays deterministic in tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Literal

from conveyor.errors import ConfigurationError

__all__ = ["Router"]


class Router:
    """Round-robin choice among the executors an app allows."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = tuple(labels)
        self._counter = itertools.count()

    def choose(self, allowed: tuple[str, ...] | Literal["all"]) -> str:
        """Return one label; raise ConfigurationError naming unknown labels."""
        if allowed == "all":
            choices: Sequence[str] = self.labels
        else:
            unknown = [a for a in allowed if a not in self.labels and not a.startswith("_")]
            if unknown:
                raise ConfigurationError(
                    f"app asks for executors {unknown}, but the loaded config has {list(self.labels)}"
                )
            choices = allowed
        if not choices:
            raise ConfigurationError("no executor available for this app")
        if len(choices) == 1:
            return choices[0]
        return choices[next(self._counter) % len(choices)]
