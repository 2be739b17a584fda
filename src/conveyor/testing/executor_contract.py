"""The executor conformance suite: behaviours every conveyor executor must show.

Use it by subclassing :class:`ExecutorContract` in a test module and providing two
fixtures: ``executor`` (a started executor, shut down by the fixture) and
``break_executor`` (a callable that breaks the executor's infrastructure, or None when
the executor has nothing that can break, e.g. threads)::

    class TestMyExecutor(ExecutorContract):
        @pytest.fixture
        def executor(self): ...
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Future, wait
from typing import Any

import pytest

from conveyor.executors.base import Executor

__all__ = ["ExecutorContract"]


def _double(x: int) -> int:
    return 2 * x


class ContractError(Exception):
    """Raised by the contract's failing task."""


def _raise(msg: str) -> None:
    raise ContractError(msg)


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


class ExecutorContract:
    """Mix into a pytest class that defines the ``executor`` and ``break_executor`` fixtures."""

    def test_submit_returns_result(self, executor: Executor) -> None:
        fut = executor.submit(_double, {}, 21)
        assert isinstance(fut, Future)
        assert fut.result(timeout=30) == 42

    def test_exception_type_preserved(self, executor: Executor) -> None:
        fut = executor.submit(_raise, {}, "contract")
        exc = fut.exception(timeout=30)
        assert isinstance(exc, ContractError)
        assert "contract" in str(exc)

    def test_map_keeps_order(self, executor: Executor) -> None:
        assert list(executor.map(_double, range(20))) == [2 * i for i in range(20)]

    def test_many_tasks_all_complete(self, executor: Executor) -> None:
        futures = [executor.submit(_double, {}, i) for i in range(200)]
        done, not_done = wait(futures, timeout=60)
        assert not not_done
        assert sorted(f.result() for f in done) == [2 * i for i in range(200)]

    def test_shutdown_idempotent_and_submit_after_shutdown(self, executor: Executor) -> None:
        executor.shutdown()
        executor.shutdown()
        with pytest.raises(RuntimeError):
            executor.submit(_double, {}, 1)

    def test_no_pending_future_after_shutdown_wait(self, executor: Executor) -> None:
        futures = [executor.submit(_sleep, {}, 0.05) for _ in range(6)]
        executor.shutdown(wait=True)
        assert all(f.done() for f in futures)

    def test_cancel_futures_on_shutdown(self, executor: Executor) -> None:
        futures = [executor.submit(_sleep, {}, 0.2) for _ in range(20)]
        executor.shutdown(wait=True, cancel_futures=True)
        assert all(f.done() for f in futures)
        assert any(f.cancelled() for f in futures) or all(f.exception() is None for f in futures)

    def test_broken_executor_fails_every_pending_future(
        self, executor: Executor, break_executor: Callable[[], Any] | None
    ) -> None:
        if break_executor is None:
            pytest.skip("this executor has no infrastructure that can break (runs in-process)")
        futures = [executor.submit(_sleep, {}, 5) for _ in range(10)]
        break_executor()
        done, not_done = wait(futures, timeout=60)
        assert not not_done, "a broken executor left futures pending"
        assert all(isinstance(f.exception(), BrokenExecutor) for f in done)
