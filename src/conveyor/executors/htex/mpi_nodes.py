"""The nodes of a block in MPI mode: found from the batch job, lent to tasks (the pool's side).

Discovery follows Parsl: ``SLURM_NODELIST`` (expanded by ``scontrol show hostnames``) or
``PBS_NODEFILE`` (one host per line, as written). conveyor also reads LSF's
``LSB_DJOB_HOSTFILE`` and Grid Engine's ``PE_HOSTFILE``, and, outside any batch job, uses
the pool's own host as the block's single node (Parsl refuses to start there).

:class:`NodeAllocator` hands nodes out and takes them back; the pool's MPI placer
(``pool/mpi_placer.py``) decides which queued task gets them.
"""

from __future__ import annotations

import enum
import os
import socket
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = [
    "NodeAllocator",
    "Scheduler",
    "discover_nodes",
    "get_nodes_in_batchjob",
    "get_pbs_hosts_list",
    "get_slurm_hosts_list",
    "identify_scheduler",
]


class Scheduler(enum.Enum):
    """Which batch system the pool runs under (as Parsl names them; LSF and SGE are conveyor's)."""

    Unknown = 0
    Slurm = 1
    PBS = 2
    LSF = 3
    SGE = 4


def identify_scheduler(env: Mapping[str, str] | None = None) -> Scheduler:
    """The batch system whose variables are set, in Parsl's order (Slurm first)."""
    env = os.environ if env is None else env
    for name, kind in (
        ("SLURM_NODELIST", Scheduler.Slurm),
        ("PBS_NODEFILE", Scheduler.PBS),
        ("LSB_DJOB_HOSTFILE", Scheduler.LSF),
        ("PE_HOSTFILE", Scheduler.SGE),
    ):
        if env.get(name):
            return kind
    return Scheduler.Unknown


def get_slurm_hosts_list() -> list[str]:
    """``SLURM_NODELIST`` expanded to host names by ``scontrol show hostnames``."""
    out = subprocess.check_output(
        ["scontrol", "show", "hostnames", os.environ.get("SLURM_NODELIST", "")],
        stderr=subprocess.STDOUT,
    )
    return out.decode().split()


def _lines(path: str) -> list[str]:
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def get_pbs_hosts_list() -> list[str]:
    """The lines of ``PBS_NODEFILE``."""
    return _lines(os.environ["PBS_NODEFILE"])


def _unique(hosts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(hosts))


_READERS: dict[Scheduler, Callable[[], list[str]]] = {
    Scheduler.Slurm: get_slurm_hosts_list,
    Scheduler.PBS: get_pbs_hosts_list,
    Scheduler.LSF: lambda: _unique(_lines(os.environ["LSB_DJOB_HOSTFILE"])),
    Scheduler.SGE: lambda: _unique(line.split()[0] for line in _lines(os.environ["PE_HOSTFILE"])),
}


def get_nodes_in_batchjob(scheduler: Scheduler) -> list[str]:
    """The nodes of the current batch job; RuntimeError outside one (as Parsl)."""
    reader = _READERS.get(scheduler)
    if reader is None:
        raise RuntimeError(f"mpi_mode does not support scheduler:{scheduler}")
    return reader()


def discover_nodes() -> list[str]:
    """The block's nodes; this host alone when the pool runs outside a batch job."""
    scheduler = identify_scheduler()
    if scheduler is Scheduler.Unknown:
        return [socket.gethostname()]
    return get_nodes_in_batchjob(scheduler)


class NodeAllocator:
    """Free and lent nodes of one block (not thread-safe: the pool manager is one thread)."""

    def __init__(self, nodes: Sequence[str]) -> None:
        self.total = len(nodes)
        self.free: list[str] = list(nodes)
        self.lent: dict[int, list[str]] = {}

    def take(self, task_id: int, count: int) -> list[str] | None:
        """Lend ``count`` nodes to a task, or None if fewer are free."""
        if count > len(self.free):
            return None
        nodes, self.free = self.free[:count], self.free[count:]
        self.lent[task_id] = nodes
        return nodes

    def give_back(self, task_id: int) -> None:
        """The task ended: its nodes are free again (no-op for a task holding none)."""
        self.free += self.lent.pop(task_id, [])
