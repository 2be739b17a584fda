"""Parsl's HTEX constructor arguments as attributes, over the grouped options.

    ex.max_workers_per_node = 4   ->  ex.options = replace(options, pool=replace(pool, ...))
                                      (validated again: a bad value raises at once)
    ex.max_workers_per_node       ->  ex.options.pool.max_workers_per_node

The options stay one frozen dataclass (``HtexOptions``); each attribute is a descriptor
reading or replacing its field. Setting one before ``start()`` takes effect; once the
executor runs, setting one raises ConfigurationError instead of being silently ignored.
"""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from typing import Any

from conveyor.errors import ConfigurationError
from conveyor.executors.htex.options import HtexOptions
from conveyor.executors.htex.pool_spec import PoolLaunchSpec
from conveyor.providers.base import ExecutionProvider

__all__ = ["DEFAULT_LAUNCH_CMD", "HtexAttributes", "pool_command", "workers_per_node"]

_POOL_MODULE = "conveyor.executors.htex.pool"
_PARSL_POOL = "process_worker_pool.py"
#: the pool program conveyor starts when ``launch_cmd`` is not given
DEFAULT_LAUNCH_CMD = f"{sys.executable} -m {_POOL_MODULE}"


class _Option:
    """One field of ``HtexOptions``: in its ``interchange`` or ``pool`` group, or top level."""

    def __init__(self, group: str = "") -> None:
        self.group = group
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        options = obj.options
        return getattr(getattr(options, self.group) if self.group else options, self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        obj._refuse_change_when_running(self.name)
        obj.options = with_option(obj.options, self.group, self.name, self.convert(value))

    def convert(self, value: Any) -> Any:
        """The value as the options store it."""
        return value


class _Range(_Option):
    """A port range or pair: stored as a tuple."""

    def convert(self, value: Any) -> Any:
        return None if value is None else tuple(value)


class _MaxWorkers(_Option):
    """``max_workers_per_node``: unlimited reads as ``inf``, as in Parsl."""

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.options.pool.max_workers_per_node
        return math.inf if value is None else value

    def convert(self, value: Any) -> Any:
        return None if value is None or value == math.inf else value


class _Accelerators(_Option):
    """``available_accelerators``: reads as a list of ids (an int n means 0..n-1)."""

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        accelerators: list[str] = obj.options.accelerators
        return accelerators

    def convert(self, value: Any) -> Any:
        return value if isinstance(value, int) else tuple(str(v) for v in value)


class _LaunchCmd(_Option):
    """``launch_cmd``: reads as the pool program actually started."""

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return obj.options.pool.launch_cmd or DEFAULT_LAUNCH_CMD

    def convert(self, value: Any) -> Any:
        return None if value == DEFAULT_LAUNCH_CMD else value


def pool_command(launch_cmd: str, spec: PoolLaunchSpec, parsl_values: dict[str, Any]) -> str:
    """The command a block runs to start its pool, from ``launch_cmd``.

    - naming conveyor's pool (the default, or behind a wrapper such as ``env X=1 ...``): the
      pool's arguments are appended;
    - naming Parsl's ``process_worker_pool.py`` (a Parsl template, perhaps behind a container
      runtime): what precedes it is kept, conveyor's pool and its arguments replace the rest;
    - anything else runs as given, as in Parsl, with Parsl's ``{placeholders}`` filled in
      (``{block_id}``, ``{debug}``, ``{worker_port}``, ...; unknown ones are left as they are).
    """
    if _POOL_MODULE in launch_cmd:
        return spec.to_command(launch_cmd)
    if _PARSL_POOL in launch_cmd:
        prefix = launch_cmd.split(_PARSL_POOL, 1)[0]
        return prefix + spec.to_command(DEFAULT_LAUNCH_CMD)
    return launch_cmd.format_map(_Placeholders(parsl_values))


class _Placeholders(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def with_option(options: HtexOptions, group: str, name: str, value: Any) -> HtexOptions:
    """``options`` with one field replaced; HtexOptions' checks run again."""
    if not group:
        return replace(options, **{name: value})
    return replace(options, **{group: replace(getattr(options, group), **{name: value})})


def workers_per_node(options: HtexOptions, provider: ExecutionProvider) -> int:
    """Workers one node's pool runs, computed as Parsl computes it.

    The least of max_workers_per_node, the provider's cores_per_node / cores_per_worker,
    its mem_per_node / mem_per_worker, and the number of accelerators; 1 when nothing
    limits it (the provider gives no hint).
    """
    pool = options.pool
    limits: list[float] = [pool.max_workers_per_node or math.inf]
    cores = getattr(provider, "cores_per_node", None)
    if cores is not None:
        limits.append(math.floor(cores / pool.cores_per_worker))
    mem = getattr(provider, "mem_per_node", None)
    if mem is not None and pool.mem_per_worker:
        limits.append(math.floor(mem / pool.mem_per_worker))
    if options.accelerators:
        limits.append(len(options.accelerators))
    least = min(limits)
    return 1 if least == math.inf else int(least)


class _Fixed:
    """A plain attribute (label, provider) that may change only before the executor starts."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.slot = name, f"_{name}_value"

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        return self if obj is None else getattr(obj, self.slot)

    def __set__(self, obj: Any, value: Any) -> None:
        obj._refuse_change_when_running(self.name)
        setattr(obj, self.slot, value)


class HtexAttributes:
    """Parsl's attribute names on the HTEX, each a view of ``self.options``."""

    options: HtexOptions
    run_dir: str
    label: Any = _Fixed()
    provider: Any = _Fixed()

    # interchange
    address = _Option("interchange")
    loopback_address = _Option("interchange")
    worker_ports = _Range("interchange")
    worker_port_range = _Range("interchange")
    interchange_port_range = _Range("interchange")
    heartbeat_threshold = _Option("interchange")
    heartbeat_period = _Option("interchange")
    poll_period = _Option("interchange")
    address_probe_timeout = _Option("interchange")
    # pools
    launch_cmd = _LaunchCmd("pool")
    worker_debug = _Option("pool")
    cores_per_worker = _Option("pool")
    mem_per_worker = _Option("pool")
    max_workers_per_node = _MaxWorkers("pool")
    cpu_affinity = _Option("pool")
    available_accelerators = _Accelerators("pool")
    prefetch_capacity = _Option("pool")
    drain_period = _Option("pool")
    worker_logdir_root = _Option("pool")
    enable_mpi_mode = _Option("pool")
    mpi_launcher = _Option("pool")
    # security
    encrypted = _Option()

    @property
    def workers_per_node(self) -> int:
        """Workers per node as Parsl computes it (scaling sizes blocks with it)."""
        return workers_per_node(self.options, self.provider)

    @property
    def logdir(self) -> str:
        """This executor's directory in the run directory (Parsl's ``logdir``)."""
        return f"{self.run_dir}/{self.label}"

    @property
    def worker_logdir(self) -> str:
        """Where pools write their logs: ``worker_logdir_root``, else ``logdir/pools``."""
        return self.options.pool.worker_logdir_root or f"{self.logdir}/pools"

    def parsl_placeholders(self, spec: PoolLaunchSpec) -> dict[str, Any]:
        """Values of the ``{placeholders}`` in a Parsl-style ``launch_cmd``."""
        pool = self.options.pool
        workers = pool.max_workers_per_node
        return {
            "block_id": spec.block_id,
            "debug": "--debug" if spec.debug else "",
            "max_workers_per_node": "" if workers is None else f"--max_workers_per_node={workers}",
            "addresses": spec.addresses,
            "worker_port": spec.port,
            "cores_per_worker": spec.cores_per_worker,
            "mem_per_worker": pool.mem_per_worker,
            "prefetch_capacity": spec.prefetch_capacity,
            "nodes_per_block": self.provider.nodes_per_block,
            "heartbeat_period": spec.heartbeat_period,
            "heartbeat_threshold": spec.heartbeat_threshold,
            "drain_period": pool.drain_period,
            "poll_period": self.options.interchange.poll_period,
            "cert_dir": spec.cert_dir or None,
            "logdir": spec.logdir,
            "cpu_affinity": spec.cpu_affinity,
            "accelerators": " ".join(self.options.accelerators),
            "address_probe_timeout_string": "",
            "enable_mpi_mode": "--enable_mpi_mode " if pool.enable_mpi_mode else "",
            "mpi_launcher": pool.mpi_launcher,
        }

    def _refuse_change_when_running(self, name: str) -> None:
        if getattr(self, "_client", None) is not None:
            raise ConfigurationError(
                f"{name} of executor {self.label!r} cannot change once it has started; "
                "set it before load()"
            )
