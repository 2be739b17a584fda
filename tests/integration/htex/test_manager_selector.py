"""Parsl's manager_selector: which pools the interchange offers tasks to first."""

from pathlib import Path
from typing import Any

import pytest
from htexkit import make_htex, wait_until

import conveyor
from conveyor import Config, python_app
from conveyor.errors import ConfigurationError
from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.interchange.state import BrokerState, expected_versions
from conveyor.executors.htex.manager_selector import (
    BlockIdManagerSelector,
    ManagerSelector,
    RandomManagerSelector,
)
from conveyor.providers.local import LocalProvider


def _broker(order: str, blocks: list[str]) -> BrokerState:
    state = BrokerState(heartbeat_threshold=10, manager_order=order)
    for block in blocks:
        info = {**expected_versions(), "workers": 1, "block_id": block}
        assert state.register(block.encode(), info, now=0.0) == [
            (block.encode(), p.RegisterAck(True, ""))
        ]
    return state


def _first_pool(state: BrokerState) -> bytes:
    state.submit([[0, 0, 0, b"f", b"fn", b"a"]])
    ((manager, _),) = state.dispatch(0.0)
    return manager


def test_block_id_order_offers_the_newest_block_first() -> None:
    assert _first_pool(_broker("block_id", ["0", "2", "10", "1"])) == b"10"
    for _ in range(10):
        assert _first_pool(_broker("random", ["0", "1", "2"])) in {b"0", b"1", b"2"}


def test_only_parsls_two_selectors_are_accepted() -> None:
    class Mine(ManagerSelector):
        pass

    with pytest.raises(ConfigurationError, match="manager_selector"):
        make_htex(Path("."), manager_selector=Mine())
    assert make_htex(Path("."), manager_selector=RandomManagerSelector()).manager_selector


@python_app
def block_of_worker() -> Any:
    import os

    return os.environ.get("PARSL_WORKER_BLOCK_ID")


def test_block_id_selector_sends_every_task_to_the_newest_block(tmp_path: Path) -> None:
    ex = make_htex(tmp_path, max_workers_per_node=1, manager_selector=BlockIdManagerSelector())
    ex.provider = LocalProvider(init_blocks=2, min_blocks=2, max_blocks=2)
    with conveyor.load(Config(executors=[ex], run_dir=str(tmp_path), strategy=None)):
        assert wait_until(lambda: len(ex.connected_managers()) == 2, timeout=60)
        assert [block_of_worker().result(timeout=60) for _ in range(6)] == ["1"] * 6


def test_no_burst_while_running_blocks_wait_for_their_pools() -> None:
    state = _broker("free", ["0"])
    state.submit([[i, 0, 0, b"f", b"fn" if i == 0 else b"", b"a"] for i in range(6)])
    state.starting = {"1"}  # what BlocksStarting(["1"]) sets
    ((_, first),) = state.dispatch(0.0)
    assert len(first.tasks) == 1, "only the pool's capacity while block 1's pool starts"  # type: ignore[union-attr]
    info = {**expected_versions(), "workers": 1, "block_id": "1"}
    state.register(b"1", info, now=0.0)
    assert state.starting == set()
    taken = {m: len(msg.tasks) for m, msg in state.dispatch(0.0)}  # type: ignore[union-attr]
    assert taken[b"1"] >= 1 and sum(taken.values()) == 5, "the burst resumes once it is there"
