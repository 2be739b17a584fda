"""The queues between event sources and the writer process, and the executors' side of them.

Sources only append to deques (``collections.deque.append`` is atomic and takes no lock):
the kernel's observer appends transitions, the HTEX client's I/O thread appends pool
reports through :meth:`MonitoringLink.pool_report`, block managers append block changes
through :meth:`MonitoringLink.block_changed`. The sender thread (:mod:`.process`) pops them
once per batch interval and sends them to the writer process.
This module imports nothing from the rest of conveyor, so executors may
use it without depending on the monitoring machinery.
"""

from __future__ import annotations

import socket
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MonitoringLink", "Queues"]


@dataclass
class Queues:
    """Everything recorded and not yet written."""

    #: the kernel observer's events (kernel/observe.py)
    transitions: deque[tuple[Any, ...]] = field(default_factory=deque)
    #: the fields of ``rows.PoolTry``, of ``rows.PoolSample``, node dicts, the fields of
    #: ``rows.BlockChange``, as PLAIN tuples: the garbage collector stops tracking a tuple of plain values
    #: at its first pass, but never a named tuple (it would keep scanning the waiting ones)
    tries: deque[tuple[Any, ...]] = field(default_factory=deque)
    samples: deque[tuple[Any, ...]] = field(default_factory=deque)
    nodes: deque[Mapping[str, Any]] = field(default_factory=deque)
    blocks: deque[tuple[Any, ...]] = field(default_factory=deque)


@dataclass(frozen=True)
class MonitoringLink:
    """Handed to each executor before it starts (``executor.monitoring``)."""

    queues: Queues
    #: pools sample their workers (Parsl's ``resource_monitoring_enabled``)
    resource_monitoring: bool
    #: seconds between samples; 0 = only start and end of each try
    interval: float
    #: uids of the pools whose node row is written (touched by the client I/O threads only)
    nodes_seen: set[Any] = field(default_factory=set)

    def pool_settings(self) -> dict[str, str]:
        """What a pool's command line carries (``PoolLaunchSpec.extra``) to enable sampling."""
        if not self.resource_monitoring:
            return {}
        return {"monitoring_interval": repr(float(self.interval))}

    def block_changed(self, label: str, block_id: str, job_id: Any, status: str) -> None:
        """A block reached ``status`` (called by the block manager's threads)."""
        job = None if job_id is None else str(job_id)
        self.queues.blocks.append((label, block_id, job, status, time.time()))

    def timed(self, func: Callable[..., Any], sink: Any) -> Callable[..., Any]:
        """``func`` recording when it runs, for executors running tasks in this process.

        The call's start and end become the try's ``running`` and ``running_ended``
        (Parsl's thread pool reports them too); ``sink`` is the kernel's outcome callable
        (it carries the task and try ids). Without ids, ``func`` is returned as it is.
        """
        key = _kernel_ids(sink)
        if key is None:
            return func
        return _Timed(func, key, self.queues.tries)

    def pool_report(
        self,
        node: Mapping[str, Any],
        tries: list[list[Any]],
        samples: list[list[Any]],
        sinks: Mapping[int, Any],
    ) -> None:
        """One pool's Monitoring message, on the HTEX client's I/O thread.

        Executor task ids are turned into the kernel's (task id, try id) through the
        task's sink (the kernel's outcome callable carries both); tasks submitted without
        the kernel have none and are skipped.
        """
        q = self.queues
        uid = node.get("uid")
        if uid not in self.nodes_seen:  # one node row per pool
            self.nodes_seen.add(uid)
            q.nodes.append(node)
        host, block = str(node.get("hostname", "")), str(node.get("block_id", ""))
        for htex_id, started, ended in tries:
            key = _kernel_ids(sinks.get(htex_id))
            if key is not None:
                q.tries.append((key[0], key[1], host, block, started, ended))
        for htex_id, *values in samples:
            key = _kernel_ids(sinks.get(htex_id))
            if key is not None:
                q.samples.append((key[0], key[1], tuple(values)))


_HOST = socket.gethostname()


class _Timed:
    """Calls a task's function; appends ``(task, try, host, None, started, ended)``."""

    __slots__ = ("func", "key", "tries")

    def __init__(self, func: Callable[..., Any], key: tuple[int, int], tries: deque[Any]) -> None:
        self.func, self.key, self.tries = func, key, tries

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.time()
        try:
            return self.func(*args, **kwargs)
        finally:
            self.tries.append((*self.key, _HOST, None, started, time.time()))


def _kernel_ids(sink: Any) -> tuple[int, int] | None:
    task_id = getattr(sink, "task_id", None)
    if task_id is None:
        return None
    return task_id, getattr(sink, "try_id", 0)


#: the type of ``MonitoringLink.block_changed`` bound to nothing (for block managers)
BlockReporter = Callable[[str, str, Any, str], None]
