"""MPI mode's pure parts: spec checks, Parsl's launch prefixes, node discovery and lending."""

import socket
from collections import deque
from pathlib import Path
from typing import Any

import pytest

from conveyor.errors import InvalidResourceSpecification
from conveyor.executors.htex import mpi_nodes
from conveyor.executors.htex.mpi_nodes import NodeAllocator, Scheduler, identify_scheduler
from conveyor.executors.htex.mpi_prefix import check_mpi_spec, compose_all, mpi_resources
from conveyor.executors.htex.pool.mpi_placer import MpiPlacer
from conveyor.launchers import SimpleLauncher
from conveyor.providers.local import LocalProvider
from conveyor.providers.slurm import SlurmProvider


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"num_nodes": 2, "ranks_per_node": 3}, (2, 3, 6)),
        ({"num_nodes": 2, "num_ranks": 8}, (2, 4, 8)),
        ({"num_nodes": 3}, (3, 1, 3)),
        ({"num_nodes": "2", "ranks_per_node": "2", "num_ranks": 4}, (2, 2, 4)),
    ],
)
def test_spec_is_completed(spec: dict[str, Any], expected: tuple[int, int, int]) -> None:
    out = check_mpi_spec(spec)
    assert (out["num_nodes"], out["ranks_per_node"], out["num_ranks"]) == expected


@pytest.mark.parametrize(
    ("spec", "keys"),
    [
        ({}, {"num_nodes"}),
        ({"num_ranks": 4, "nodes": 2}, {"nodes"}),
        ({"num_nodes": 2, "num_ranks": 5}, {"num_ranks"}),
        ({"num_nodes": 2, "num_ranks": 6, "ranks_per_node": 2}, {"num_ranks", "ranks_per_node"}),
        ({"num_nodes": 1.5}, {"num_nodes"}),
        ({"num_nodes": "x"}, {"num_nodes"}),
        ({"num_nodes": 1, "cores": 2, "gpu": 1}, {"cores", "gpu"}),
    ],
)
def test_bad_specs_name_the_key(spec: dict[str, Any], keys: set[str]) -> None:
    with pytest.raises(InvalidResourceSpecification) as info:
        check_mpi_spec(spec)
    assert info.value.invalid_keys == keys


def test_prefixes_are_composed_as_parsl_composes_them() -> None:
    spec = {"num_nodes": 2, "ranks_per_node": 4, "num_ranks": 8, "launcher_options": "-v"}
    table = compose_all("srun", spec, ["n1", "n2"])
    assert table == {
        "PARSL_MPIEXEC_PREFIX": "mpiexec -n 8 -ppn 4 -hosts n1,n2 -v",
        "PARSL_SRUN_PREFIX": "srun --ntasks 8 --ntasks-per-node 4 --nodelist n1,n2 --nodes 2 -v",
        "PARSL_APRUN_PREFIX": "aprun -n 8 -N 4 -node-list n1,n2 -v",
        "PARSL_MPI_PREFIX": "srun --ntasks 8 --ntasks-per-node 4 --nodelist n1,n2 --nodes 2 -v",
    }
    assert compose_all("mpiexec", spec, ["a"])["PARSL_MPI_PREFIX"].startswith("mpiexec -n 8")
    with pytest.raises(RuntimeError):
        compose_all("mpirun", spec, ["a"])


def test_a_task_larger_than_the_block_is_refused_at_submit() -> None:
    slurm = SlurmProvider(nodes_per_block=2, launcher=SimpleLauncher())
    assert mpi_resources({"num_nodes": 2, "priority": 1}, {"priority"}, slurm)["num_nodes"] == 2
    with pytest.raises(InvalidResourceSpecification, match="nodes_per_block=2"):
        mpi_resources({"num_nodes": 3}, {"priority"}, slurm)
    # a local block's nodes come from its environment: its pool decides
    local = LocalProvider(launcher=SimpleLauncher())
    assert mpi_resources({"num_nodes": 3}, (), local)["num_nodes"] == 3


