"""The pool manager: one per node; one DEALER connection to the interchange.

    interchange ROUTER <--tcp (CURVE)--> manager DEALER
    manager --Pipe--> worker 0..N-1 (processes); results come back on the same pipes

Registers with versions, takes task batches (up to workers + prefetch), gives each idle
worker one task, returns results in batches, heartbeats both ways, replaces dead workers
(their task fails with WorkerLost), drains on request, and exits when the interchange
goes silent for longer than the heartbeat threshold.
"""

from __future__ import annotations

import logging
import math
import multiprocessing as mp
import os
import socket
import sys
import time
from collections import deque
from typing import Any

import msgpack
import zmq

from conveyor.errors import WorkerLost
from conveyor.execution.run_task import error_payload
from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.frames import check_attached, item_id, receive_rest, send_split
from conveyor.executors.htex.mpi_nodes import discover_nodes
from conveyor.executors.htex.pool.affinity import (
    WorkerPlacement,
    cpus_for_worker,
)
from conveyor.executors.htex.pool.deadline import drain_time
from conveyor.executors.htex.pool.holds import HoldTable
from conveyor.executors.htex.pool.link import LinkWatch
from conveyor.executors.htex.pool.mpi_placer import MpiPlacer
from conveyor.executors.htex.pool.probe import reachable_address
from conveyor.executors.htex.pool.register import register_info
from conveyor.executors.htex.pool.resources import ResourcePlacer
from conveyor.executors.htex.pool.sampler import Sampler
from conveyor.executors.htex.pool.slots import WorkerSlot, count_workers, node_shape, spawn_worker
from conveyor.executors.htex.transport import connect, secure_client

__all__ = ["Manager", "RegistrationRefused"]

logger = logging.getLogger("conveyor.pool")
#: most tasks handed to one worker at once (only when more are queued than workers idle)
MAX_WORKER_BATCH = 16


class RegistrationRefused(Exception):
    """The interchange refused this pool (e.g. version mismatch) or never answered."""


