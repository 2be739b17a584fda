"""Per-task cores / memory / gpus in HTEX (conveyor's extension), with real pools.

The machine has at least two CPUs (skipped otherwise): a 2-core task holds the whole node,
1-core tasks run two at a time, and a waiting 2-core task lets 1-core tasks go past it.
Tasks hold their CPUs until the test creates a file, so nothing depends on timing.
"""

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from htexkit import make_htex

from conveyor.errors import InvalidResourceSpecification
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.providers.local import LocalProvider

pytestmark = pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs for per-task cores"
)


def hold(started: str, release: str, after: str = "") -> dict[str, Any]:
    """Say we started, keep our CPUs until ``release`` exists (at most a minute).

    ``after``: a file that must exist when this task starts (the end mark of a task that
    should have finished first); the result says whether it did.
    """
    import os as _os
    import time as _time

    followed = not after or _os.path.exists(after)
    open(started, "w").close()
    for _ in range(1200):
        if _os.path.exists(release):
            break
        _time.sleep(0.05)
    open(started.replace(".started", ".ended"), "w").close()
    return {
        "followed": followed,
        "cpus": sorted(_os.sched_getaffinity(0)),
        "omp": _os.environ.get("OMP_NUM_THREADS"),
        "gomp": _os.environ.get("GOMP_CPU_AFFINITY"),
        "cuda": _os.environ.get("CUDA_VISIBLE_DEVICES"),
    }


def wait_for(path: Path, fut: Any) -> None:
    for _ in range(1200):
        if path.exists() or fut.done():
            break
        time.sleep(0.05)
    assert path.exists(), f"task never started: {fut.exception(0) if fut.done() else 'running'}"


@pytest.fixture
def two_cores(tmp_path: Path) -> Iterator[HighThroughputExecutor]:
    ex = make_htex(tmp_path, max_workers_per_node=2, available_accelerators=["g0", "g1"])
    ex.provider = LocalProvider(init_blocks=1, worker_init="export PARSL_CORES=2")
    ex.start()
    try:
        yield ex
    finally:
        ex.shutdown(wait=False, cancel_futures=True)


def _submit(
    ex: HighThroughputExecutor, tmp_path: Path, name: str, after: str = "", **spec: Any
) -> Any:
    started, release = str(tmp_path / f"{name}.started"), str(tmp_path / "release")
    return ex.submit(hold, spec, started, release, after)


def _dispatched(ex: HighThroughputExecutor) -> None:
    """Wait until the interchange has handed every task to the pool."""
    assert ex._client is not None
    for _ in range(600):
        if ex._client.statistics()["queued"] == 0:
            return
        time.sleep(0.05)
    raise AssertionError("tasks stayed in the interchange")


def test_two_core_task_is_pinned_and_excludes_others(
    two_cores: HighThroughputExecutor, tmp_path: Path
) -> None:
    big = _submit(two_cores, tmp_path, "big", cores=2, gpus=2)
    wait_for(tmp_path / "big.started", big)
    ended = str(tmp_path / "big.ended")
    small = _submit(two_cores, tmp_path, "small", after=ended, cores=1)
    plain = _submit(two_cores, tmp_path, "plain", after=ended)  # declares nothing: 1 core
    _dispatched(two_cores)
    (tmp_path / "release").touch()
    env = big.result(timeout=60)
    assert len(env["cpus"]) == 2 and env["omp"] == "2"
    assert env["gomp"] == ",".join(map(str, env["cpus"]))
    assert env["cuda"] == "g0,g1"
    assert small.result(timeout=60)["followed"] and len(small.result()["cpus"]) == 1
    assert plain.result(timeout=60)["followed"]


def test_small_tasks_backfill_around_a_waiting_big_one(
    two_cores: HighThroughputExecutor, tmp_path: Path
) -> None:
    first = _submit(two_cores, tmp_path, "first", cores=1)
    wait_for(tmp_path / "first.started", first)
    big = _submit(two_cores, tmp_path, "big", cores=2)
    second = _submit(two_cores, tmp_path, "second", cores=1)
    wait_for(tmp_path / "second.started", second)  # went past the waiting 2-core task
    assert not (tmp_path / "big.started").exists()
    (tmp_path / "release").touch()
    cpus = [f.result(timeout=60)["cpus"] for f in (first, second)]
    assert len(cpus[0]) == len(cpus[1]) == 1 and cpus[0] != cpus[1]
    assert len(big.result(timeout=60)["cpus"]) == 2


@pytest.mark.parametrize(
    ("spec", "key"),
    [({"cores": 64}, "cores"), ({"gpus": 3}, "gpus"), ({"memory": 10**12}, "memory")],
)
def test_task_no_pool_can_hold_fails(
    two_cores: HighThroughputExecutor, tmp_path: Path, spec: dict[str, Any], key: str
) -> None:
    exc = two_cores.submit(os.getpid, spec).exception(timeout=60)
    assert isinstance(exc, InvalidResourceSpecification) and exc.invalid_keys == {key}
    assert two_cores.submit(os.getpid, {"cores": 2}).result(timeout=60)


@pytest.mark.parametrize(
    ("spec", "key"),
    [({"cores": 1.5}, "cores"), ({"memory": -1}, "memory"), ({"cpus": 1}, "cpus")],
)
def test_bad_values_are_refused_at_submit(
    two_cores: HighThroughputExecutor, spec: dict[str, Any], key: str
) -> None:
    with pytest.raises(InvalidResourceSpecification) as info:
        two_cores.submit(os.getpid, spec)
    assert key in info.value.invalid_keys
