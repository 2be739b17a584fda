"""Blocks started for waiting tasks get tasks: the first pool to register does not take
them all (no burst while other blocks' pools are still starting)."""

from pathlib import Path

import pytest
from htexkit import make_htex, wait_until

import conveyor
from conveyor import Config, python_app
from conveyor.providers.local import LocalProvider


@python_app
def hold(ready: str, go: str) -> int:
    import os
    import time

    with open(ready, "a") as f:
        f.write(f"{os.getpid()}\n")
    while not os.path.exists(go):
        time.sleep(0.02)
    return os.getpid()


@pytest.mark.parametrize("strategy", ["simple", "htex_auto_scale"])
def test_every_new_block_runs_one_of_the_waiting_long_tasks(tmp_path: Path, strategy: str) -> None:
    ex = make_htex(tmp_path, max_workers_per_node=1)
    ex.provider = LocalProvider(init_blocks=0, min_blocks=0, max_blocks=3)
    ready, go = tmp_path / "ready", tmp_path / "go"
    ready.touch()
    config = Config(executors=[ex], run_dir=str(tmp_path), strategy=strategy, strategy_period=0.2)
    with conveyor.load(config):
        futures = [hold(str(ready), str(go)) for _ in range(6)]
        running = lambda: len(ready.read_text().split())  # noqa: E731
        assert wait_until(lambda: running() == 3, timeout=60), f"{running()} of 3 running"
        assert len(ex.connected_managers()) == 3
        go.touch()
        assert len({f.result(timeout=60) for f in futures}) == 3, "one worker per block"
