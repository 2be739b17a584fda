"""Which pools can ever run a task that declared cores / memory / gpus (pure).

Pools register their node's shape (``{"cores": n, "memory": MB, "gpus": n}``); the
interchange sends a sized task only to a pool whose shape holds it. A task no registered
pool could ever hold is sent anyway, to be refused by the pool with
InvalidResourceSpecification, so it never waits for ever.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conveyor.executors.htex.interchange.managers import ManagerInfo
    from conveyor.executors.htex.interchange.state import BrokerState

__all__ = ["SIZED_KEYS", "fits", "fits_any", "node_shape", "sized_part", "take_fitting"]

SIZED_KEYS = ("cores", "memory", "gpus")


def sized_part(resources: Mapping[str, Any]) -> dict[str, float] | None:
    """The cores / memory / gpus of a task's resources map; None when it declares none."""
    out = {k: float(resources[k]) for k in SIZED_KEYS if k in resources}
    return out or None


def node_shape(info: Mapping[str, Any]) -> dict[str, float] | None:
    """A pool's registered shape, or None (an older or MPI pool: takes every task)."""
    shape = info.get("shape")
    if not isinstance(shape, dict):
        return None
    try:
        return {k: float(shape[k]) for k in SIZED_KEYS}
    except (KeyError, TypeError, ValueError):
        return None


def fits(shape: Mapping[str, float] | None, wanted: Mapping[str, float]) -> bool:
    """True when a node of ``shape`` could ever hold ``wanted`` (unknown shapes hold all)."""
    return shape is None or all(v <= shape.get(k, 0.0) for k, v in wanted.items())


def fits_any(shapes: Iterable[Mapping[str, float] | None], wanted: Mapping[str, float]) -> bool:
    """True when some pool could ever hold ``wanted``."""
    return any(fits(shape, wanted) for shape in shapes)


def take_fitting(state: BrokerState, mgr: ManagerInfo, limit: int, now: float) -> list[list[Any]]:
    """Queued tasks for ``mgr``, skipping those it cannot take (walltime, cores, memory, gpus).

    A task is skipped when its walltime would outlast the pool's block, or when it
    declared cores / memory / gpus the pool's node could never hold.
    Skipped tasks go back to the queue for other pools; at most ``limit * 4 + 64`` queue
    entries are looked at, so a nearly finished pool cannot make dispatch scan everything.
    """
    left = mgr.ends_at - now if mgr.ends_at is not None else math.inf
    kept: list[tuple[int, int, int]] = []
    fitting: list[tuple[int, int, int]] = []
    looked = 0
    while state.queue and len(fitting) < limit and looked < limit * 4 + 64:
        entry = heapq.heappop(state.queue)
        looked += 1
        (fitting if _suits(state, mgr, entry[2], left) else kept).append(entry)
    for entry in kept:
        heapq.heappush(state.queue, entry)
    return state.hand(mgr, [entry[2] for entry in fitting]) if fitting else []


def _suits(state: BrokerState, mgr: ManagerInfo, task_id: int, left: float) -> bool:
    if state.walltimes.get(task_id, 0.0) >= left:
        return False
    wanted = state.sized.get(task_id)
    if wanted is None or fits(mgr.shape, wanted):
        return True
    # no pool could ever hold it: this one refuses it (InvalidResourceSpecification)
    return not fits_any((m.shape for m in state.managers.values()), wanted)
