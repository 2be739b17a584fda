"""When a pool stops taking tasks, so that no task outlives its block (pure).

A block's batch job ends at its walltime; its pool drains ``margin(life)`` before that
(a minute, or a tenth of the block's life if shorter), and ``drain_period`` can make it
drain earlier. The executor uses the same rule to refuse a task whose declared walltime
could never fit in any block.
"""

from __future__ import annotations

import logging
import math
import time

__all__ = ["DEADLINE_MARGIN", "drain_time", "margin", "usable_seconds"]

logger = logging.getLogger("conveyor.pool")

#: most seconds before its block's end at which a pool stops taking tasks
DEADLINE_MARGIN = 60.0


def margin(left: float) -> float:
    """Seconds kept free before a block end that is ``left`` seconds away."""
    return min(DEADLINE_MARGIN, max(left, 0.0) / 10)


def usable_seconds(block_seconds: float | None) -> float:
    """How long a fresh block's pool takes tasks (``inf`` when blocks have no walltime)."""
    return math.inf if block_seconds is None else block_seconds - margin(block_seconds)


def drain_time(drain_period: float, deadline: str | None, now: float | None = None) -> float:
    """Monotonic time at which the pool stops taking tasks (``inf`` = never).

    ``drain_period`` (seconds after start, 0 = none) and the block's end
    (``CONVEYOR_BLOCK_DEADLINE``, epoch seconds, set by the Slurm job script) both count.
    """
    start = time.monotonic() if now is None else now
    when = start + drain_period if drain_period > 0 else math.inf
    try:
        left = float(deadline) - time.time() if deadline else math.inf
    except ValueError:
        logger.warning("ignored CONVEYOR_BLOCK_DEADLINE=%r: not a number", deadline)
        left = math.inf
    if left != math.inf:
        when = min(when, start + left - margin(left))
    return when
