"""The provider contract: how an executor obtains blocks of nodes for its worker pools.

Data path position: the executor's scaling poller -> ``ExecutionProvider.submit(command)``
-> a batch job (or local process) whose launcher starts one pool per node.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

from conveyor.providers.states import JobState, JobStatus

__all__ = ["ExecutionProvider", "job_record"]


def job_record(
    job_id: str, status: JobStatus | None, stdout_path: str, stderr_path: str
) -> dict[str, Any]:
    """One entry of a provider's ``resources`` table, with Parsl's keys.

    ``status`` is the job's last known status (PENDING when it was never asked about).
    """
    return {
        "job_id": job_id,
        "status": status if status is not None else JobStatus(JobState.PENDING),
        "job_stdout_path": stdout_path,
        "job_stderr_path": stderr_path,
    }


class ExecutionProvider(abc.ABC):
    """Base class of providers (LocalProvider, SlurmProvider, ...).

    Block sizing attributes are read by the executor's scaling strategy.
    """

    label: str = "provider"
    nodes_per_block: int = 1
    init_blocks: int = 1
    min_blocks: int = 0
    max_blocks: int = 1
    parallelism: float = 1.0
    walltime: str = "00:10:00"
    #: cores per node, if the provider knows it; used to size pools
    cores_per_node: int | None = None
    #: memory per node in GB, if the provider knows it
    mem_per_node: float | None = None
    #: directory for job scripts and job stdout/stderr (set by the executor)
    script_dir: str = "."
    #: a launcher (callable (command, tasks_per_node, nodes_per_block) -> command)
    launcher: Any = None

    @abc.abstractmethod
    def submit(self, command: str, tasks_per_node: int, job_name: str = "conveyor.auto") -> Any:
        """Start a block running ``command``; return its job id."""

    @abc.abstractmethod
    def status(self, job_ids: Sequence[Any]) -> Sequence[JobStatus]:
        """Return the status of each job id, in order."""

    @abc.abstractmethod
    def cancel(self, job_ids: Sequence[Any]) -> Sequence[bool]:
        """Cancel the jobs; return, per job, whether the cancel was accepted."""

    @property
    def block_seconds(self) -> float | None:
        """How long a block lives before the batch system ends it; None = no limit."""
        return None

    @property
    def status_polling_interval(self) -> float:
        """Seconds between status polls that this provider tolerates."""
        return 5.0
