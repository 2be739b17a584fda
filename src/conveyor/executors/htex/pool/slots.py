"""The pool's workers: one slot per worker process, how they start, how many fit the node.

spawn_worker(ctx, placement) -> WorkerSlot   a process running pool/worker.py, its pipe
count_workers(spec, accelerators)            max_workers, cores, memory, accelerators
node_shape(spec, accelerators)               what per-task resources may ask of the node
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from conveyor.executors.htex.pool.affinity import (
    WorkerPlacement,
    node_resources,
    worker_count,
    worker_environment,
)
from conveyor.executors.htex.pool.resources import NodeShape
from conveyor.executors.htex.pool.shm import BufferLink
from conveyor.executors.htex.pool.worker import worker_main
from conveyor.executors.htex.pool_spec import PoolLaunchSpec

__all__ = ["WorkerSlot", "count_workers", "node_shape", "spawn_worker"]


@dataclass(slots=True)
class WorkerSlot:
    """One worker process and what it is running."""

    rank: int
    process: Any
    conn: Connection
    tasks: set[int] = field(default_factory=set)
    functions: set[bytes] = field(default_factory=set)
    #: large buffers to and from this worker (shm.py), opened on first use
    link: BufferLink | None = None

    def buffers(self) -> BufferLink:
        """This worker's buffer link."""
        if self.link is None:
            self.link = BufferLink(self.conn)
        return self.link


def spawn_worker(ctx: Any, placement: WorkerPlacement) -> WorkerSlot:
    """Start one worker process (``ctx``: a multiprocessing context) and its pipe."""
    mine, theirs = ctx.Pipe(duplex=True)
    proc = ctx.Process(
        target=worker_main,
        args=(theirs, worker_environment(placement), placement.cpus),
        name=f"conveyor-worker-{placement.rank}",
        daemon=True,
    )
    proc.start()
    theirs.close()
    return WorkerSlot(placement.rank, proc, mine)


def _node() -> tuple[int, float | None]:
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return node_resources(os.environ, len(os.sched_getaffinity(0)), physical)


def node_shape(spec: PoolLaunchSpec, accelerators: list[str]) -> NodeShape:
    """The node as per-task resources see it (cores, memory MB, accelerators)."""
    cores, mem_gb = _node()
    return NodeShape(
        sorted(os.sched_getaffinity(0))[:cores],
        (mem_gb or 0.0) * 1024,
        accelerators,
        spec.cores_per_worker,
        spec.mem_per_worker * 1024,
    )


def count_workers(spec: PoolLaunchSpec, accelerators: list[str]) -> int:
    """How many workers this pool starts on this node."""
    cores, mem_gb = _node()
    return worker_count(
        spec.max_workers or None,
        cores,
        spec.cores_per_worker,
        mem_gb,
        spec.mem_per_worker or None,
        accelerators,
    )
