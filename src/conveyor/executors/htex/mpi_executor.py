"""MPIExecutor: an HTEX in MPI mode, with Parsl's keywords.

One pool per block (the provider must use a SimpleLauncher) owns all of the block's
nodes; ``max_workers_per_block`` MPI tasks run at once, each on the ``num_nodes`` nodes
its ``parsl_resource_specification`` asks for, launched by the app itself through
``$PARSL_MPI_PREFIX`` (mpiexec, srun or aprun).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.executors.htex.mpi_prefix import (
    VALID_LAUNCHERS,
    require_simple_launcher,
)
from conveyor.providers.base import ExecutionProvider

__all__ = ["MPIExecutor"]


class MPIExecutor(HighThroughputExecutor):
    """A HighThroughputExecutor for multi-node (MPI) tasks.

    Parameters are Parsl's: ``label``, ``provider`` (its launcher must be a
    SimpleLauncher), ``launch_cmd``, ``interchange_launch_cmd``, ``address``,
    ``loopback_address``, ``worker_port``, ``worker_port_range``,
    ``interchange_port_range``, ``storage_access``, ``working_dir``, ``worker_debug``,
    ``max_workers_per_block`` (MPI tasks running at once per block, default 1),
    ``prefetch_capacity``, ``heartbeat_threshold``, ``heartbeat_period``,
    ``drain_period``, ``poll_period``, ``address_probe_timeout``, ``worker_logdir_root``,
    ``mpi_launcher`` (``"mpiexec"``, ``"srun"`` or ``"aprun"``), ``block_error_handler``,
    ``encrypted`` (default False, as in Parsl) and ``remote_monitoring_radio``.
    """

    def __init__(
        self,
        label: str = "MPIExecutor",
        provider: ExecutionProvider | None = None,
        *,
        max_workers_per_block: int = 1,
        mpi_launcher: str = "mpiexec",
        encrypted: bool = False,
        storage_access: list[Any] | None = None,
        working_dir: str | None = None,
        worker_port: int | None = None,
        remote_monitoring_radio: Any = None,
        block_error_handler: bool | Callable[..., None] = True,
        **htex_kwargs: Any,
    ) -> None:
        if mpi_launcher not in VALID_LAUNCHERS:
            raise ValueError(
                f"mpi_launcher set to:{mpi_launcher} must be set to one of {VALID_LAUNCHERS}"
            )
        if provider is None:
            from conveyor.launchers import SimpleLauncher
            from conveyor.providers.local import LocalProvider

            provider = LocalProvider(launcher=SimpleLauncher())
        require_simple_launcher(provider)
        if worker_port is not None:
            htex_kwargs["worker_ports"] = (worker_port, worker_port)
        super().__init__(
            label,
            provider,
            storage_access=storage_access,
            working_dir=working_dir,
            max_workers_per_node=max_workers_per_block,
            cores_per_worker=1e-9,
            enable_mpi_mode=True,
            mpi_launcher=mpi_launcher,
            encrypted=encrypted,
            block_error_handler=block_error_handler,
            **htex_kwargs,
        )

    @property
    def max_workers_per_block(self) -> int:
        """MPI tasks a block runs at once (its one pool's ``max_workers_per_node``)."""
        return int(self.max_workers_per_node)

    @max_workers_per_block.setter
    def max_workers_per_block(self, value: int) -> None:
        self.max_workers_per_node = value

    def monitor_resources(self) -> bool:
        """An MPI task's processes span nodes: per-task resource monitoring is off."""
        return False
