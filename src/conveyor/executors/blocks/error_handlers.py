"""Parsl's block error handlers: decide from the blocks' statuses whether to break an executor.

    BlockManager poll -> executor.handle_errors({block id: JobStatus})
                      -> executor.block_error_handler(executor, statuses)
                      -> executor.set_bad_state_and_fail_all(TooManyJobFailuresError(...))

``HighThroughputExecutor(block_error_handler=...)`` takes ``True`` (the default: conveyor's
own rule, which is ``simple_error_handler``'s before any pool registered and three failures
in a row after), ``False`` (never break), or any of these functions or one of the same
signature.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from conveyor.errors import TooManyJobFailuresError
from conveyor.providers.states import JobState, JobStatus

__all__ = [
    "ErrorHandler",
    "noop_error_handler",
    "resolve_handler",
    "simple_error_handler",
    "windowed_error_handler",
]

_FAILED = (JobState.FAILED, JobState.MISSING)
#: ``handler(executor, {block id: JobStatus})``; breaks it with set_bad_state_and_fail_all
ErrorHandler = Callable[[Any, Mapping[str, JobStatus]], None]


def noop_error_handler(executor: Any, status: Mapping[str, JobStatus], threshold: int = 3) -> None:
    """Never break the executor."""


def simple_error_handler(
    executor: Any, status: Mapping[str, JobStatus], threshold: int = 3
) -> None:
    """Break it when every block failed and there are at least ``init_blocks`` (>= 1) of them."""
    init_blocks = getattr(executor.provider, "init_blocks", None)
    if init_blocks is not None:
        threshold = max(1, init_blocks)
    failed = sum(1 for s in status.values() if s.state in _FAILED)
    if len(status) >= threshold and failed == len(status):
        executor.set_bad_state_and_fail_all(_error(status))


def windowed_error_handler(
    executor: Any, status: Mapping[str, JobStatus], threshold: int = 3
) -> None:
    """Break it when the ``threshold`` most recent blocks (by block id) all failed."""
    recent = sorted(status, key=int)[-threshold:]
    if len(recent) == threshold and all(status[b].state in _FAILED for b in recent):
        executor.set_bad_state_and_fail_all(_error(status))


def _error(status: Mapping[str, JobStatus]) -> TooManyJobFailuresError:
    """Every block's message and exit code, numbered."""
    lines: list[str] = []
    for n, s in enumerate(status.values(), start=1):
        lines.append(f"Error {n}:")
        if s.message is not None:
            lines.append(f"\t{s.message}")
        if s.exit_code is not None:
            lines.append(f"\tEXIT CODE: {s.exit_code}")
    return TooManyJobFailuresError("\n".join(lines) or "No error messages received")


def resolve_handler(value: bool | ErrorHandler) -> ErrorHandler:
    """``block_error_handler`` as given: True -> simple, False -> noop, else the callable."""
    if value is True:
        return simple_error_handler
    if value is False:
        return noop_error_handler
    if not callable(value):
        raise TypeError(f"block_error_handler must be a bool or a callable, not {value!r}")
    return value
