"""The executor contract suite, run on every executor conveyor ships."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conveyor.executors.base import Executor
from conveyor.executors.threads import ThreadPoolExecutor
from conveyor.testing.executor_contract import ExecutorContract


class TestThreadPoolExecutor(ExecutorContract):
    @pytest.fixture
    def executor(self) -> Iterator[ThreadPoolExecutor]:
        ex = ThreadPoolExecutor(max_threads=2)
        ex.start()
        yield ex
        ex.shutdown()

    @pytest.fixture
    def break_executor(self) -> None:
        return None


class TestHighThroughputExecutor(ExecutorContract):
    @pytest.fixture
    def executor(self, tmp_path: Path) -> Iterator[Executor]:
        from conveyor.executors.htex.executor import HighThroughputExecutor
        from conveyor.providers.local import LocalProvider

        ex = HighThroughputExecutor(
            label="htex",
            max_workers_per_node=2,
            heartbeat_period=0.5,
            heartbeat_threshold=3,
            provider=LocalProvider(init_blocks=1),
        )
        ex.run_dir = str(tmp_path)
        ex.start()
        yield ex
        ex.shutdown(wait=False, cancel_futures=True)

    @pytest.fixture
    def break_executor(self, executor: Executor) -> Callable[[], None]:
        def kill_interchange() -> None:
            proc = executor._interchange  # type: ignore[attr-defined]
            proc.kill()

        return kill_interchange
