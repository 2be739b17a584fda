"""A pool that reaches its drain time finishes its tasks, takes no more, and is replaced."""

import time
from pathlib import Path

import pytest

import conveyor
from conveyor import Config, python_app
from conveyor.errors import InvalidResourceSpecification
from conveyor.executors.blocks.states import BlockState
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.providers.local import LocalProvider


@python_app
def block_of(delay: float) -> str:
    import os
    import time

    time.sleep(delay)
    return os.environ["PARSL_WORKER_BLOCK_ID"]


def test_drained_pool_loses_no_task_and_a_new_block_takes_over(tmp_path: Path) -> None:
    htex = HighThroughputExecutor(
        label="htex",
        provider=LocalProvider(init_blocks=1, min_blocks=1, max_blocks=1),
        max_workers_per_node=2,
        drain_period=2,
        heartbeat_period=1,
        heartbeat_threshold=10,
        encrypted=False,
    )
    config = Config(
        executors=[htex], run_dir=str(tmp_path), strategy="simple", strategy_period=0.3, retries=0
    )
    with conveyor.load(config):
        blocks = []
        deadline = time.monotonic() + 60
        while len(set(blocks)) < 2 and time.monotonic() < deadline:
            blocks += [f.result(timeout=60) for f in [block_of(0.4) for _ in range(4)]]
        assert htex._blocks is not None
        states = htex._blocks.block_states()
    assert len(set(blocks)) >= 2, f"every task ran on block {set(blocks)}: no drain happened"
    assert states["0"] in (BlockState.COMPLETED, BlockState.SCALED_IN), states


@python_app
def quick(walltime: float = 0) -> str:
    return "done"


def test_a_task_longer_than_any_block_is_refused_and_others_run(tmp_path: Path) -> None:
    htex = HighThroughputExecutor(
        label="htex",
        provider=LocalProvider(init_blocks=1, max_blocks=1),
        max_workers_per_node=1,
        drain_period=20,
        encrypted=False,
    )
    with conveyor.load(Config(executors=[htex], run_dir=str(tmp_path), strategy=None)):
        too_long = quick(walltime=30)
        with pytest.raises(InvalidResourceSpecification, match="walltime 30 s cannot fit"):
            too_long.result(timeout=30)
        assert quick(walltime=2).result(timeout=30) == "done"
        assert quick().result(timeout=30) == "done"
