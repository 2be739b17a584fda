"""HTEX with GridEngineProvider on a real Grid Engine: a workflow across two blocks, a block
deleted under load, scaling, and nothing left behind."""

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import conveyor
from batch_cluster import block_states, loaded_htex, pools_of, wait_until
from conveyor import Config, python_app
from conveyor.errors import BrokenHtex
from conveyor.executors.blocks.states import ENDED, BlockState
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.providers.gridengine import GridEngineProvider

pytestmark = [pytest.mark.gridengine, pytest.mark.usefixtures("gridengine")]

Jobs = Callable[[], list[tuple[str, str, str]]]


@python_app
def job_of(delay: float) -> str:
    import os
    import time

    time.sleep(delay)
    return os.environ["JOB_ID"]


def _config(tmp_path: Path, provider: dict[str, Any], **config: Any) -> Config:
    options: dict[str, Any] = {"walltime": "00:05:00", "init_blocks": 2, "max_blocks": 2}
    options.update(provider)
    htex = HighThroughputExecutor(
        label="sge_htex",
        provider=GridEngineProvider(**options),
        max_workers_per_node=2,
        heartbeat_period=1,
        heartbeat_threshold=6,
    )
    settings: dict[str, Any] = {"strategy": "simple", "strategy_period": 0.5, "retries": 2}
    settings.update(config)
    return Config(executors=[htex], run_dir=str(tmp_path), **settings)


def _htex() -> HighThroughputExecutor:
    return loaded_htex("sge_htex")


def _ours(qstat_jobs: Jobs) -> list[tuple[str, str, str]]:
    return [j for j in qstat_jobs() if j[1].startswith("conveyor")]


@pytest.fixture(autouse=True)
def _nothing_left_behind(tmp_path: Path, qstat_jobs: Jobs) -> Iterator[None]:
    yield
    wait_until(lambda: not _ours(qstat_jobs), 30, "conveyor jobs to leave qstat")
    wait_until(lambda: not pools_of(tmp_path), 20, "pool processes to exit")


def test_300_tasks_across_two_blocks_leave_no_job(tmp_path: Path, qstat_jobs: Jobs) -> None:
    with conveyor.load(_config(tmp_path, {})):
        ex = _htex()
        wait_until(lambda: ex.statistics().extra["managers"] == 2, 90, "2 pools to connect")
        jobs = [f.result(timeout=120) for f in [job_of(0.01) for _ in range(300)]]
        assert set(block_states(ex).values()) == {BlockState.RUNNING}
        block_jobs = {str(b.job_id) for b in ex._blocks.blocks.values()}  # type: ignore[union-attr]
        assert len(_ours(qstat_jobs)) == 2
    assert len(jobs) == 300
    assert set(jobs) == block_jobs, (set(jobs), block_jobs)
    wait_until(lambda: not _ours(qstat_jobs), 30, "the blocks' jobs to leave qstat")


def test_qdel_of_a_running_block_loses_no_task(tmp_path: Path) -> None:
    with conveyor.load(_config(tmp_path, {})):
        ex = _htex()
        wait_until(lambda: ex.statistics().extra["managers"] == 2, 90, "2 pools to connect")
        futures = [job_of(0.05) for _ in range(200)]
        wait_until(lambda: sum(f.done() for f in futures) >= 20, 60, "some tasks to finish")
        assert ex._blocks is not None
        victim = ex._blocks.blocks["0"]
        subprocess.run(["qdel", str(victim.job_id)], check=True, capture_output=True)
        results = [f.result(timeout=180) for f in futures]
        wait_until(lambda: block_states(ex)["0"] in ENDED, 60, "block 0 to end")
        assert block_states(ex)["0"] is BlockState.CANCELLED, block_states(ex)
    assert len(results) == 200


def test_blocks_scale_out_under_load_and_in_when_idle(tmp_path: Path, qstat_jobs: Jobs) -> None:
    config = _config(
        tmp_path,
        {"init_blocks": 0, "min_blocks": 0, "max_blocks": 2},
        strategy="htex_auto_scale",
        max_idletime=1.0,
    )
    with conveyor.load(config):
        ex = _htex()
        assert block_states(ex) == {}
        futures = [job_of(0.3) for _ in range(40)]
        wait_until(lambda: len(block_states(ex)) == 2, 60, "scale-out to 2 blocks")
        assert [f.result(timeout=120) for f in futures]
        wait_until(lambda: set(block_states(ex).values()) == {BlockState.SCALED_IN}, 60, "scale-in")
        wait_until(lambda: not _ours(qstat_jobs), 30, "jobs to leave qstat")
    assert os.environ["SGE_ROOT"]


def test_a_refused_block_fails_tasks_with_grid_engines_words(tmp_path: Path) -> None:
    with conveyor.load(_config(tmp_path, {"queue": "nosuch.q", "init_blocks": 1})):
        ex = _htex()
        future = job_of(0)
        with pytest.raises(BrokenHtex, match='unknown queue "nosuch.q"'):
            future.result(timeout=60)
        assert ex.bad_state_is_set
        assert set(block_states(ex).values()) == {BlockState.REJECTED}
