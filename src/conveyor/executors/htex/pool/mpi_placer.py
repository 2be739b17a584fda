"""MPI mode in the pool: which queued task runs next, on which nodes, with what environment.

Tasks arrive as ``Tasks`` items whose fifth element is the checked MPI resource
specification (``num_nodes``, ``ranks_per_node``, ``num_ranks``, ``launcher_options``).
A task runs when a worker is idle and its ``num_nodes`` are free; a task that must wait
does not hold back later tasks that fit (backfill, with patience: pool/backfill.py). A task asking for more nodes than the
block has fails at once with InvalidResourceSpecification.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from typing import Any

from conveyor.errors import InvalidResourceSpecification
from conveyor.executors.htex.mpi_nodes import NodeAllocator
from conveyor.executors.htex.mpi_prefix import mpi_environment
from conveyor.executors.htex.pool.backfill import Backfill

__all__ = ["MpiPlacer", "nodes_needed"]

logger = logging.getLogger("conveyor.pool")


def nodes_needed(task: Sequence[Any]) -> int:
    """``num_nodes`` of a Tasks item (0 when it carries no resources)."""
    return int(task[4].get("num_nodes", 0)) if len(task) > 4 else 0


class MpiPlacer:
    """Lends the block's nodes to MPI tasks and composes their launch environment."""

    def __init__(self, launcher: str, nodes: Sequence[str]) -> None:
        self.launcher = launcher
        self.nodes = NodeAllocator(nodes)
        self.backfill = Backfill()
        logger.info("MPI mode (%s): %d nodes %s", launcher, len(nodes), ",".join(nodes))

    def active(self) -> bool:
        """MPI tasks are always placed one by one."""
        return True

    def admit(self, task: Sequence[Any]) -> InvalidResourceSpecification | None:
        """Why this task can never run on this block, if it cannot."""
        needed = nodes_needed(task)
        if needed <= self.nodes.total:
            return None
        return InvalidResourceSpecification(
            {"num_nodes"},
            f"task needs num_nodes={needed} but its block has {self.nodes.total} nodes",
        )

    def take_next(
        self, pending: deque[list[Any]], undeclared_busy: int = 0
    ) -> tuple[list[Any], dict[str, str]] | None:
        """Remove and return the first pending task whose nodes are free, with its environment."""
        index = self.backfill.pick(pending, lambda t: nodes_needed(t) <= len(self.nodes.free))
        if index is None:
            return None
        task = pending[index]
        del pending[index]
        needed = nodes_needed(task)
        if not needed:
            return task, {}
        nodes = self.nodes.take(task[0], needed)
        assert nodes is not None
        return task, mpi_environment(self.launcher, task[4], nodes)

    def release(self, task_ids: Sequence[int]) -> None:
        """These tasks ended (or were lost): their nodes are free again."""
        for task_id in task_ids:
            self.nodes.give_back(task_id)
