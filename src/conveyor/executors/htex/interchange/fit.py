"""Which pools can ever run a task that declared cores / memory / gpus (pure).

Pools register their node's shape (``{"cores": n, "memory": MB, "gpus": n}``); the
interchange sends a sized task only to a pool whose shape holds it. A task no registered
pool could ever hold is sent anyway, to be refused by the pool with
InvalidResourceSpecification, so it never waits for ever.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["SIZED_KEYS", "fits", "fits_any", "node_shape", "sized_part"]

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
