"""A larger young generation for the cyclic garbage collector while a kernel runs.

Every task leaves a few dozen small objects in the submitting process (its record, its
future, the messages that carry it). Reference counting frees them; the cyclic collector
finds nothing among them, but with CPython's default threshold it looks at the young
generation every 700 allocations, and at everything in flight every so often: with many
tasks in flight that is several µs of the submitter's CPU per task (bench/RESULTS.md).

While a DataFlowKernel runs, the young generation's threshold is raised to
``YOUNG_THRESHOLD``, only if it is still CPython's default (a program that set its own
keeps it), and put back at cleanup unless the program changed it meanwhile. Setting the
environment variable ``CONVEYOR_GC=keep`` leaves the collector alone.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable

__all__ = ["DEFAULT_YOUNG_THRESHOLD", "YOUNG_THRESHOLD", "widen_young_generation"]

#: CPython's default threshold of generation 0
DEFAULT_YOUNG_THRESHOLD = 700
#: the threshold while a kernel runs
YOUNG_THRESHOLD = 10_000


def widen_young_generation() -> Callable[[], None]:
    """Raise generation 0's threshold if it is the default; return what puts it back."""
    young, *older = gc.get_threshold()
    if os.environ.get("CONVEYOR_GC") == "keep" or young != DEFAULT_YOUNG_THRESHOLD:
        return _nothing
    gc.set_threshold(YOUNG_THRESHOLD, *older)

    def restore() -> None:
        now, *rest = gc.get_threshold()
        if now == YOUNG_THRESHOLD:
            gc.set_threshold(young, *rest)

    return restore


def _nothing() -> None:
    return None