class Manager:
    """Runs one pool until shutdown, drain or loss of the interchange."""

    def __init__(self, spec: p.PoolLaunchSpec) -> None:
        self.spec = spec
        self.hostname = socket.gethostname()
        self.identity = os.urandom(8)
        # the first workers are forked (fast) before ZeroMQ starts its threads; workers
        # replacing dead ones later are spawned, since forking a threaded process is unsafe
        self.mp: Any = mp.get_context("fork")
        self.accelerators = [a for a in spec.accelerators.split(",") if a]
        self.worker_count = count_workers(spec, self.accelerators)
        self.workers: list[WorkerSlot] = []
        self.pending: deque[list[Any]] = deque()
        self.functions: dict[bytes, bytes] = {}
        self.results: list[list[Any]] = []
        #: out-of-band buffers (frames.py): of tasks here until their result, of results
        self.task_buffers: dict[int, list[Any]] = {}
        #: the dependency results a task was sent with, until its result
        self.task_refs: dict[int, list[Any]] = {}
        self.result_buffers: dict[int, list[Any]] = {}
        #: delegated tasks held until this pool's workers finish what they await (holds.py)
        self.holds = HoldTable()
        self.unheld: list[int] = []
        self.draining = False
        self.running = True
        self.drain_at = drain_time(spec.drain_period, os.environ.get("CONVEYOR_BLOCK_DEADLINE"))
        self.placer: MpiPlacer | ResourcePlacer = (
            MpiPlacer(spec.mpi_launcher, discover_nodes())
            if spec.mpi_launcher
            else ResourcePlacer(node_shape(spec, self.accelerators))
        )
        self._poller_cache: zmq.Poller | None = None
        #: monitoring (pool/sampler.py), when the executor asked for it
        self.sampler = Sampler.from_extra(
            spec.extra, spec.block_id, self.identity.hex(), self.worker_count
        )

    # --- start-up -------------------------------------------------------------------

    def connect(self) -> None:
        """Connect, register and wait for the interchange's answer."""
        address = reachable_address(self.spec.addresses.split(","), self.spec.port)
        url = connect(self.sock, address, self.spec.port)
        shape = self.placer.shape.summary() if isinstance(self.placer, ResourcePlacer) else None
        info = register_info(self.spec, self.worker_count, self.drain_at, shape)
        # a link whose CURVE handshake is refused has no pipe: send would block for ever
        self.sock.sndtimeo = int(self.spec.heartbeat_threshold * 1000)
        try:
            self.sock.send(p.encode(p.Register(info)))
        except zmq.Again:
            raise RegistrationRefused(
                f"no link to the interchange at {url} within {self.spec.heartbeat_threshold} s "
                "(handshake refused? check the keys)"
            ) from None
        self.sock.sndtimeo = -1
        if not self.sock.poll(int(self.spec.heartbeat_threshold * 1000)):
            raise RegistrationRefused(
                f"no answer from the interchange at {url} within {self.spec.heartbeat_threshold} s"
            )
        reply = p.decode(self.sock.recv())
        if not isinstance(reply, p.RegisterAck) or not reply.ok:
            raise RegistrationRefused(
                getattr(reply, "reason", f"unexpected {type(reply).__name__}")
            )

    def start_workers(self) -> None:
        """Start ``max_workers`` worker processes."""
        self.workers = [self._spawn(rank) for rank in range(self.worker_count)]

    def open_socket(self) -> None:
        """Create the ZeroMQ context and the one DEALER socket (after the first workers)."""
        self.mp = mp.get_context("spawn")
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.identity = self.identity
        self.sock.linger = 0
        secure_client(self.sock, self.spec.cert_dir)
        self.link = LinkWatch(self.sock)

    def _spawn(self, rank: int) -> WorkerSlot:
        placement = WorkerPlacement(
            rank,
            self.worker_count,
            self.identity.hex(),
            self.spec.block_id,
            cpus_for_worker(
                self.spec.cpu_affinity, rank, self.worker_count, sorted(os.sched_getaffinity(0))
            ),
            self.accelerators[rank % len(self.accelerators)] if self.accelerators else None,
        )
        return spawn_worker(self.mp, placement)

    # --- main loop ------------------------------------------------------------------

    def run(self) -> None:
        """Serve until told to stop, drained, or the interchange is gone."""
        period = self.spec.heartbeat_period
        last_heard = last_beat = time.monotonic()
        while self.running:
            poller = self._poller()
            # wake at drain time too: the interchange learns of the drain when it starts
            until_drain = math.inf if self.draining else self.drain_at - time.monotonic()
            wait = min(period, 1.0, max(until_drain, 0.0))
            ready = dict(poller.poll(int(wait * 1000)))
            now = time.monotonic()
            if self.sock in ready:
                last_heard = now
                self._read_interchange()
            if self.link.events in ready:
                self.link.read()
            self._read_workers(ready)
            self._assign()
            if self.sampler is not None:  # ahead of the results: they end its tries
                self.sampler.tick(self.workers, self.sock)
            self._flush_results()
            if now - last_beat >= period:
                last_beat = now
                self.sock.send(p.encode(p.Heartbeat()))
            if not self.draining and now >= self.drain_at:
                logger.info("block end near (or drain_period over): pool drains")
                self.draining = True
                self.sock.send(p.encode(p.Draining()))
            if self.link.lost(now):
                logger.error("interchange connection closed and not back; pool exits")
                self.running = False
            if now - last_heard > self.spec.heartbeat_threshold:
                logger.error("interchange silent for %.1f s; pool exits", now - last_heard)
                self.running = False
            idle = not self.pending and not self.holds.tasks
            if self.draining and idle and all(not w.tasks for w in self.workers):
                self.sock.send(p.encode(p.Drained()))
                self.running = False

    def _poller(self) -> zmq.Poller:
        if self._poller_cache is not None:
            return self._poller_cache
        poller = self._poller_cache = zmq.Poller()
        poller.register(self.sock, zmq.POLLIN)
        poller.register(self.link.events, zmq.POLLIN)
        for w in self.workers:
            poller.register(w.conn.fileno(), zmq.POLLIN)
            poller.register(w.process.sentinel, zmq.POLLIN)
        return poller

    def _read_interchange(self) -> None:
        while True:
            try:
                frame = self.sock.recv(zmq.NOBLOCK)
            except zmq.Again:
                return
            extra = receive_rest(self.sock)
            try:
                msg = p.decode(frame)
                check_attached(msg, len(extra))
            except Exception as exc:  # noqa: BLE001 - malformed input is dropped
                logger.warning("dropped malformed message from interchange: %s", exc)
                continue
            if extra:
                self.task_buffers[item_id(msg)] = extra  # type: ignore[arg-type]
            self._on_message(msg)

    def _on_message(self, msg: p.Message) -> None:
        if isinstance(msg, p.Tasks):
            for task in msg.tasks:
                awaited = task.pop() if len(task) > 6 else None  # delegated: holds.py
                if len(task) > 5:  # dependency results: kept beside, not in the queue
                    self.task_refs[task[0]] = task.pop()
                if task[2]:
                    self.functions[task[1]] = task[2]
                refusal = self.placer.admit(task)
                if refusal is not None:
                    self.task_buffers.pop(task[0], None)
                    self.task_refs.pop(task[0], None)
                    self._finish([[task[0], False, error_payload(refusal)]])
                elif not awaited or self._hold(task, awaited):
                    self.pending.append(task)
        elif isinstance(msg, p.Drain):
            self.draining = True
        elif isinstance(msg, p.Shutdown):
            self.running = False

    def _hold(self, task: list[Any], awaited: list[int]) -> bool:
        """A delegated task: held, given back, or ready to queue (True): it awaits nothing."""
        pairs = self.task_refs.pop(task[0])
        outcome = self.holds.hold(task, pairs, awaited, self._here)
        if outcome == "back":
            self.unheld.append(task[0])
        elif outcome == "ready":
            self.task_refs[task[0]] = pairs
        return outcome == "ready"

    def _here(self, task_id: int) -> bool:
        """Whether a task is queued or running in this pool (held ones: holds.py)."""
        return any(task_id in w.tasks for w in self.workers) or any(
            t[0] == task_id for t in reversed(self.pending)
        )

    def _finish(self, results: list[list[Any]]) -> None:
        """Results to send; held tasks awaiting them are settled (holds.py)."""
        self.results += results
        if self.holds.active:
            self.holds.settle(results, self.result_buffers, self.pending, self.task_refs)

    def _read_workers(self, ready: dict[Any, int]) -> None:
        for i, w in enumerate(self.workers):
            if w.conn.fileno() in ready:
                try:
                    batch = self._worker_reply(w)
                except (EOFError, OSError):
                    batch = []
                self._take_back(w, batch)
            if w.process.sentinel in ready and not w.process.is_alive():
                self._replace(i, w)

    def _replace(self, index: int, dead: WorkerSlot) -> None:
        logger.warning(
            "worker %d (pid %s) died with exit code %s",
            dead.rank,
            dead.process.pid,
            dead.process.exitcode,
        )
        lost = error_payload(WorkerLost(dead.rank, self.hostname))
        self._finish([[task_id, False, lost] for task_id in sorted(dead.tasks)])
        for task_id in dead.tasks:
            self.task_buffers.pop(task_id, None)
            self.task_refs.pop(task_id, None)
        self.placer.release(sorted(dead.tasks))
        dead.conn.close()
        if dead.link is not None:
            dead.link.close()
        self.workers[index] = self._spawn(dead.rank)
        self._poller_cache = None

    def _worker_reply(self, w: WorkerSlot) -> list[list[Any]]:
        """A worker's reply, with its results' buffers (worker.py) put in result_buffers."""
        batch: list[list[Any]] = msgpack.unpackb(w.conn.recv_bytes())
        # results with buffers: their sizes go, their buffers come in one file
        sized = {item[0]: item.pop() for item in batch if type(item[1]) is bool and len(item) == 4}
        if sized:
            self.result_buffers.update(w.buffers().receive_each(sized))
        return batch

    def _take_back(self, w: WorkerSlot, batch: list[list[Any]]) -> None:
        """A worker's reply: results (ok is a bool) and tasks given back unstarted."""
        w.tasks.difference_update(item[0] for item in batch)
        for item in batch:
            if type(item[1]) is bool:
                if self.task_buffers:
                    self.task_buffers.pop(item[0], None)
                if self.task_refs:
                    self.task_refs.pop(item[0], None)
                self._finish([item])
            else:
                self.pending.appendleft([item[0], item[1], b"", item[3]])
        if self.placer.active():  # nothing is held otherwise: keep the plain path cheap
            self.placer.release([item[0] for item in batch])

    def _assign(self) -> None:
        idle = [w for w in self.workers if not w.tasks]
        if self.placer.active():
            self._assign_placed(idle)
            return
        for i, w in enumerate(idle):
            if not self.pending:
                return
            share = min(MAX_WORKER_BATCH, max(1, len(self.pending) // (len(idle) - i)))
            batch = [self.pending.popleft() for _ in range(min(share, len(self.pending)))]
            self._send_batch(w, batch, {})

    def _assign_placed(self, idle: list[WorkerSlot]) -> None:
        """One task per idle worker: the first pending one whose nodes / cores are free."""
        held = getattr(self.placer, "held", {})
        undeclared = sum(1 for w in self.workers if w.tasks and not any(t in held for t in w.tasks))
        for w in idle:
            found = self.placer.take_next(self.pending, undeclared)
            if found is None:
                return
            self._send_batch(w, [found[0]], found[1])
            undeclared += found[0][0] not in held

    def _send_batch(self, w: WorkerSlot, tasks: list[list[Any]], env: dict[str, str]) -> None:
        batch = []
        for task in tasks:
            task_id, fn_hash, args = task[0], task[1], task[3]
            fn_bytes = b"" if fn_hash in w.functions else self.functions.get(fn_hash, b"")
            w.functions.add(fn_hash)
            w.tasks.add(task_id)
            buffers = self.task_buffers.get(task_id) if self.task_buffers else None
            refs = self.task_refs.get(task_id) if self.task_refs else None
            item = [task_id, fn_hash, fn_bytes, args, env]
            if buffers or refs:
                item.append([len(b) for b in buffers] if buffers else [])
            if refs:
                item.append(refs)
            batch.append(item)
        w.conn.send_bytes(msgpack.packb(batch))
        attached = [
            f.buffer for item in batch if len(item) > 5 for f in self.task_buffers.get(item[0], ())
        ]
        if attached:
            w.buffers().send(attached)

    def _flush_results(self) -> None:
        if self.results:
            batch, self.results = self.results, []
            send_split(self.sock, p.Results, batch, self.result_buffers)
        if self.unheld:  # after the results: the interchange has those first
            self.sock.send(p.encode(p.Unheld(self.unheld)))
            self.unheld = []

    # --- shutdown -------------------------------------------------------------------

    def close(self) -> None:
        """Stop workers and close the socket."""
        for w in self.workers:
            w.conn.close()
        deadline = time.monotonic() + 2
        for w in self.workers:
            w.process.join(max(deadline - time.monotonic(), 0))
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
        self.ctx.destroy(linger=0)


def main_loop(spec: p.PoolLaunchSpec) -> int:
    """Connect, run and clean up; return the process exit code."""
    manager = Manager(spec)
    manager.start_workers()
    manager.open_socket()
    try:
        manager.connect()
    except (RegistrationRefused, Exception) as exc:  # noqa: BLE001 - reported on stderr
        print(f"process_worker_pool: registration failed: {exc}", file=sys.stderr, flush=True)
        manager.close()
        return 3
    try:
        manager.run()
    finally:
        manager.close()
    return 0
