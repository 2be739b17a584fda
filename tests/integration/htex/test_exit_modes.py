"""Leaving ``with load(...)`` with HTEX tasks unfinished, per ``Config.exit_mode``.

``cleanup`` (and any exit by exception) does not wait for running tasks, nor for pools
that never connected: it fails the unfinished tasks with a message saying why. ``wait``
waits for every task, as Parsl's does. "Fast" is checked as "does not hang within a bound
far below what waiting would take" (the tasks sleep 600 s, heartbeat_threshold is 120 s).
"""

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from htexkit import make_htex, processes_of, wait_until

import conveyor
from conveyor import Config, python_app
from conveyor.errors import DataFlowException, ExecutorShutDown
from conveyor.futures import AppFuture
from conveyor.providers.local import LocalProvider
from conveyor.providers.states import JobState, JobStatus

#: far less than a task (600 s) or heartbeat_threshold (120 s), far more than an exit needs
BOUND = 45.0


@python_app
def nap(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


def _config(tmp_path: Path, exit_mode: str, **htex: Any) -> Config:
    ex = make_htex(tmp_path / "runs", heartbeat_threshold=120, **htex)
    return Config(
        executors=[ex], run_dir=str(tmp_path / "runs"), strategy=None, exit_mode=exit_mode
    )  # type: ignore[arg-type]


def _returns_within(bound: float, body: Callable[[], list[Any]]) -> list[Any]:
    """Run ``body`` in a thread; fail the test if it has not returned after ``bound`` s."""
    out: list[list[Any]] = []
    thread = threading.Thread(target=lambda: out.append(body()), daemon=True)
    thread.start()
    thread.join(bound)
    assert not thread.is_alive(), f"leaving the with block still blocks after {bound} s"
    assert out, "the with block raised (see the thread's traceback above)"
    return out[0]


def _assert_failed_because_of_cleanup(futures: list[AppFuture]) -> None:
    # the kernel's own failure, or the executor's (ExecutorShutDown): both DataFlowExceptions
    for fut in futures:
        error = fut.exception(timeout=0)
        assert isinstance(error, DataFlowException), error
        assert "cleanup does not wait for running tasks" in str(error)
        assert "exit_mode='wait'" in str(error)


def test_cleanup_mode_does_not_wait_for_running_tasks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def body() -> list[AppFuture]:
        with conveyor.load(_config(tmp_path, "cleanup")):
            assert nap(0).result(timeout=60) == 0  # a pool is connected and serving
            futures = [nap(600) for _ in range(3)]
            assert wait_until(lambda: all(f.task_status() == "launched" for f in futures))
        return futures

    with caplog.at_level(logging.WARNING, logger="conveyor.executors.htex"):
        futures = _returns_within(BOUND, body)
    _assert_failed_because_of_cleanup(futures)
    assert "shutting down with 3 tasks unfinished" in caplog.text
    assert wait_until(lambda: not processes_of(tmp_path), timeout=20), processes_of(tmp_path)


def test_an_exception_exit_does_not_wait_even_in_wait_mode(tmp_path: Path) -> None:
    futures: list[AppFuture] = []

    def body() -> list[AppFuture]:
        config = _config(tmp_path, "wait")
        with pytest.raises(RuntimeError, match="user code failed"), conveyor.load(config):
            assert nap(0).result(timeout=60) == 0
            futures.extend(nap(600) for _ in range(2))
            raise RuntimeError("user code failed")
        return futures

    _assert_failed_because_of_cleanup(_returns_within(BOUND, body))


def test_cleanup_does_not_wait_heartbeat_threshold_when_no_pool_ever_connected(
    tmp_path: Path,
) -> None:
    def body() -> list[AppFuture]:
        config = _config(tmp_path, "cleanup")
        # the block's job starts but its pool never does (a batch job still queued, in effect)
        config.executors_tuple[0].provider = LocalProvider(init_blocks=1, worker_init="sleep 600")
        with conveyor.load(config) as dfk:
            futures = [nap(1) for _ in range(2)]
            assert dfk.executors["htex"].connected_workers() == 0
        return futures

    _assert_failed_because_of_cleanup(_returns_within(BOUND, body))
    assert wait_until(lambda: not processes_of(tmp_path), timeout=20), processes_of(tmp_path)


def test_wait_mode_waits_for_every_task(tmp_path: Path) -> None:
    with conveyor.load(_config(tmp_path, "wait")):
        futures = [nap(0.5) for _ in range(4)]
    assert [f.result(timeout=0) for f in futures] == [0.5] * 4


class QueuedProvider(LocalProvider):
    """A batch system whose jobs stay queued: real block processes, reported PENDING."""

    def status(self, job_ids: Any) -> list[JobStatus]:
        return [s if s.terminal else JobStatus(JobState.PENDING) for s in super().status(job_ids)]


def test_shutdown_wait_does_not_wait_for_blocks_still_queued(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ex = make_htex(tmp_path, heartbeat_threshold=120)
    ex.provider = QueuedProvider(init_blocks=1, worker_init="sleep 600")
    ex.start()
    futures = [ex.submit(time.sleep, {}, 1) for _ in range(2)]

    def body() -> list[Any]:
        with caplog.at_level(logging.WARNING, logger="conveyor.executors.htex"):
            ex.shutdown(wait=True)
        return futures

    for fut in _returns_within(BOUND, body):
        assert isinstance(fut.exception(timeout=0), ExecutorShutDown)
        assert "shut down before the task finished" in str(fut.exception(timeout=0))
    assert "no pool ever registered and no block runs" in caplog.text
