"""What users and monitoring read of a running DataFlowKernel, apart from its event path.

:class:`KernelQueries` is mixed into :class:`~conveyor.kernel.kernel.DataFlowKernel`:
task stories and Parsl state names (what an AppFuture asks its kernel), task counts,
Parsl's ``dfk.tasks`` table and state summary, the run id. Everything here only reads the
kernel's core and futures; nothing changes a task.
"""

from __future__ import annotations

import functools
import logging
import uuid
from typing import TYPE_CHECKING

from conveyor.kernel.parsl_records import TaskTable, state_counts
from conveyor.kernel.states import PARSL_STATE, States
from conveyor.kernel.transitions import last_state, story_names

if TYPE_CHECKING:
    from conveyor.futures import AppFuture
    from conveyor.kernel.core import KernelCore
    from conveyor.monitoring.hub import MonitoringRun

__all__ = ["KernelQueries"]

#: the kernel's own logger: the summary reads as the DataFlowKernel's, as before the split
logger = logging.getLogger("conveyor.kernel.kernel")


class KernelQueries:
    """The read side of a DataFlowKernel (the kernel sets the attributes declared here)."""

    _core: KernelCore
    _futures: dict[int, AppFuture]
    _submitted: int
    _closed: bool
    monitoring: MonitoringRun | None

    def story(self, task_id: int, final: bytes | None = None) -> list[tuple[str, str, str, float]]:
        """Transitions of a live task, or of a finished one given its ``final`` story."""
        return story_names(final if final is not None else self._core.story(task_id))

    def _status(self, task_id: int, final: bytes | None = None) -> str:
        """Parsl's state name (``"launched"``, ``"exec_done"``, ``"dep_fail"``, ...)."""
        state = last_state(final) if final else self._core.state(task_id)
        return PARSL_STATE[state].name if state is not None else "pending"

    @property
    def task_count(self) -> int:
        """Number of tasks submitted so far."""
        return self._submitted

    def tasks_outstanding(self) -> int:
        """Tasks submitted and not yet finished."""
        return len(self._futures)

    @property
    def tasks(self) -> TaskTable:
        """Parsl's ``dfk.tasks``: live tasks by id, each a read-only Parsl task record."""
        return TaskTable(self)

    @property
    def task_state_counts(self) -> dict[States, int]:
        """Parsl's counts of tasks per ``States`` (finished ones in their final state)."""
        return state_counts(self._core.counts(), self._core.ended)

    @functools.cached_property
    def run_id(self) -> str:
        """Parsl's ``dfk.run_id``: the monitoring run's id (a UUID), else a UUID of its own."""
        run = self.monitoring
        return run.run_id if run is not None else str(uuid.uuid4())

    @property
    def cleanup_called(self) -> bool:
        """True once ``cleanup()`` has started (Parsl's attribute)."""
        return self._closed

    def log_task_states(self) -> None:
        """Log how many tasks are in each Parsl state (Parsl's summary, also at cleanup)."""
        logger.info("Summary of tasks in DFK:")
        for state, count in self.task_state_counts.items():
            logger.info("Tasks in state %s: %s", state, count)
        logger.info("End of summary")
