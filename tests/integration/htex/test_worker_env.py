"""Parsl's worker environment in HTEX, with real pools: identity, affinity, accelerators,
PARSL_CORES / PARSL_MEMORY_GB, and SystemExit killing only its worker."""

import multiprocessing as mp
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgpack
import pytest
from htexkit import make_htex

from conveyor.errors import WorkerLost
from conveyor.execution.run_task import pack_call
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.executors.htex.pool.worker import worker_main
from conveyor.providers.local import LocalProvider
from conveyor.serialize.facade import serialize

NAMES = (
    "PARSL_WORKER_RANK",
    "PARSL_WORKER_COUNT",
    "PARSL_WORKER_POOL_ID",
    "PARSL_WORKER_BLOCK_ID",
    "OMP_NUM_THREADS",
    "GOMP_CPU_AFFINITY",
    "KMP_AFFINITY",
    "CUDA_VISIBLE_DEVICES",
    "ROCR_VISIBLE_DEVICES",
    "ZE_AFFINITY_MASK",
    "ZE_ENABLE_PCI_ID_DEVICE_ORDER",
)


def environment() -> dict[str, Any]:
    import os as _os
    import time as _time

    _time.sleep(0.2)  # keep this worker busy so that the others take tasks too
    env: dict[str, Any] = {n: _os.environ.get(n) for n in NAMES}
    env["cpus"] = sorted(_os.sched_getaffinity(0))
    env["pid"] = _os.getpid()
    return env


def exit_now(code: int) -> None:
    raise SystemExit(code)


def worker_pid() -> int:
    import os as _os

    return _os.getpid()


@contextmanager
def running(tmp_path: Path, **kw: Any) -> Iterator[HighThroughputExecutor]:
    ex = make_htex(tmp_path, **kw)
    ex.start()
    try:
        yield ex
    finally:
        ex.shutdown(wait=False, cancel_futures=True)


def gather(ex: HighThroughputExecutor, n: int) -> dict[str, dict[str, Any]]:
    """Environment seen by each worker rank (enough tasks that every worker runs some)."""
    seen: dict[str, dict[str, Any]] = {}
    for _ in range(5):
        for env in [f.result(timeout=60) for f in [ex.submit(environment, {}) for _ in range(n)]]:
            seen[env["PARSL_WORKER_RANK"]] = env
        if len(seen) == n:
            break
    return seen


def test_every_worker_knows_its_rank_count_pool_and_block(tmp_path: Path) -> None:
    with running(tmp_path, max_workers_per_node=2) as ex:
        seen = gather(ex, 2)
    assert sorted(seen) == ["0", "1"]
    assert {env["PARSL_WORKER_COUNT"] for env in seen.values()} == {"2"}
    assert {env["PARSL_WORKER_BLOCK_ID"] for env in seen.values()} == {"0"}
    pools = {env["PARSL_WORKER_POOL_ID"] for env in seen.values()}
    assert len(pools) == 1 and len(pools.pop()) >= 8
    assert all(env["OMP_NUM_THREADS"] is None for env in seen.values())
    assert all(env["CUDA_VISIBLE_DEVICES"] is None for env in seen.values())


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs to pin two workers")
def test_cpu_affinity_pins_workers_and_sets_openmp_variables(tmp_path: Path) -> None:
    cpus = sorted(os.sched_getaffinity(0))
    with running(tmp_path, max_workers_per_node=2, cpu_affinity="block-reverse") as ex:
        seen = gather(ex, 2)
    per = len(cpus) // 2
    for rank, env in seen.items():
        slot = 1 - int(rank)  # block-reverse: the last worker gets the first CPUs
        mine = cpus[slot * per : (slot + 1) * per]
        listed = ",".join(map(str, mine))
        assert env["cpus"] == mine
        assert env["OMP_NUM_THREADS"] == str(per)
        assert env["GOMP_CPU_AFFINITY"] == listed
        assert env["KMP_AFFINITY"] == f"explicit,proclist=[{listed}]"


