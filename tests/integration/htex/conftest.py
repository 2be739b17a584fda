"""HTEX fixtures: real interchange and pool processes, small heartbeats, run_dir under tmp."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from htexkit import make_htex

from conveyor.executors.htex.executor import HighThroughputExecutor


@pytest.fixture
def htex(tmp_path: Path) -> Iterator[HighThroughputExecutor]:
    ex = make_htex(tmp_path)
    ex.start()
    try:
        yield ex
    finally:
        ex.shutdown(wait=False, cancel_futures=True)
