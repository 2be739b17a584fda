"""MPI apps through srun on the real Slurm test cluster: an MPIExecutor block of two nodes.

The hello-world is MPICH's (srun wires its ranks with ``--mpi=pmi2``, passed as
``launcher_options``); every rank reports its rank, the world size and its Slurm node.
"""

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import conveyor
from batch_cluster import squeue_jobs, wait_until
from conveyor import Config, bash_app
from conveyor.errors import InvalidResourceSpecification
from conveyor.executors.htex.mpi_executor import MPIExecutor
from conveyor.launchers import SimpleLauncher
from conveyor.providers.slurm import SlurmProvider

sys.path.insert(0, str(Path(__file__).parents[1] / "integration" / "mpi"))
from mpikit import compile_hello, ensure_mpi, parse_ranks  # noqa: E402

pytestmark = [pytest.mark.slurm, pytest.mark.usefixtures("slurm_cluster")]


@bash_app
def mpi_run(exe: str, parsl_resource_specification: Any = None, stdout: Any = None) -> str:
    return f'echo "nodelist $PARSL_MPI_NODELIST"; $PARSL_MPI_PREFIX {exe}'


@pytest.fixture
def mpi_block(tmp_path: Path) -> Iterator[Path]:
    """A running MPIExecutor (srun) with one block of two Slurm nodes; MPICH hello compiled."""
    ensure_mpi()
    exe = compile_hello(tmp_path, "mpich")
    provider = SlurmProvider(
        nodes_per_block=2,
        init_blocks=1,
        max_blocks=1,
        walltime="00:10:00",
        launcher=SimpleLauncher(),
    )
    executor = MPIExecutor(
        label="slurm_mpi",
        provider=provider,
        mpi_launcher="srun",
        max_workers_per_block=2,
        heartbeat_period=1,
        heartbeat_threshold=10,
    )
    with conveyor.load(Config(executors=[executor], run_dir=str(tmp_path), strategy=None)):
        yield exe
    wait_until(lambda: not [j for j in squeue_jobs() if "conveyor" in j], 30, "the block to end")


def _run(exe: Path, out: Path, **spec: Any) -> tuple[list[str], list[tuple[int, int, str, str]]]:
    spec = {"launcher_options": "--mpi=pmi2", **spec}
    assert mpi_run(str(exe), parsl_resource_specification=spec, stdout=str(out)).result(180) == 0
    text = out.read_text()
    nodelist = next(line.split()[1] for line in text.splitlines() if line.startswith("nodelist"))
    return nodelist.split(","), parse_ranks(text)


def test_hello_world_spans_both_nodes_of_the_block(mpi_block: Path) -> None:
    nodes, ranks = _run(mpi_block, mpi_block.with_name("two.out"), num_nodes=2, ranks_per_node=2)
    assert len(set(nodes)) == 2
    assert [r[0] for r in ranks] == [0, 1, 2, 3]
    assert {r[1] for r in ranks} == {4}
    per_node = sorted(r[3] for r in ranks)
    assert per_node == sorted(nodes * 2), "each node runs ranks_per_node ranks"


def test_two_one_node_tasks_get_different_nodes(mpi_block: Path) -> None:
    outs = [mpi_block.with_name(f"one{i}.out") for i in range(2)]
    futures = [
        mpi_run(
            str(mpi_block),
            parsl_resource_specification={
                "num_nodes": 1,
                "num_ranks": 2,
                "launcher_options": "--mpi=pmi2",
            },
            stdout=str(out),
        )
        for out in outs
    ]
    assert [f.result(timeout=180) for f in futures] == [0, 0]
    seen = []
    for out in outs:
        text = out.read_text()
        node = next(line.split()[1] for line in text.splitlines() if line.startswith("nodelist"))
        ranks = parse_ranks(text)
        assert [(r[0], r[1], r[3]) for r in ranks] == [(0, 2, node), (1, 2, node)]
        seen.append(node)
    assert len(set(seen)) == 2


def test_task_larger_than_the_block_is_refused_at_submit(mpi_block: Path) -> None:
    fut = mpi_run(str(mpi_block), parsl_resource_specification={"num_nodes": 3})
    exc = fut.exception(timeout=30)
    assert isinstance(exc, InvalidResourceSpecification)
    assert "num_nodes" in exc.invalid_keys and "nodes_per_block=2" in str(exc)
