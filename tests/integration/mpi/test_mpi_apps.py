"""MPI apps on a real MPIExecutor (interchange, pool, workers) and real MPI (MPICH, Open MPI).

The block runs on this machine: outside a batch job the pool's node list is this host;
tests that need several nodes name them in a PBS_NODEFILE exported by ``worker_init``,
as Parsl's own tests do (those names are only handed out, never launched on).
"""

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mpikit import compile_hello, ensure_mpi, hydra_on_path, parse_ranks

import conveyor
from conveyor import Config, bash_app, python_app
from conveyor.errors import InvalidResourceSpecification
from conveyor.executors.htex.mpi_executor import MPIExecutor
from conveyor.launchers import SimpleLauncher
from conveyor.providers.local import LocalProvider

HOST = socket.gethostname()


@bash_app
def mpi_run(command: str, parsl_resource_specification: Any = None, stdout: Any = None) -> str:
    return command


@python_app
def parsl_vars(parsl_resource_specification: Any = None) -> dict[str, str]:
    import os as _os

    return {k: v for k, v in _os.environ.items() if k.startswith("PARSL_")}


@python_app
def hold_nodes(release: str, parsl_resource_specification: Any = None) -> list[str]:
    """Keep this task's nodes until the file ``release`` exists (at most a minute)."""
    import os as _os
    import time as _time

    for _ in range(1200):
        if _os.path.exists(release):
            break
        _time.sleep(0.05)
    return _os.environ["PARSL_MPI_NODELIST"].split(",")


def _load(tmp_path: Path, worker_init: str = "", workers: int = 2) -> Any:
    provider = LocalProvider(
        init_blocks=1, max_blocks=1, launcher=SimpleLauncher(), worker_init=worker_init
    )
    executor = MPIExecutor(
        label="mpi",
        max_workers_per_block=workers,
        provider=provider,
        heartbeat_period=1,
        heartbeat_threshold=10,
    )
    config = Config(executors=[executor], run_dir=str(tmp_path / "runinfo"), strategy=None)
    return conveyor.load(config)


@pytest.fixture
def mpi_tools() -> None:
    ensure_mpi()


@pytest.fixture
def local_mpi(tmp_path: Path, mpi_tools: None) -> Iterator[Path]:
    """An MPIExecutor whose workers find MPICH's hydra as ``mpiexec``."""
    bin_dir = hydra_on_path(tmp_path / "bin")
    _load(tmp_path, worker_init=f"export PATH={bin_dir}:$PATH")
    try:
        yield tmp_path
    finally:
        conveyor.clear()


@pytest.fixture
def four_nodes(tmp_path: Path) -> Iterator[Path]:
    """An MPIExecutor whose block has four (named, not launched on) nodes, three workers."""
    nodefile = tmp_path / "nodefile"
    nodefile.write_text("".join(f"node{i}\n" for i in range(1, 5)))
    _load(tmp_path, worker_init=f"export PBS_NODEFILE={nodefile}", workers=3)
    try:
        yield tmp_path
    finally:
        conveyor.clear()


def test_mpich_hello_world_runs_every_rank_through_parsl_mpi_prefix(local_mpi: Path) -> None:
    exe = compile_hello(local_mpi, "mpich")
    out = local_mpi / "hello.out"
    spec = {"num_nodes": 1, "ranks_per_node": 3}
    fut = mpi_run(f"$PARSL_MPI_PREFIX {exe}", parsl_resource_specification=spec, stdout=str(out))
    assert fut.result(timeout=90) == 0
    ranks = parse_ranks(out.read_text())
    assert [r[0] for r in ranks] == [0, 1, 2]
    assert {r[1] for r in ranks} == {3}
    assert {r[2] for r in ranks} == {HOST}


