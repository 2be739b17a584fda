"""What a pool says about itself in its Register message (docs/protocol.md)."""

from __future__ import annotations

import math
import os
import platform
import socket
import time
from typing import Any

from conveyor.executors.htex.interchange.state import expected_versions
from conveyor.executors.htex.pool_spec import PoolLaunchSpec

__all__ = ["register_info"]


def register_info(
    spec: PoolLaunchSpec, workers: int, drain_at: float, shape: dict[str, Any] | None
) -> dict[str, Any]:
    """The Register info map: versions, sizes, when the pool stops, its node's shape."""
    info: dict[str, Any] = {
        **expected_versions(),
        "hostname": socket.gethostname(),
        "block_id": spec.block_id,
        "workers": workers,
        "prefetch": spec.prefetch_capacity,
        "pid": os.getpid(),
        "seconds_left": None if drain_at == math.inf else drain_at - time.monotonic(),
        "platform": platform.platform(),
        "python_version": platform.python_version(),
        # it holds delegated dependents (pool/holds.py)
        "holds": True,
    }
    if shape is not None:
        info["shape"] = shape
    info.update({k: v for k, v in spec.extra.items() if k.startswith("override_")})
    return info
