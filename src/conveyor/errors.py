"""Every exception conveyor raises, under one root: :class:`ConveyorError`.

The names and meanings follow Parsl's so that ``except`` clauses in Parsl scripts keep
working through the compatibility module (:mod:`conveyor.compat`).

Pickling rule: each exception passes exactly its constructor arguments, in order, to
``Exception.__init__``, so the default ``cls(*self.args)`` reconstruction works when an
exception crosses a process boundary (worker -> pool -> interchange -> client).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor
from typing import Any

__all__ = [
    "AppBadFormatting",
    "AppException",
    "AppTimeout",
    "BadCheckpoint",
    "BadLauncher",
    "BadMessage",
    "BadStateException",
    "BadStdStreamFile",
    "BashAppNoReturn",
    "BashExitFailure",
    "BlocksFailed",
    "BrokenHtex",
    "CommandClientTimeoutError",
    "ConfigurationError",
    "ConveyorError",
    "DataFlowException",
    "DependencyError",
    "DeserializationError",
    "ExecutionProviderException",
    "ExecutorError",
    "ExecutorShutDown",
    "InternalConsistencyError",
    "InternalError",
    "InvalidResourceSpecification",
    "InvalidTransition",
    "JoinError",
    "ManagerLost",
    "MissingOutputs",
    "NoDataFlowKernelError",
    "OptionalModuleMissing",
    "PropagatedException",
    "ProtocolError",
    "ScaleOutFailed",
    "ScalingFailed",
    "SerializationError",
    "StagingError",
    "SubmitException",
    "TooManyJobFailuresError",
    "UnsupportedFeatureError",
    "VersionMismatch",
    "WorkerLost",
    "ZipAuthorityError",
]


class ConveyorError(Exception):
    """Root of every conveyor exception (Parsl's ``ParslError``)."""

    def __str__(self) -> str:
        return self.args[0] if len(self.args) == 1 and isinstance(self.args[0], str) else repr(self)


ParslError = ConveyorError


class ConfigurationError(ConveyorError):
    """Raised when a configuration object or option is invalid, at construction time."""


class OptionalModuleMissing(ConveyorError):
    """Raised when a feature needs a Python module that is not installed."""

    def __init__(self, module_names: Sequence[str], reason: str) -> None:
        super().__init__(list(module_names), reason)
        self.module_names = list(module_names)
        self.reason = reason

    def __str__(self) -> str:
        return f"The functionality requested requires missing optional modules {self.module_names}, because: {self.reason}"


class InternalError(ConveyorError):
    """Raised when conveyor detects a bug in itself; please report it."""


InternalConsistencyError = InternalError


class NoDataFlowKernelError(ConveyorError):
    """Raised when an app is called while no kernel is loaded (call ``conveyor.load`` first)."""


class InvalidTransition(InternalError):
    """Raised when the kernel is asked to move a task along an edge its state table forbids."""

    def __init__(self, task_id: int, start: str, finish: str, story: Sequence[Any] = ()) -> None:
        super().__init__(task_id, start, finish, list(story))
        self.task_id = task_id
        self.start = start
        self.finish = finish
        self.story = list(story)

    def __str__(self) -> str:
        return f"task {self.task_id}: illegal transition {self.start} -> {self.finish}"


# --- app errors ----------------------------------------------------------------------


class AppException(ConveyorError):
    """Raised by an app's execution machinery when the app itself failed."""


class AppBadFormatting(ConveyorError):
    """Raised when a bash app's command string cannot be formatted."""


class BashExitFailure(AppException):
    """Raised when a bash app's command exits with a non-zero code."""

    def __init__(self, app_name: str, exitcode: int) -> None:
        super().__init__(app_name, exitcode)
        self.app_name = app_name
        self.exitcode = exitcode

    def __str__(self) -> str:
        return f"bash_app {self.app_name} failed with unix exit code {self.exitcode}"


class AppTimeout(AppException):
    """Raised when an app exceeds its ``walltime``; its process tree has been killed."""


class BashAppNoReturn(AppException):
    """Raised when a bash app's function does not return a command string."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MissingOutputs(ConveyorError):
    """Raised when an app finished but did not produce all of its declared ``outputs``."""

    def __init__(self, reason: str, outputs: Sequence[Any]) -> None:
        super().__init__(reason, list(outputs))
        self.reason = reason
        self.outputs = list(outputs)

    def __str__(self) -> str:
        return f"Missing Outputs: {self.outputs}, Reason: {self.reason}"


class BadStdStreamFile(ConveyorError):
    """Raised when a ``stdout``/``stderr`` specification is malformed or cannot be opened."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return f"Bad Stream File: {self.reason}"


# --- dataflow errors -----------------------------------------------------------------


class DataFlowException(ConveyorError):
    """Base of errors raised by the dataflow kernel itself."""


class BadCheckpoint(DataFlowException):
    """Raised when a checkpoint cannot be read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PropagatedException(DataFlowException):
    """A task failed because other tasks it relied on failed.

    ``dependent_exceptions_tids`` holds ``(exception, description)`` pairs (``"task 3"``,
    ``"DataFuture from task 3"`` or the repr of another future). ``__cause__`` is the root
    exception, found by following the first failed dependency down; the message names
    that path (``... via task 2 <- task 1``), as Parsl's does.
    """

    kind = "Propagated"

    def __init__(
        self, dependent_exceptions_tids: Sequence[tuple[BaseException, str | None]], task_id: int
    ) -> None:
        super().__init__(list(dependent_exceptions_tids), task_id)
        self.dependent_exceptions_tids = list(dependent_exceptions_tids)
        self.task_id = task_id
        self.__cause__, self._cause_sequence = self._find_any_root_cause()

    def _find_any_root_cause(self) -> tuple[BaseException, list[str]]:
        e: BaseException = self
        path: list[str] = []
        while isinstance(e, PropagatedException) and e.dependent_exceptions_tids:
            first, description = e.dependent_exceptions_tids[0]
            text = description if description is not None else "<unknown>"
            if len(e.dependent_exceptions_tids) > 1:
                text += " (+ others)"
            path.append(text)
            e = first
        return e, path

    def __str__(self) -> str:
        via = " <- ".join(self._cause_sequence)
        return f"{self.kind} failure for task {self.task_id}. The representative cause is via {via}"


class DependencyError(PropagatedException):
    """Raised (without running the task) when one of the task's dependencies failed."""

    kind = "Dependency"


class JoinError(PropagatedException):
    """Raised when a task returned by a ``join_app`` failed."""

    kind = "Join"


# --- executor errors ----------------------------------------------------------------


class ExecutorError(ConveyorError):
    """Raised by an executor; ``executor`` is the executor's label."""

    def __init__(self, executor: object, reason: str) -> None:
        label = str(getattr(executor, "label", executor))
        super().__init__(label, reason)
        self.executor = label
        self.reason = reason

    def __str__(self) -> str:
        return f"Executor {self.executor} failed due to: {self.reason}"


class BadStateException(ExecutorError):
    """Raised for tasks of an executor that has entered a bad state."""


class UnsupportedFeatureError(ExecutorError):
    """Raised when a feature is requested that the target executor does not support."""


class ScalingFailed(ExecutorError):
    """Raised when an executor could not scale out."""


class InvalidResourceSpecification(ExecutorError):
    """Raised when a task's resource specification has keys or values the executor rejects."""

    def __init__(self, invalid_keys: set[str] | Sequence[str], message: str = "") -> None:
        ConveyorError.__init__(self, set(invalid_keys), message)
        self.executor = ""
        self.invalid_keys = set(invalid_keys)
        self.reason = message or f"invalid resource specification keys: {sorted(self.invalid_keys)}"

    def __str__(self) -> str:
        return self.reason


class BadMessage(ConveyorError):
    """Raised when a message of an unexpected type or shape was received."""


class ProtocolError(BadMessage):
    """Raised when bytes on an HTEX link do not decode to a valid protocol message."""


class BrokenHtex(ConveyorError, BrokenExecutor):
    """Raised for every pending task when the HTEX interchange died or became unreachable."""


class ExecutorShutDown(BrokenHtex, DataFlowException):
    """Raised for a task still unfinished when its HTEX was shut down (e.g. at cleanup)."""


class TooManyJobFailuresError(ConveyorError):
    """An executor's blocks failed too often (raised by block error handlers)."""


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


# --- serialization ------------------------------------------------------------------


class SerializationError(ConveyorError):
    """Raised when a function, argument or result cannot be serialized."""

    def __init__(self, fname: str) -> None:
        super().__init__(fname)
        self.fname = fname

    def __str__(self) -> str:
        return f"Failed to serialize data objects for {self.fname}"


class DeserializationError(ConveyorError):
    """Raised when received bytes cannot be deserialized."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return f"Failed to deserialize objects. Reason: {self.reason}"


# --- providers, launchers, staging --------------------------------------------------


class ExecutionProviderException(ConveyorError):
    """Base of errors raised by execution providers."""


class ScaleOutFailed(ExecutionProviderException):
    """Raised when a provider could not start a block."""

    def __init__(self, provider: str, reason: str) -> None:
        super().__init__(provider, reason)
        self.provider = provider
        self.reason = reason

    def __str__(self) -> str:
        return f"Unable to scale out {self.provider}: {self.reason}"


class SubmitException(ExecutionProviderException):
    """Raised when a batch system rejects a job; carries the command's output."""

    def __init__(
        self,
        job_name: str,
        message: str,
        stdout: str | None = None,
        stderr: str | None = None,
        retcode: int | None = None,
    ) -> None:
        super().__init__(job_name, message, stdout, stderr, retcode)
        self.job_name = job_name
        self.message = message
        self.stdout = stdout
        self.stderr = stderr
        self.retcode = retcode

    @property
    def task_name(self) -> str:
        """Parsl's old name for ``job_name`` (deprecated there too: warns)."""
        warnings.warn(
            "SubmitException.task_name is deprecated; use job_name", DeprecationWarning, 2
        )
        return self.job_name

    def __str__(self) -> str:
        return (
            f"Cannot launch job {self.job_name}: {self.message}; "
            f"recode={self.retcode}, stdout={self.stdout!r}, stderr={self.stderr!r}"
        )


class BadLauncher(ExecutionProviderException, TypeError):
    """Raised when a provider is given something that is not a launcher."""

    def __init__(self, launcher: object) -> None:
        super().__init__(repr(launcher))
        self.launcher = launcher

    def __str__(self) -> str:
        return f"Bad Launcher provided: {self.launcher}, expecting a conveyor Launcher"


class ZipAuthorityError(ConveyorError):
    """Raised when a ``zip:`` File URL has a netloc (authority), which is not supported."""

    def __init__(self, file: object) -> None:
        super().__init__(repr(file))
        self.file = file

    def __str__(self) -> str:
        return f"ZipFileStaging cannot stage Files with an authority (netloc) section: {self.file}"


class StagingError(ConveyorError):
    """Raised when a File cannot be staged in or out; names the File's URL."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason)
        self.url = url
        self.reason = reason

    def __str__(self) -> str:
        return f"staging of {self.url} failed: {self.reason}"