def test_open_mpi_hello_world_runs_from_the_parsl_variables(local_mpi: Path) -> None:
    """Open MPI's mpiexec takes no -ppn/-hosts: the app builds its line from PARSL_* instead."""
    exe = compile_hello(local_mpi, "openmpi")
    out = local_mpi / "hello.out"
    command = (
        "mpiexec.openmpi --allow-run-as-root --oversubscribe -n $PARSL_NUM_RANKS"
        f" --host $PARSL_MPI_NODELIST:$PARSL_RANKS_PER_NODE {exe}"
    )
    spec = {"num_nodes": 1, "num_ranks": 4}
    assert mpi_run(command, parsl_resource_specification=spec, stdout=str(out)).result(90) == 0
    ranks = parse_ranks(out.read_text())
    assert [r[0] for r in ranks] == [0, 1, 2, 3]
    assert {(r[1], r[2]) for r in ranks} == {(4, HOST)}


def test_worker_sees_parsl_mpi_variables(local_mpi: Path) -> None:
    env = parsl_vars(parsl_resource_specification={"num_nodes": 1, "ranks_per_node": 5}).result(60)
    assert env["PARSL_NUM_NODES"] == "1"
    assert env["PARSL_RANKS_PER_NODE"] == "5"
    assert env["PARSL_NUM_RANKS"] == "5"
    assert env["PARSL_MPI_NODELIST"] == HOST
    assert env["PARSL_MPI_PREFIX"] == env["PARSL_MPIEXEC_PREFIX"]
    assert env["PARSL_MPIEXEC_PREFIX"] == f"mpiexec -n 5 -ppn 5 -hosts {HOST} "
    assert (
        env["PARSL_SRUN_PREFIX"]
        == f"srun --ntasks 5 --ntasks-per-node 5 --nodelist {HOST} --nodes 1 "
    )
    assert env["PARSL_APRUN_PREFIX"] == f"aprun -n 5 -N 5 -node-list {HOST} "
    # the next task on that worker does not inherit them
    again = parsl_vars(parsl_resource_specification={"num_nodes": 1, "launcher_options": "-v"})
    env = again.result(60)
    assert env["PARSL_LAUNCHER_OPTIONS"] == "-v" and env["PARSL_RANKS_PER_NODE"] == "1"
    assert env["PARSL_MPIEXEC_PREFIX"].endswith(f"-hosts {HOST} -v")


@pytest.mark.parametrize(
    ("spec", "key"),
    [
        ({}, "num_nodes"),  # (a spec with other keys but no num_nodes runs, as in Parsl)
        ({"num_nodes": 2, "num_ranks": 3}, "num_ranks"),
        ({"num_nodes": 1, "BAD_OPT": 1}, "BAD_OPT"),
        ({"num_nodes": 0}, "num_nodes"),
    ],
)
def test_bad_mpi_specs_fail_the_future_naming_the_key(
    four_nodes: Path, spec: dict[str, Any], key: str
) -> None:
    exc = parsl_vars(parsl_resource_specification=spec).exception(timeout=60)
    assert isinstance(exc, InvalidResourceSpecification)
    assert key in exc.invalid_keys and key in str(exc)


def test_task_larger_than_the_block_fails_and_others_still_run(four_nodes: Path) -> None:
    big = parsl_vars(parsl_resource_specification={"num_nodes": 5})
    exc = big.exception(timeout=60)
    assert isinstance(exc, InvalidResourceSpecification) and "num_nodes" in str(exc)
    env = parsl_vars(parsl_resource_specification={"num_nodes": 4}).result(timeout=60)
    assert env["PARSL_MPI_NODELIST"] == "node1,node2,node3,node4"


def test_waiting_task_does_not_block_a_smaller_one_that_fits(four_nodes: Path) -> None:
    release = four_nodes / "release"
    first = hold_nodes(str(release), parsl_resource_specification={"num_nodes": 3})
    second = hold_nodes(str(release) + ".none", parsl_resource_specification={"num_nodes": 3})
    small = parsl_vars(parsl_resource_specification={"num_nodes": 1})
    small_nodes = small.result(timeout=60)["PARSL_MPI_NODELIST"].split(",")
    assert not first.done() and not second.done()  # second waits for nodes; small went past it
    release.touch()
    first_nodes = first.result(timeout=60)
    assert len(first_nodes) == 3 and not set(first_nodes) & set(small_nodes)
    (four_nodes / "release.none").touch()
    second_nodes = second.result(timeout=60)
    assert len(set(second_nodes)) == 3


