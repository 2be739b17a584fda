"""The HTEX setup every benchmark measures, shared by the case scripts.

One LocalProvider block, ``max_workers_per_node=2`` (unless a script asks otherwise),
loopback address, label ``htex``, no scaling strategy. The classes come from the system
running the script: conveyor's when conveyor is loaded (a conveyor script, or
``conveyor run``, where ``import parsl`` is conveyor anyway), Parsl's otherwise, so the
Parsl-API case scripts stay runnable under real Parsl. Import it from a script in this
folder (the script's folder is on ``sys.path`` under ``python`` and ``conveyor run``).
"""

import sys
from typing import Any


def _classes() -> tuple[Any, Any, Any]:
    if "conveyor" in sys.modules:
        from conveyor import Config, HighThroughputExecutor, LocalProvider
    else:
        from parsl.config import Config
        from parsl.executors import HighThroughputExecutor
        from parsl.providers import LocalProvider
    return Config, HighThroughputExecutor, LocalProvider


def htex(encrypted: bool = False, workers: int = 2) -> Any:
    """The benchmarked HighThroughputExecutor: one local block of ``workers`` workers."""
    _, executor, provider = _classes()
    return executor(
        label="htex",
        max_workers_per_node=workers,
        encrypted=encrypted,
        address="127.0.0.1",
        provider=provider(init_blocks=1, max_blocks=1, min_blocks=0),
    )


def config(run_dir: str, encrypted: bool = False, **options: Any) -> Any:
    """A Config of :func:`htex` alone (``options``, e.g. ``monitoring``, are passed on)."""
    make_config = _classes()[0]
    return make_config(executors=[htex(encrypted)], run_dir=run_dir, strategy="none", **options)


def rss_kib() -> int:
    """This process's resident set size in KiB, from /proc (0 if it has no VmRSS line)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
