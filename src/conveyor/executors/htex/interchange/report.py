"""What the interchange reports about itself: counters and one row per pool."""

from __future__ import annotations

import platform
from typing import TYPE_CHECKING, Any

from conveyor.version import VERSION

if TYPE_CHECKING:
    from conveyor.executors.htex.interchange.state import BrokerState

__all__ = ["pool_table", "statistics"]


def pool_table(state: BrokerState, now: float) -> list[dict[str, Any]]:
    """One row per registered pool, with Parsl's connected_managers() keys."""
    return [
        {
            "manager": m.manager_id.hex(),
            "block_id": m.block_id,
            "hostname": m.hostname,
            "worker_count": m.workers,
            "tasks": len(m.in_flight),
            "idle_duration": now - m.idle_since if m.idle_since is not None else 0.0,
            "active": m.state.value == "active",
            "draining": m.state.value == "draining",
            "parsl_version": VERSION,
            "python_version": m.python_version,
        }
        for m in state.managers.values()
    ]


def statistics(state: BrokerState, now: float) -> dict[str, Any]:
    """Counters for the client (and the scaling strategy)."""
    blocks: dict[str, dict[str, Any]] = {}
    for m in state.managers.values():
        b = blocks.setdefault(m.block_id, {"workers": 0, "busy": 0, "idle_for": None})
        b["workers"] += m.workers
        b["busy"] += len(m.in_flight)
        idle_for = now - m.idle_since if m.idle_since is not None and not m.in_flight else 0.0
        b["idle_for"] = idle_for if b["idle_for"] is None else min(b["idle_for"], idle_for)
    return {
        "queued": len(state.queue),
        "managers": len(state.managers),
        "workers": sum(m.workers for m in state.managers.values()),
        "completed": state.completed,
        "host": platform.node(),
        "blocks": blocks,
        "pools": pool_table(state, now),
        "connected_blocks": list(state.block_history),
    }
