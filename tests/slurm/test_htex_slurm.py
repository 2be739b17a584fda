"""HTEX with SlurmProvider on a real four-node Slurm: spread, recovery, errors, scaling, cleanup."""

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import conveyor
from batch_cluster import block_states, loaded_htex, pools_of, squeue_jobs, wait_until
from conveyor import Config, python_app
from conveyor.errors import BrokenHtex
from conveyor.executors.blocks.states import BlockState
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.launchers import SrunLauncher
from conveyor.providers.slurm import SlurmProvider
from conveyor.providers.states import JobState

pytestmark = [pytest.mark.slurm, pytest.mark.usefixtures("slurm_cluster")]


@python_app
def where(delay: float) -> str:
    import os
    import time

    time.sleep(delay)
    return os.environ.get("SLURMD_NODENAME", "?")


def _config(
    tmp_path: Path, provider: dict[str, Any], walltime: str = "00:05:00", **config: Any
) -> Config:
    options: dict[str, Any] = {
        "walltime": walltime,
        "nodes_per_block": 2,
        "launcher": SrunLauncher(),
    }
    options.update(provider)
    htex = HighThroughputExecutor(
        label="slurm_htex",
        provider=SlurmProvider(**options),
        max_workers_per_node=2,
        heartbeat_period=1,
        heartbeat_threshold=6,
        encrypted=True,
    )
    settings: dict[str, Any] = {"strategy": "simple", "strategy_period": 0.5, "retries": 2}
    settings.update(config)
    return Config(executors=[htex], run_dir=str(tmp_path), **settings)


def _htex() -> HighThroughputExecutor:
    return loaded_htex("slurm_htex")


@pytest.fixture(autouse=True)
def _nothing_left_behind(tmp_path: Path) -> Iterator[None]:
    yield
    wait_until(
        lambda: not [j for j in squeue_jobs() if "conveyor" in j], 20, "conveyor jobs to end"
    )
    wait_until(lambda: not pools_of(tmp_path), 20, "pool processes to exit")


def test_200_tasks_spread_over_two_blocks_of_two_nodes(tmp_path: Path) -> None:
    with conveyor.load(_config(tmp_path, {"init_blocks": 2, "max_blocks": 2})):
        ex = _htex()
        wait_until(lambda: ex.statistics().extra["managers"] == 4, 60, "4 pools to connect")
        nodes = [f.result(timeout=120) for f in [where(0.02) for _ in range(240)]]
        assert set(block_states(ex).values()) == {BlockState.RUNNING}
    assert len(nodes) == 240
    assert len(set(nodes)) >= 3, sorted(set(nodes))
    assert not [j for j in squeue_jobs() if "conveyor" in j]


def test_scancel_of_a_running_block_loses_no_task(tmp_path: Path) -> None:
    with conveyor.load(
        _config(tmp_path, {"init_blocks": 2, "max_blocks": 2, "nodes_per_block": 1})
    ):
        ex = _htex()
        wait_until(lambda: ex.statistics().extra["managers"] == 2, 60, "2 pools to connect")
        futures = [where(0.05) for _ in range(200)]
        wait_until(lambda: sum(f.done() for f in futures) >= 20, 60, "some tasks to finish")
        assert ex._blocks is not None
        victim = ex._blocks.blocks["0"]
        subprocess.run(["scancel", str(victim.job_id)], check=True)
        results = [f.result(timeout=180) for f in futures]
        assert block_states(ex)["0"] is BlockState.CANCELLED
        assert len(block_states(ex)) >= 3, "no replacement block was started"
    assert len(results) == 200


def test_an_impossible_block_fails_tasks_with_slurms_message(tmp_path: Path) -> None:
    with conveyor.load(
        _config(tmp_path, {"nodes_per_block": 5, "init_blocks": 1, "max_blocks": 1})
    ):
        ex = _htex()
        future = where(0)
        with pytest.raises(BrokenHtex, match="Node count specification invalid"):
            future.result(timeout=60)
        assert ex.bad_state_is_set
        stats = ex.statistics().extra["blocks"]
        assert "Node count specification invalid" in stats.last_error
        assert set(stats.states.values()) == {"REJECTED"}
        statuses = ex.status()
        assert statuses and all(s.state is JobState.FAILED for s in statuses.values())
        assert all(
            "Node count specification invalid" in (s.message or "") for s in statuses.values()
        )


def test_blocks_scale_out_under_load_and_in_when_idle(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        {"init_blocks": 0, "min_blocks": 0, "max_blocks": 2, "nodes_per_block": 1},
        strategy="htex_auto_scale",
        max_idletime=1.0,
    )
    with conveyor.load(config):
        ex = _htex()
        assert block_states(ex) == {}
        futures = [where(0.3) for _ in range(40)]
        wait_until(lambda: len(block_states(ex)) == 2, 30, "scale-out to 2 blocks")
        assert [f.result(timeout=120) for f in futures]
        wait_until(
            lambda: set(block_states(ex).values()) == {BlockState.SCALED_IN},
            60,
            "idle blocks scaled in",
        )
        wait_until(
            lambda: not [j for j in squeue_jobs() if "conveyor" in j], 30, "jobs to leave squeue"
        )
        assert where(0).result(timeout=60), "scaling out again after scale-in failed"


def test_cleanup_leaves_no_job_and_no_pool(tmp_path: Path) -> None:
    with conveyor.load(_config(tmp_path, {"init_blocks": 1, "max_blocks": 1})):
        assert where(0).result(timeout=60).startswith("n")
        assert [j for j in squeue_jobs() if "conveyor" in j]
        assert pools_of(tmp_path)
    assert not [j for j in squeue_jobs() if "conveyor" in j and "RUNNING" in j]
    assert os.environ["SLURM_CONF"]


@python_app
def job_of(delay: float) -> str:
    import os
    import time

    time.sleep(delay)
    return os.environ["SLURM_JOB_ID"]


@pytest.mark.slow
def test_a_block_near_its_time_limit_drains_instead_of_losing_tasks(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        {"init_blocks": 1, "min_blocks": 1, "max_blocks": 1, "nodes_per_block": 1},
        walltime="00:01:00",
        retries=0,
    )
    with conveyor.load(config):
        ex = _htex()
        jobs: list[str] = []
        deadline = time.monotonic() + 150
        while len(set(jobs)) < 2 and time.monotonic() < deadline:
            jobs += [f.result(timeout=120) for f in [job_of(1.0) for _ in range(4)]]
        states = block_states(ex)
    assert len(set(jobs)) >= 2, "the first block never drained"
    assert states["0"] is BlockState.COMPLETED, states
