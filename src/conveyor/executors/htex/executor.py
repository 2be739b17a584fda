"""HighThroughputExecutor: Parsl's HTEX API over conveyor's client, interchange and pools.

start():  keys -> interchange process (ports on its stdout) -> client I/O thread
-> BlockManager submits init_blocks pools through the provider
submit(): serialize (function once, by content hash) -> client queue -> Future
shutdown(): client says stop -> blocks cancelled -> interchange reaped -> futures failed
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from conveyor.errors import (
    BlocksFailed,
    ConfigurationError,
    ExecutorShutDown,
)
from conveyor.execution.lean_future import LeanFuture
from conveyor.execution.refs import executor_ref, with_refs
from conveyor.execution.run_task import pack_call_frames
from conveyor.executors.base import Executor, ExecutorStatistics, Outcome
from conveyor.executors.blocks.api import BlockOptions, ExecutorLoad
from conveyor.executors.blocks.error_handlers import resolve_handler, simple_error_handler
from conveyor.executors.blocks.manager import BlockManager
from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.addresses import free_port, interchange_addresses
from conveyor.executors.htex.attributes import HtexAttributes, pool_command
from conveyor.executors.htex.checks import HtexChecks
from conveyor.executors.htex.client import HtexClient, Sink, settle
from conveyor.executors.htex.functions import FunctionShipper
from conveyor.executors.htex.manager_selector import manager_order
from conveyor.executors.htex.mpi_prefix import require_simple_launcher
from conveyor.executors.htex.options import HtexOptions, from_parsl_kwargs
from conveyor.executors.htex.queries import HtexQueries
from conveyor.executors.htex.transport import generate_keys
from conveyor.providers.base import ExecutionProvider

if TYPE_CHECKING:
    from conveyor.monitoring.link import MonitoringLink

__all__ = ["HighThroughputExecutor"]

logger = logging.getLogger(__name__)


class HighThroughputExecutor(HtexAttributes, HtexQueries, HtexChecks, Executor):
    """Run tasks on process worker pools started in blocks by a provider.

    Accepts Parsl's keyword names (``max_workers_per_node``, ``heartbeat_period``,
    ``encrypted``, ...), or ``options=HtexOptions(...)``. Each is also an attribute, to
    read or set before ``load()`` (``conveyor.executors.htex.attributes``).
    """

    accepts_walltime = True
    #: dependencies may be passed as references to its own tasks (submit_outcome refs=True)
    accepts_references = True
    #: the kernel's cleanup does not wait for this executor's tasks (nor does Parsl's): what
    #: is unfinished fails at once; ``exit_mode='wait'`` waits for the futures beforehand
    waits_at_cleanup = False

    def __init__(
        self,
        label: str = "HighThroughputExecutor",
        provider: ExecutionProvider | None = None,
        *,
        options: HtexOptions | None = None,
        storage_access: list[Any] | None = None,
        working_dir: str | None = None,
        **parsl_kwargs: Any,
    ) -> None:
        super().__init__()
        #: Parsl's block_error_handler (True: conveyor's rule, the simple handler's superset)
        self.block_error_handler = resolve_handler(parsl_kwargs.pop("block_error_handler", True))
        #: Parsl's manager_selector: which pools get tasks first (checked now, used at start)
        self.manager_selector = parsl_kwargs.pop("manager_selector", None)
        manager_order(self.manager_selector)
        if options is not None and parsl_kwargs:
            raise ConfigurationError("give either options= or Parsl keyword arguments, not both")
        self.label = label
        self.options = options or from_parsl_kwargs(parsl_kwargs)
        if provider is None:
            from conveyor.providers.local import LocalProvider

            provider = LocalProvider()
        self.provider = provider
        if self.options.pool.enable_mpi_mode:
            require_simple_launcher(provider)
        self.storage_access = storage_access
        self.working_dir = working_dir
        self.block_options = BlockOptions(strategy=None)
        self._client: HtexClient | None = None
        self._interchange: subprocess.Popen[bytes] | None = None
        self._blocks: BlockManager | None = None
        self._ids = iter(range(1, 1 << 62))  # from 1, as Parsl's HTEX task ids
        self._function = FunctionShipper()
        #: the interchange's last statistics (load() falls back on them when it is slow)
        self._last_stats: dict[str, Any] = {}
        self._closed = False
        self.cert_dir = ""
        #: set by the kernel before start when a MonitoringHub is configured
        self.monitoring: MonitoringLink | None = None
        self.worker_port = 0

    def configure_scaling(
        self, *, strategy: str | None, strategy_period: float, max_idletime: float
    ) -> None:
        """Called by the kernel before start with Config's scaling settings."""
        self.block_options = BlockOptions(strategy, float(strategy_period), float(max_idletime))

    # --- start ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the interchange, the client and the first blocks."""
        self.options.check_relations()
        if self.options.pool.enable_mpi_mode:  # also when set as an attribute after __init__
            require_simple_launcher(self.provider)
        base = os.path.join(self.run_dir, self.label)
        os.makedirs(base, exist_ok=True)
        if self.options.encrypted:
            self.cert_dir = os.path.join(base, "certificates")
            generate_keys(self.cert_dir)
        identity = os.urandom(12).hex()
        opts = self.options.interchange
        bind = interchange_addresses(opts, self.provider)[0]
        self.worker_port = opts.worker_ports[0] if opts.worker_ports else 0
        self.worker_port = self.worker_port or free_port(bind, opts.worker_port_range)
        client_port = free_port(bind, opts.interchange_port_range)
        # nobody waits for the interchange: the client and the first blocks' pools connect
        # to ports chosen here, and ZeroMQ completes the connections once it has bound them;
        # if it dies instead, the client's liveness check fails every task (BrokenHtex)
        ix = self._spawn_interchange(base, identity, client_port)
        near = bind if bind not in ("0.0.0.0", "*", "::") else opts.loopback_address
        self._client = HtexClient(
            near, client_port, identity.encode(), self.cert_dir, lambda: ix.poll() is None
        )
        self.provider.script_dir = os.path.join(base, "blocks")
        external = self.block_error_handler is not simple_error_handler
        options = dataclasses.replace(self.block_options, external_errors=external)
        self._blocks = BlockManager(
            self.provider, self, self.launch_command, label=self.label, options=options
        )
        if self.monitoring is not None:
            self._client.monitoring = self.monitoring
            self._blocks.monitor = self.monitoring.block_changed
        self._blocks.start()

    def _spawn_interchange(
        self, base: str, identity: str, client_port: int
    ) -> subprocess.Popen[bytes]:
        ix = self.options.interchange
        cfg = {
            "client_identity": identity,
            "address": interchange_addresses(ix, self.provider)[0],
            "worker_port": self.worker_port,
            "client_port": client_port,
            "port_range": list(ix.worker_port_range),
            "heartbeat_period": ix.heartbeat_period,
            "heartbeat_threshold": ix.heartbeat_threshold,
            "cert_dir": self.cert_dir,
            "parent_pid": os.getpid(),
            "manager_order": manager_order(self.manager_selector),
            "log_file": os.path.join(base, "interchange.log"),
        }
        open(os.path.join(base, "interchange.log"), "a").close()  # there from start-up on
        with open(os.path.join(base, "interchange.stderr"), "ab") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "conveyor.executors.htex.interchange"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
            )
        self._interchange = proc
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(cfg).encode() + b"\n")
        proc.stdin.close()
        return proc

    def launch_command(self, block_id: str) -> str:
        """The pool command line for one block."""
        ix, pool = self.options.interchange, self.options.pool
        addresses = interchange_addresses(ix, self.provider)[1]
        spec = p.PoolLaunchSpec(
            addresses=addresses,
            port=self.worker_port,
            block_id=block_id,
            max_workers=pool.max_workers_per_node or 0,
            cores_per_worker=pool.cores_per_worker,
            mem_per_worker=pool.mem_per_worker or 0.0,
            prefetch_capacity=pool.prefetch_capacity,
            heartbeat_period=ix.heartbeat_period,
            heartbeat_threshold=ix.heartbeat_threshold,
            cert_dir=self.cert_dir,
            logdir=self.worker_logdir,
            debug=pool.worker_debug,
            cpu_affinity=pool.cpu_affinity,
            accelerators=",".join(self.options.accelerators),
            drain_period=pool.drain_period or 0.0,
            extra=self.monitoring.pool_settings() if self.monitoring is not None else {},
            mpi_launcher=pool.mpi_launcher if pool.enable_mpi_mode else "",
        )
        return pool_command(self.launch_cmd, spec, self.parsl_placeholders(spec))

    # --- submit -------------------------------------------------------------------------

    def submit(
        self,
        func: Callable[..., Any],
        resource_specification: Mapping[str, Any],
        *args: Any,
        **kwargs: Any,
    ) -> Future[Any]:
        """Queue ``func(*args, **kwargs)`` for a worker; return its future."""
        fut: Future[Any] = LeanFuture()
        self._queue(fut, func, resource_specification, args, kwargs)
        return fut

    def submit_outcome(
        self,
        done: Outcome,
        func: Callable[..., Any],
        resource_specification: Mapping[str, Any],
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
        refs: bool = False,
    ) -> int:
        """As ``submit``, reporting to ``done`` from the client's I/O thread: no Future kept.

        Returns the task's id here. With ``refs``, each unfinished dependency among the
        arguments whose ``executor_ref`` is such an id becomes a TaskRef
        (execution/refs.py): the interchange runs the task when those finish, with their
        results, or answers RemoteDependencyFailed (the kernel then takes over).
        """
        ids: list[int] | None = None
        if refs:
            args, kwargs, ids = with_refs(args, kwargs, executor_ref)
        return self._queue(done, func, resource_specification, args, kwargs, ids)

    def _queue(
        self,
        sink: Sink,
        func: Callable[..., Any],
        spec: Mapping[str, Any],
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
        refs: list[int] | None = None,
    ) -> int:
        client = self._client
        if self._closed or client is None:
            raise RuntimeError(
                f"cannot submit to executor {self.label!r}: not running (shut down or not started)"
            )
        resources = self._checked_resources(spec)
        priority, walltime = int(spec.get("priority", 0)), float(spec.get("walltime") or 0)
        error = client.broken or self._walltime_error(walltime)
        task_id = next(self._ids)
        if error is not None:
            settle(sink, False, error)
            return task_id
        fn_hash, fn_bytes = self._function(func)
        stream, buffers = pack_call_frames(args, kwargs)
        item = [task_id, priority, int(walltime * 1000), fn_hash, fn_bytes, stream]
        if refs:
            item += [resources or {}, refs]
        elif resources is not None:
            item.append(resources)
        client.submit(sink, item, buffers)
        return task_id

    # --- ExecutorHooks for the BlockManager --------------------------------------------

    def load(self) -> ExecutorLoad:
        """Load snapshot for scaling decisions (the last one, if the interchange is slow)."""
        try:
            stats = self._client.statistics() if self._client else {}
            self._last_stats = stats
        except TimeoutError:
            logger.warning(
                "%s: the interchange did not answer in time; last counters used", self.label
            )
            stats = self._last_stats
        blocks = stats.get("blocks", {})
        return ExecutorLoad(
            outstanding=len(self._client.futures) if self._client else 0,
            workers_per_node=self.workers_per_node,
            connected_workers={b: v["workers"] for b, v in blocks.items()},
            idle_for={b: v["idle_for"] for b, v in blocks.items() if v["idle_for"] is not None},
            ever_connected=frozenset(stats.get("connected_blocks", ())),
        )

    def drain_blocks(self, block_ids: list[str]) -> None:
        """Ask the interchange to drain the pools of these blocks."""
        if self._client is not None:
            self._client.control(p.DrainBlocks(list(block_ids)))

    def blocks_starting(self, block_ids: list[str]) -> None:
        """Running blocks whose pools have not registered: the interchange holds no burst."""
        if self._client is not None:
            self._client.control(p.BlocksStarting(list(block_ids)))

    def block_failed(self, block_id: str, message: str) -> None:
        """A block ended: the interchange fails its pools' tasks with ManagerLost now."""
        if self._client is not None and self._client.broken is None:
            self._client.control(p.BlocksLost([block_id]))

    def set_broken(self, message: str) -> None:
        """Blocks cannot be started: fail all pending tasks with the provider's message."""
        if self._client is not None:
            self._client.fail_all(BlocksFailed(self, message))

    # --- status and shutdown --------------------------------------------------------------

    def statistics(self) -> ExecutorStatistics:
        """Outstanding tasks, connected workers, blocks."""
        client = self._client
        stats = (
            client.statistics()
            if client is not None and client.broken is None and not self._closed
            else {}
        )
        blocks = self._blocks.statistics() if self._blocks else None
        return ExecutorStatistics(
            self.label,
            outstanding=len(client.futures) if client else 0,
            completed=int(stats.get("completed", 0)),
            connected_workers=int(stats.get("workers", 0)),
            extra={"managers": stats.get("managers", 0), "blocks": blocks},
        )

    def connected_workers(self) -> int:
        """Workers of all registered pools."""
        return self.statistics().connected_workers

    @property
    def bad_state_is_set(self) -> bool:
        """True once the interchange died or blocks could not start."""
        return self._client is not None and self._client.broken is not None

    @property
    def executor_exception(self) -> BaseException | None:
        """Why the executor is broken, if it is."""
        return self._client.broken if self._client else None

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop pools, interchange and client; fail whatever is still pending. Idempotent."""
        if self._closed:
            return
        self._closed = True
        client = self._client
        if client is not None:
            if cancel_futures:
                client.cancel_futures()
            elif wait and client.broken is None:
                self._wait_while_served(client)
            # fail what is left before the interchange goes: its exit must not be reported
            # as a crash ("interchange died") to tasks that were simply abandoned
            self._abandon(client)
            client.control(p.ClientShutdown())
        if self._blocks is not None:
            self._blocks.shutdown()
        self._stop_interchange()
        if client is not None:
            client.close()

    def _abandon(self, client: HtexClient) -> None:
        if client.futures:
            logger.warning(
                "%s: shutting down with %d tasks unfinished; they fail now, not waited for",
                self.label,
                len(client.futures),
            )
        client.fail_all(
            ExecutorShutDown(
                f"executor {self.label} was shut down before the task finished (a "
                "DataFlowKernel's cleanup does not wait for running tasks: wait for "
                "their futures first, or use Config(exit_mode='wait'))"
            )
        )

    def _stop_interchange(self) -> None:
        proc = self._interchange
        if proc is None:
            return
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
