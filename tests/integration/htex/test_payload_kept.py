"""Arguments a task keeps stay intact while later tasks' payloads reuse the pool's files."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from htexkit import make_htex

from conveyor.executors.htex.executor import HighThroughputExecutor

MIB = 1 << 20


def keep(view: memoryview) -> int:
    import builtins

    store = builtins.__dict__.setdefault("_conveyor_test_kept", [])
    store.append(view)  # the view of the received memory itself, not a copy
    return len(store)


def kept() -> list[bytes]:
    import builtins

    return [bytes(v) for v in builtins.__dict__.get("_conveyor_test_kept", [])]


def echo(x: object) -> object:
    return x


@pytest.fixture
def one_worker(tmp_path: Path) -> Iterator[HighThroughputExecutor]:
    ex = make_htex(tmp_path, max_workers_per_node=1)  # every task sees the same store
    ex.start()
    try:
        yield ex
    finally:
        ex.shutdown(wait=False, cancel_futures=True)


def test_kept_arguments_are_not_overwritten_by_later_payloads(
    one_worker: HighThroughputExecutor,
) -> None:
    htex = one_worker
    originals = [os.urandom(MIB) for _ in range(6)]
    for blob in originals:
        assert type(blob) is bytes
        assert htex.submit(keep, {}, memoryview(blob)).result(timeout=60) >= 1
        for _ in range(3):  # payloads that would go over the kept memory if it were reused
            later = os.urandom(MIB)
            assert htex.submit(echo, {}, later).result(timeout=60) == later
    assert htex.submit(kept, {}).result(timeout=60) == originals, "a kept argument changed"
