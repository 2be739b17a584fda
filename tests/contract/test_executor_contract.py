"""The executor contract suite, run on every executor conveyor ships."""

from collections.abc import Iterator

import pytest

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
