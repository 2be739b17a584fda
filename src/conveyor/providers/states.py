"""Batch job states as a provider reports them (Parsl's ``parsl.jobs.states``)."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

__all__ = ["TERMINAL_STATES", "JobState", "JobStatus"]


class JobState(IntEnum):
    """State of one batch job (block), as the provider sees it."""

    #: The provider could not tell the state.
    UNKNOWN = 0
    #: Queued, waiting for resources.
    PENDING = 1
    #: Running on its nodes.
    RUNNING = 2
    #: Cancelled (by conveyor or by someone else).
    CANCELLED = 3
    #: Ended normally.
    COMPLETED = 4
    #: Ended with an error (non-zero exit, node failure, out of memory, ...).
    FAILED = 5
    #: Killed at its time limit.
    TIMEOUT = 6
    #: Held or suspended by the batch system; may run later.
    HELD = 7
    #: The batch system no longer knows the job (purged, or never seen).
    MISSING = 8
    #: Stopped by conveyor's scaling strategy (scale-in).
    SCALED_IN = 9

    @property
    def terminal(self) -> bool:
        """True when the job can never run (again)."""
        return self in TERMINAL_STATES

    def __str__(self) -> str:
        return f"{self.__class__.__name__}.{self.name}"


TERMINAL_STATES = frozenset(
    {
        JobState.CANCELLED,
        JobState.COMPLETED,
        JobState.FAILED,
        JobState.TIMEOUT,
        JobState.MISSING,
        JobState.SCALED_IN,
    }
)


class JobStatus:
    """A job's state plus optional message, exit code and stdout/stderr file paths."""

    __slots__ = ("exit_code", "message", "state", "stderr_path", "stdout_path")

    def __init__(
        self,
        state: JobState,
        message: str | None = None,
        exit_code: int | None = None,
        stdout_path: str | None = None,
        stderr_path: str | None = None,
    ) -> None:
        self.state = state
        self.message = message
        self.exit_code = exit_code
        self.stdout_path = stdout_path
        self.stderr_path = stderr_path

    @property
    def terminal(self) -> bool:
        """True when the job is in a terminal state."""
        return self.state.terminal

    @property
    def status_name(self) -> str:
        """The state's name, e.g. ``"RUNNING"``."""
        return self.state.name

    def __repr__(self) -> str:
        return f"JobStatus(state={self.state.name}, message={self.message!r}, exit_code={self.exit_code})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JobStatus):
            return NotImplemented
        return (self.state, self.message, self.exit_code) == (
            other.state,
            other.message,
            other.exit_code,
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def stdout(self) -> str | None:
        """Contents of the job's stdout file, if known and readable."""
        return _read(self.stdout_path)

    @property
    def stderr(self) -> str | None:
        """Contents of the job's stderr file, if known and readable."""
        return _read(self.stderr_path)


def _read(path: str | None) -> str | None:
    if not path:
        return None
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return None
