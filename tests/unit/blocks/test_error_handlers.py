"""Parsl's block error handlers, on status dicts (no processes: they are pure decisions)."""

from typing import Any

import pytest

from conveyor.errors import TooManyJobFailuresError
from conveyor.executors.blocks.error_handlers import (
    noop_error_handler,
    resolve_handler,
    simple_error_handler,
    windowed_error_handler,
)
from conveyor.providers.states import JobState, JobStatus

F, C, M = JobState.FAILED, JobState.COMPLETED, JobState.MISSING


class Executor:
    def __init__(self, init_blocks: int = 0) -> None:
        self.provider = type("P", (), {"init_blocks": init_blocks})()
        self.broken_with: list[BaseException] = []

    def set_bad_state_and_fail_all(self, exception: BaseException) -> None:
        self.broken_with.append(exception)


def statuses(*states: JobState) -> dict[str, JobStatus]:
    return {str(i): JobStatus(s, f"block {i} said so", exit_code=i) for i, s in enumerate(states)}


def test_simple_breaks_when_every_block_failed_and_there_are_init_blocks_of_them() -> None:
    ex = Executor(init_blocks=3)
    simple_error_handler(ex, statuses(F, F))
    simple_error_handler(ex, statuses(C, F, F, F))
    assert ex.broken_with == []
    simple_error_handler(ex, statuses(F, M, F))
    (error,) = ex.broken_with
    assert isinstance(error, TooManyJobFailuresError)
    assert "Error 3:" in str(error) and "block 2 said so" in str(error)
    assert "EXIT CODE: 2" in str(error)
    one = Executor(init_blocks=0)  # at least one block
    simple_error_handler(one, statuses(F))
    assert len(one.broken_with) == 1


def test_windowed_breaks_when_the_last_threshold_blocks_failed() -> None:
    ex = Executor()
    windowed_error_handler(ex, statuses(F, F))
    windowed_error_handler(ex, statuses(C, F, F))
    windowed_error_handler(ex, statuses(F, F, C, F))
    assert ex.broken_with == []
    windowed_error_handler(ex, statuses(C, F, F, F))
    assert len(ex.broken_with) == 1


def test_noop_never_breaks_and_resolve_maps_bools() -> None:
    ex = Executor()
    noop_error_handler(ex, statuses(F, F, F, F))
    assert ex.broken_with == []
    assert resolve_handler(True) is simple_error_handler
    assert resolve_handler(False) is noop_error_handler
    custom: Any = lambda executor, status: None  # noqa: E731
    assert resolve_handler(custom) is custom
    with pytest.raises(TypeError, match="block_error_handler"):
        resolve_handler("sometimes")  # type: ignore[arg-type]
