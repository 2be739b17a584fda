"""HTEX options grouped by the part they configure; built from Parsl's keyword names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from conveyor.errors import ConfigurationError

__all__ = ["HtexOptions", "InterchangeOptions", "PoolOptions", "from_parsl_kwargs"]


@dataclass(frozen=True, slots=True)
class InterchangeOptions:
    """Where the interchange listens and how it judges pool liveness."""

    address: str | None = None
    loopback_address: str = "127.0.0.1"
    worker_ports: tuple[int, int] | None = None
    worker_port_range: tuple[int, int] = (54000, 55000)
    interchange_port_range: tuple[int, int] = (55000, 56000)
    heartbeat_threshold: float = 120.0
    heartbeat_period: float = 30.0
    poll_period: float = 10.0
    address_probe_timeout: float | None = None


@dataclass(frozen=True, slots=True)
class PoolOptions:
    """How each node's worker pool is started and sized."""

    launch_cmd: str | None = None
    worker_debug: bool = False
    cores_per_worker: float = 1.0
    mem_per_worker: float | None = None
    max_workers_per_node: int | None = None
    cpu_affinity: str = "none"
    available_accelerators: Sequence[str] | int = ()
    prefetch_capacity: int = 0
    drain_period: float | None = None
    worker_logdir_root: str | None = None
    #: MPI mode: tasks get nodes of their block (parsl_resource_specification num_nodes...)
    enable_mpi_mode: bool = False
    mpi_launcher: str = "mpiexec"


@dataclass(frozen=True, slots=True)
class HtexOptions:
    """All HTEX options: interchange, pool and security."""

    interchange: InterchangeOptions = field(default_factory=InterchangeOptions)
    pool: PoolOptions = field(default_factory=PoolOptions)
    encrypted: bool = True

    def __post_init__(self) -> None:
        ix, pool = self.interchange, self.pool
        if ix.heartbeat_period <= 0 or ix.heartbeat_threshold <= 0:
            raise ConfigurationError("heartbeat_period and heartbeat_threshold must be > 0")
        if pool.cores_per_worker <= 0:
            raise ConfigurationError("cores_per_worker must be > 0")
        if pool.max_workers_per_node is not None and pool.max_workers_per_node < 1:
            raise ConfigurationError("max_workers_per_node must be >= 1")
        if pool.prefetch_capacity < 0:
            raise ConfigurationError("prefetch_capacity must be >= 0")
        if pool.cpu_affinity not in (
            "none",
            "block",
            "alternating",
            "block-reverse",
        ) and not pool.cpu_affinity.startswith("list:"):
            raise ConfigurationError(f"unknown cpu_affinity {pool.cpu_affinity!r}")
        if pool.mpi_launcher not in ("mpiexec", "srun", "aprun"):
            raise ValueError(
                f"mpi_launcher set to:{pool.mpi_launcher} must be one of mpiexec, srun, aprun"
            )

    def check_relations(self) -> None:
        """Checks across fields: heartbeat_threshold must exceed heartbeat_period.

        Run at construction and at start, not per attribute set, so that attributes can be
        set one after the other in any order.
        """
        ix = self.interchange
        if ix.heartbeat_threshold <= ix.heartbeat_period:
            raise ConfigurationError(
                f"heartbeat_threshold ({ix.heartbeat_threshold}) must exceed "
                f"heartbeat_period ({ix.heartbeat_period})"
            )

    @property
    def accelerators(self) -> list[str]:
        """Accelerator ids (an int n means devices 0..n-1)."""
        acc = self.pool.available_accelerators
        return [str(i) for i in range(acc)] if isinstance(acc, int) else [str(a) for a in acc]


_IGNORED = {
    "interchange_launch_cmd",
}


def from_parsl_kwargs(kwargs: Mapping[str, Any]) -> HtexOptions:
    """Sort Parsl's flat HTEX keywords into the option groups; TypeError on unknown names."""
    ix_names = {f.name for f in fields(InterchangeOptions)}
    pool_names = {f.name for f in fields(PoolOptions)}
    ix: dict[str, Any] = {}
    pool: dict[str, Any] = {}
    encrypted = True
    for key, value in kwargs.items():
        if key == "max_workers":
            pool["max_workers_per_node"] = value
        elif key == "worker_port":  # Parsl 2026's one fixed worker port
            ix["worker_ports"] = None if value is None else (value, value)
        elif key == "encrypted":
            encrypted = bool(value)
        elif key in ix_names:
            ix[key] = (
                tuple(value) if key.endswith(("ports", "range")) and value is not None else value
            )
        elif key in pool_names:
            pool[key] = value
        elif key not in _IGNORED:
            raise TypeError(f"HighThroughputExecutor got an unexpected keyword argument {key!r}")
    options = HtexOptions(InterchangeOptions(**ix), PoolOptions(**pool), encrypted)
    options.check_relations()
    return options
