"""Errors of the high-throughput executor's links, pools and workers."""

from __future__ import annotations

from concurrent.futures import BrokenExecutor

from conveyor.errors.base import ConveyorError
from conveyor.errors.dataflow import DataFlowException
from conveyor.errors.executors import BadStateException

__all__ = [
    "BadMessage",
    "BlocksFailed",
    "BrokenHtex",
    "CommandClientTimeoutError",
    "ExecutorShutDown",
    "ManagerLost",
    "ProtocolError",
    "RemoteDependencyFailed",
    "VersionMismatch",
    "WorkerLost",
]


class BadMessage(ConveyorError):
    """Raised when a message of an unexpected type or shape was received."""


class ProtocolError(BadMessage):
    """Raised when bytes on an HTEX link do not decode to a valid protocol message."""


class BrokenHtex(ConveyorError, BrokenExecutor):
    """Raised for every pending task when the HTEX interchange died or became unreachable."""


class ExecutorShutDown(BrokenHtex, DataFlowException):
    """Raised for a task still unfinished when its HTEX was shut down (e.g. at cleanup)."""


class BlocksFailed(BrokenHtex, BadStateException):
    """Raised for every pending task when an HTEX's blocks keep failing (Parsl's bad state)."""


class ManagerLost(ConveyorError, BrokenExecutor):
    """Raised for each task in flight on a worker pool (manager) that stopped heartbeating."""

    def __init__(self, manager_id: bytes | str, hostname: str) -> None:
        super().__init__(manager_id, hostname)
        self.manager_id = manager_id
        self.hostname = hostname

    def __str__(self) -> str:
        return f"Task failure due to loss of manager {self.manager_id!r} on host {self.hostname}"


class WorkerLost(ConveyorError, BrokenExecutor):
    """Raised for the task a worker process was running when that process died."""

    def __init__(self, worker_id: int | str, hostname: str) -> None:
        super().__init__(worker_id, hostname)
        self.worker_id = worker_id
        self.hostname = hostname

    def __str__(self) -> str:
        return f"Task failure due to loss of worker {self.worker_id} on host {self.hostname}"


class RemoteDependencyFailed(ConveyorError):
    """An attempt sent with dependency references that the interchange will not run.

    ``missing`` False: a dependency failed (the kernel fails the task with DependencyError);
    True: the interchange did not hold a dependency (the kernel resolves it and relaunches).
    Never reaches a user: the kernel replaces it.
    """

    def __init__(self, missing: bool) -> None:
        super().__init__(
            "dependency not held by the interchange" if missing else "dependency failed"
        )
        self.missing = missing


class VersionMismatch(ConveyorError):
    """Raised when a pool and the interchange speak different protocol or Python versions."""

    def __init__(self, interchange_version: str, manager_version: str) -> None:
        super().__init__(interchange_version, manager_version)
        self.interchange_version = interchange_version
        self.manager_version = manager_version

    def __str__(self) -> str:
        return (
            f"Manager version info {self.manager_version} does not match "
            f"interchange version info {self.interchange_version}"
        )


class CommandClientTimeoutError(ConveyorError):
    """Raised when the interchange does not answer a command in time."""
