"""``parallelism=0`` with no initial block: the strategy still starts one block for waiting tasks."""

from pathlib import Path

import pytest
from htexkit import make_htex

import conveyor
from conveyor import Config, python_app
from conveyor.providers.local import LocalProvider


@python_app
def double(x: int) -> int:
    return 2 * x


@pytest.mark.parametrize("strategy", ["simple", "htex_auto_scale"])
def test_parallelism_zero_starts_a_block_for_waiting_tasks(tmp_path: Path, strategy: str) -> None:
    ex = make_htex(tmp_path)
    ex.provider = LocalProvider(init_blocks=0, min_blocks=0, max_blocks=2, parallelism=0)
    config = Config(executors=[ex], run_dir=str(tmp_path), strategy=strategy, strategy_period=0.2)
    with conveyor.load(config):
        assert ex.status() == {}, "no block before any task waits"
        assert [f.result(timeout=60) for f in [double(i) for i in range(4)]] == [0, 2, 4, 6]
        assert list(ex.status()) == ["0"], "one block, and only one, was started"