def test_many_tasks_each_get_their_own_nodes(four_nodes: Path) -> None:
    specs = [{"num_nodes": n, "ranks_per_node": r} for n in (1, 2, 4) for r in (1, 4)] * 4
    futures = [parsl_vars(parsl_resource_specification=dict(s)) for s in specs]
    for spec, fut in zip(specs, futures, strict=True):
        env = fut.result(timeout=90)
        nodes = env["PARSL_MPI_NODELIST"].split(",")
        assert len(set(nodes)) == spec["num_nodes"]
        assert int(env["PARSL_NUM_RANKS"]) == spec["num_nodes"] * spec["ranks_per_node"]


def test_mpi_executor_keeps_parsl_checks() -> None:
    from conveyor.launchers import SrunLauncher
    from conveyor.providers.slurm import SlurmProvider

    with pytest.raises(TypeError, match="SimpleLauncher"):
        MPIExecutor(provider=SlurmProvider(launcher=SrunLauncher()))
    with pytest.raises(ValueError, match="mpi_launcher"):
        MPIExecutor(mpi_launcher="bad", provider=SlurmProvider(launcher=SimpleLauncher()))
    ex = MPIExecutor(mpi_launcher="srun", provider=SlurmProvider(launcher=SimpleLauncher()))
    assert ex.enable_mpi_mode and ex.mpi_launcher == "srun" and ex.max_workers_per_block == 1


def test_htex_in_mpi_mode_uses_its_launcher(tmp_path: Path) -> None:
    from conveyor.executors.htex.executor import HighThroughputExecutor

    with pytest.raises(TypeError, match="SimpleLauncher"):
        HighThroughputExecutor(enable_mpi_mode=True, provider=LocalProvider())
    executor = HighThroughputExecutor(
        label="htex_mpi",
        enable_mpi_mode=True,
        mpi_launcher="aprun",
        max_workers_per_node=1,
        provider=LocalProvider(launcher=SimpleLauncher()),
    )
    config = Config(executors=[executor], run_dir=str(tmp_path / "runinfo"), strategy=None)
    with conveyor.load(config):
        env = parsl_vars(parsl_resource_specification={"num_nodes": 1, "num_ranks": 2}).result(60)
    assert (
        env["PARSL_MPI_PREFIX"]
        == env["PARSL_APRUN_PREFIX"]
        == f"aprun -n 2 -N 2 -node-list {HOST} "
    )


def test_mpi_attributes_can_be_set_before_load() -> None:
    from conveyor.executors.htex.executor import HighThroughputExecutor

    ex = MPIExecutor(provider=LocalProvider(launcher=SimpleLauncher()))
    ex.mpi_launcher = "srun"
    ex.max_workers_per_block = 3
    assert ex.options.pool.mpi_launcher == "srun" and ex.options.pool.max_workers_per_node == 3
    with pytest.raises(ValueError, match="mpi_launcher"):
        ex.mpi_launcher = "mpirun"
    htex = HighThroughputExecutor(provider=LocalProvider())
    htex.enable_mpi_mode = True
    htex.run_dir = "unused"
    with pytest.raises(TypeError, match="SimpleLauncher"):
        htex.start()


@python_app
def exit_on_nodes(parsl_resource_specification: Any = None) -> None:
    raise SystemExit(1)


def test_a_lost_worker_gives_its_nodes_back(four_nodes: Path) -> None:
    from conveyor.errors import WorkerLost

    for _ in range(2):
        lost = exit_on_nodes(parsl_resource_specification={"num_nodes": 4})
        assert isinstance(lost.exception(timeout=60), WorkerLost)
    env = parsl_vars(parsl_resource_specification={"num_nodes": 4}).result(timeout=60)
    assert env["PARSL_MPI_NODELIST"] == "node1,node2,node3,node4"
