"""Parsl's HTEX query and block methods on real pools: connected_managers, connected_blocks,
outstanding, status_facade, scale_in, scale_out_facade."""

import platform
from pathlib import Path

from htexkit import make_htex, wait_until

import conveyor
from conveyor import Config, python_app
from conveyor.errors import BadStateException
from conveyor.providers.local import LocalProvider
from conveyor.version import VERSION


@python_app
def double(x: int) -> int:
    return 2 * x


def test_queries_and_manual_scaling_on_real_pools(tmp_path: Path) -> None:
    ex = make_htex(tmp_path, max_workers_per_node=1)
    ex.provider = LocalProvider(init_blocks=0, min_blocks=0, max_blocks=2)
    config = Config(executors=[ex], run_dir=str(tmp_path), strategy=None)
    with conveyor.load(config):
        assert ex.connected_managers() == [] and ex.connected_blocks() == []
        assert ex.outstanding() == 0 and ex.status_facade == {}
        assert ex.scale_out_facade(1) == ["0"]
        assert double(5).result(timeout=60) == 10
        (pool,) = ex.connected_managers()
        assert pool["block_id"] == "0" and pool["worker_count"] == 1
        assert pool["active"] and not pool["draining"] and pool["tasks"] == 0
        assert pool["python_version"] == platform.python_version()
        assert pool["parsl_version"] == VERSION
        assert ex.connected_blocks() == ["0"]
        assert ex.status_facade["0"].state.name == "RUNNING"

        assert ex.scale_in(1) == ["0"]
        assert wait_until(lambda: ex.status_facade["0"].terminal, timeout=30)
        assert wait_until(lambda: ex.connected_managers() == [], timeout=30)
        assert ex.connected_blocks() == ["0"], "the history keeps blocks that ended"

        assert ex.scale_out_facade(1) == ["1"]
        assert double(6).result(timeout=60) == 12
        assert ex.connected_blocks() == ["0", "1"]
        # a busy-enough block is not idle long enough for max_idletime: nothing chosen
        assert ex.scale_in(1, max_idletime=3600) == []


@python_app
def wait_for(path: str) -> str:
    import os
    import time

    while not os.path.exists(path):
        time.sleep(0.02)
    return path


def test_a_pool_past_its_drain_period_shows_draining_and_leaves_when_idle(tmp_path: Path) -> None:
    ex = make_htex(tmp_path, max_workers_per_node=1, drain_period=1)
    with conveyor.load(Config(executors=[ex], run_dir=str(tmp_path), strategy=None)):
        go = tmp_path / "go"
        fut = wait_for(str(go))
        assert wait_until(lambda: len(ex.connected_managers()) == 1, timeout=30)
        assert wait_until(lambda: ex.connected_managers()[0]["draining"], timeout=30)
        (pool,) = ex.connected_managers()
        assert not pool["active"] and pool["tasks"] == 1 and not fut.done()
        go.touch()
        assert fut.result(timeout=60) == str(go)
        assert wait_until(lambda: ex.connected_managers() == [], timeout=30)


def test_set_bad_state_and_fail_all_fails_pending_and_later_tasks(tmp_path: Path) -> None:
    ex = make_htex(tmp_path)
    ex.provider = LocalProvider(init_blocks=0, min_blocks=0, max_blocks=0)  # nothing runs
    with conveyor.load(Config(executors=[ex], run_dir=str(tmp_path), strategy=None)):
        assert (Path(ex.logdir) / "interchange.log").exists(), "there from start-up on"
        pending = double(1)
        assert not ex._executor_bad_state.is_set()
        ex.set_bad_state_and_fail_all(RuntimeError("the site is down"))
        for fut in (pending, double(2)):
            error = fut.exception(timeout=30)
            assert isinstance(error, BadStateException) and "the site is down" in str(error)
        assert ex._executor_bad_state.is_set() and ex.bad_state_is_set
