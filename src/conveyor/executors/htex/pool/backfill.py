"""Backfill with patience: later tasks may pass a waiting one, but not for ever (pure).

The pool runs the first pending task that fits what is free now, so small tasks go past a
large one that waits for room. Each time a task is passed over like that it loses one unit
of patience; once a task has been passed over ``PATIENCE`` times, nothing behind it starts
until it has run (its room is kept free as running tasks end), so a stream of small tasks
cannot starve a large one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["PATIENCE", "Backfill"]

#: how many times a waiting task may be passed over before it reserves the node
PATIENCE = 16


class Backfill:
    """Chooses the next pending item; remembers how often each waiting one was passed."""

    def __init__(self, patience: int = PATIENCE) -> None:
        self.patience = patience
        self.passed: dict[int, int] = {}

    def pick(self, pending: Sequence[list[Any]], fits: Callable[[list[Any]], bool]) -> int | None:
        """Index of the pending item to start now (items are ``[task_id, ...]``), or None."""
        for index, item in enumerate(pending):
            if fits(item):
                for earlier in itertools.islice(pending, index):
                    self.passed[earlier[0]] = self.passed.get(earlier[0], 0) + 1
                self.passed.pop(item[0], None)
                return index
            if self.passed.get(item[0], 0) >= self.patience:
                return None  # this one has waited long enough: keep its room
        return None
