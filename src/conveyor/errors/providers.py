"""Errors of execution providers (starting blocks, batch submissions) and launchers."""

from __future__ import annotations

import warnings

from conveyor.errors.base import ConveyorError

__all__ = ["BadLauncher", "ExecutionProviderException", "ScaleOutFailed", "SubmitException"]


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