def test_accelerators_are_named_for_cuda_rocm_and_level_zero(tmp_path: Path) -> None:
    with running(tmp_path, available_accelerators=["7", "9"]) as ex:
        seen = gather(ex, 2)
    assert {rank: env["CUDA_VISIBLE_DEVICES"] for rank, env in seen.items()} == {"0": "7", "1": "9"}
    for env in seen.values():
        assert env["ROCR_VISIBLE_DEVICES"] == env["ZE_AFFINITY_MASK"] == env["CUDA_VISIBLE_DEVICES"]
        assert env["ZE_ENABLE_PCI_ID_DEVICE_ORDER"] == "1"


@pytest.mark.parametrize(
    ("export", "options", "expected"),
    [
        ("export PARSL_CORES=3", {"cores_per_worker": 1.0, "max_workers_per_node": 16}, "3"),
        (
            "export PARSL_MEMORY_GB=2",
            {"mem_per_worker": 0.5, "cores_per_worker": 0.1, "max_workers_per_node": 16},
            "4",
        ),
    ],
)
def test_parsl_cores_and_memory_size_the_pool(
    tmp_path: Path, export: str, options: dict[str, Any], expected: str
) -> None:
    ex = make_htex(tmp_path, **options)
    ex.provider = LocalProvider(init_blocks=1, worker_init=export)
    ex.start()
    try:
        env = ex.submit(environment, {}).result(timeout=60)
    finally:
        ex.shutdown(wait=False, cancel_futures=True)
    assert env["PARSL_WORKER_COUNT"] == expected


def test_system_exit_kills_only_its_worker_and_a_replacement_serves(tmp_path: Path) -> None:
    with running(tmp_path, max_workers_per_node=1) as ex:
        first = ex.submit(worker_pid, {}).result(timeout=60)
        for _ in range(3):
            with pytest.raises(WorkerLost):
                ex.submit(exit_now, {}, 2).result(timeout=60)
        after = ex.submit(worker_pid, {}).result(timeout=60)
    assert after != first


def test_system_exit_in_a_batch_hands_back_the_tasks_not_started() -> None:
    """The worker itself (a real process): results so far, unstarted tasks back, exit code."""
    fn = serialize(exit_now, "exit_now")
    ok_fn = serialize(worker_pid, "worker_pid")
    batch = [
        [1, b"pid", ok_fn, pack_call((), {}), {}],
        [2, b"exit", fn, pack_call((3,), {}), {}],
        [3, b"pid", b"", pack_call((), {}), {}],
    ]
    ctx = mp.get_context("spawn")
    mine, theirs = ctx.Pipe(duplex=True)
    proc = ctx.Process(target=worker_main, args=(theirs, {"PARSL_WORKER_RANK": "0"}, None))
    proc.start()
    theirs.close()
    try:
        mine.send_bytes(msgpack.packb(batch))
        reply = msgpack.unpackb(mine.recv_bytes())
        proc.join(30)
    finally:
        if proc.is_alive():
            proc.kill()
            proc.join()
        mine.close()
    assert [item[0] for item in reply] == [1, 3]
    assert reply[0][1] is True and len(reply[0]) == 3
    assert len(reply[1]) == 4  # handed back unstarted: [task_id, fn_hash, fn_bytes, args]
    assert proc.exitcode == 3


def exit_if(flag: bool) -> int:
    import os as _os

    if flag:
        raise SystemExit(4)
    return _os.getpid()


def test_system_exit_inside_a_batch_loses_only_that_task(tmp_path: Path) -> None:
    """One worker, many tasks at once (so they travel in batches): the others still run."""
    with running(tmp_path, max_workers_per_node=1) as ex:
        ex.submit(worker_pid, {}).result(timeout=60)
        futures = [ex.submit(exit_if, {}, i == 5) for i in range(40)]
        outcomes = [f.exception(timeout=60) for f in futures]
    assert isinstance(outcomes[5], WorkerLost)
    assert [i for i, exc in enumerate(outcomes) if exc is not None] == [5]