def test_scheduler_is_identified_from_the_environment() -> None:
    assert identify_scheduler({"SLURM_NODELIST": "n[1-2]", "PBS_NODEFILE": "x"}) is Scheduler.Slurm
    assert identify_scheduler({"PBS_NODEFILE": "x"}) is Scheduler.PBS
    assert identify_scheduler({"LSB_DJOB_HOSTFILE": "x"}) is Scheduler.LSF
    assert identify_scheduler({"PE_HOSTFILE": "x"}) is Scheduler.SGE
    assert identify_scheduler({}) is Scheduler.Unknown


def test_nodes_are_read_from_host_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLURM_NODELIST", "PBS_NODEFILE", "LSB_DJOB_HOSTFILE", "PE_HOSTFILE"):
        monkeypatch.delenv(name, raising=False)
    assert mpi_nodes.discover_nodes() == [socket.gethostname()]
    with pytest.raises(RuntimeError, match="Unknown"):
        mpi_nodes.get_nodes_in_batchjob(Scheduler.Unknown)
    pbs = tmp_path / "pbs"
    pbs.write_text("a\nb\n\n")
    monkeypatch.setenv("PBS_NODEFILE", str(pbs))
    assert mpi_nodes.discover_nodes() == ["a", "b"]
    monkeypatch.delenv("PBS_NODEFILE")
    lsf = tmp_path / "lsf"
    lsf.write_text("h1\nh1\nh2\n")
    monkeypatch.setenv("LSB_DJOB_HOSTFILE", str(lsf))
    assert mpi_nodes.discover_nodes() == ["h1", "h2"]
    monkeypatch.delenv("LSB_DJOB_HOSTFILE")
    sge = tmp_path / "sge"
    sge.write_text("g1 2 all.q@g1 UNDEFINED\ng2 2 all.q@g2 UNDEFINED\n")
    monkeypatch.setenv("PE_HOSTFILE", str(sge))
    assert mpi_nodes.discover_nodes() == ["g1", "g2"]


def _task(task_id: int, nodes: int) -> list[Any]:
    return [task_id, b"f", b"", b"args", check_mpi_spec({"num_nodes": nodes})]


def test_placer_backfills_and_returns_nodes() -> None:
    placer = MpiPlacer("mpiexec", ["n1", "n2", "n3", "n4"])
    pending = deque([_task(1, 3), _task(2, 3), _task(3, 1), _task(4, 1)])
    first = placer.take_next(pending)
    assert first is not None and first[0][0] == 1
    assert first[1]["PARSL_MPI_NODELIST"] == "n1,n2,n3"
    small = placer.take_next(pending)  # task 2 waits: task 3 fits beside task 1
    assert small is not None and small[0][0] == 3 and small[1]["PARSL_MPI_NODELIST"] == "n4"
    assert placer.take_next(pending) is None
    assert [t[0] for t in pending] == [2, 4]
    placer.release([1])
    nxt = placer.take_next(pending)
    assert nxt is not None and nxt[0][0] == 2
    assert placer.admit(_task(9, 5)) is not None and placer.admit(_task(9, 4)) is None


@pytest.mark.parametrize("spec", [{"launcher_options": "--debug"}, {"num_ranks": 4}])
def test_a_spec_without_num_nodes_runs_without_nodes_as_in_parsl(spec: dict[str, Any]) -> None:
    assert check_mpi_spec(spec) == spec
    local = LocalProvider(launcher=SimpleLauncher())
    assert mpi_resources({**spec, "priority": 1}, {"priority"}, local) == spec
    placer = MpiPlacer("mpiexec", ["n1"])
    pending = deque([_task(1, 1), [2, b"f", b"", b"args", check_mpi_spec(spec)]])
    assert placer.take_next(pending) is not None  # task 1 holds the only node
    task, env = placer.take_next(pending) or (None, None)
    assert task is not None and task[0] == 2 and env == {}


def test_allocator_lends_each_node_once() -> None:
    nodes = NodeAllocator(["a", "b"])
    assert nodes.take(1, 1) == ["a"]
    assert nodes.take(2, 2) is None
    assert nodes.take(2, 1) == ["b"]
    nodes.give_back(1)
    nodes.give_back(1)
    assert nodes.free == ["a"]
