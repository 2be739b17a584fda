"""The HTEX client, in the user's process: batches tasks to the interchange, completes futures.

    kernel thread --submit()--> deque + wake pipe --> I/O thread --DEALER--> interchange
    interchange --Results / ManagerLost--> I/O thread --> the task's sink: a Future
        (set_result / set_exception), or an Outcome callable (the kernel's: no Future kept)

The caller's thread only appends to a deque (and writes one wake byte when the I/O thread
sleeps): no ZeroMQ call, no lock. A task's out-of-band buffers (frames.py) are sent as
frames of their own with ``copy=False``; a result's arrive the same way and the value is
rebuilt on the received frames' memory. The I/O thread owns the socket, sends everything queued
as one Submit message, and also watches the interchange process: if it dies, every
outstanding future fails with BrokenHtex at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import ChainMap, deque
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from typing import Any

import zmq

from conveyor.errors import BrokenHtex, ManagerLost, RemoteDependencyFailed
from conveyor.execution.run_task import unpack_error
from conveyor.executors.base import Outcome
from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.frames import check_attached, receive_rest, send_split, split_frames
from conveyor.executors.htex.transport import connect, secure_client
from conveyor.serialize.facade import deserialize

__all__ = ["HtexClient", "Sink", "settle"]

#: where a task's outcome goes: its Future, or a callable ``(ok, value)``
Sink = Future[Any] | Outcome

#: a Submit message carries at most this many tasks ...
MAX_BATCH_TASKS = 4096
#: ... or about this many bytes of arguments and functions (big payloads travel in small batches)
MAX_BATCH_BYTES = 4 << 20
#: a task submitted this long after the one before is sent at once by the submitting thread
ALONE_S = 0.0002
#: the identity of the client's sending socket is the client's own plus this
TX_SUFFIX = b"-tx"
#: finished tasks remembered for late Monitoring messages (seconds' worth at full speed)
RECENT = 20_000

logger = logging.getLogger(__name__)


class HtexClient:
    """Owns the client socket and the I/O thread; settles the sinks in ``futures``."""

    def __init__(
        self, address: str, port: int, identity: bytes, cert_dir: str, alive: Callable[[], bool]
    ) -> None:
        self.ctx = zmq.Context()
        self.sock = self._dealer(identity, cert_dir, address, port)
        #: every message to the interchange goes out here, under ``_tx_lock``: from the I/O
        #: thread in batches, or straight from the submitting thread when the task is alone
        self.tx = self._dealer(identity + TX_SUFFIX, cert_dir, address, port)
        self._tx_lock = threading.Lock()
        self._last_submit = 0.0
        #: set once a reply arrived on ``sock``: before that, the interchange could not
        #: route results to us, so everything goes out on ``sock`` from the I/O thread
        self._linked = False
        self.alive = alive
        #: task id -> sink, for every outstanding task
        self.futures: dict[int, Sink] = {}
        self._idle = threading.Event()
        self._want_idle = False
        self.outbox: deque[list[Any]] = deque()
        #: task id -> out-of-band buffers of a queued task (taken when it is sent)
        self.task_buffers: dict[int, list[Any]] = {}
        self.controls: deque[p.Message] = deque()
        self.stats_waiters: deque[Future[dict[str, Any]]] = deque()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self._sleeping = False
        self._stop = False
        self.broken: BaseException | None = None
        #: the monitoring link (conveyor.monitoring.link.MonitoringLink) when monitoring is on
        self.monitoring: Any = None
        #: with monitoring on: the sinks of the last RECENT finished tasks, for the pools'
        #: Monitoring messages that name them after their results came (pool/sampler.py)
        self.recent: dict[int, Sink] = {}
        self.thread = threading.Thread(target=self._run, name="conveyor-htex-client", daemon=True)
        self.thread.start()

    def _dealer(self, identity: bytes, cert_dir: str, address: str, port: int) -> zmq.Socket:  # type: ignore[type-arg]
        sock = self.ctx.socket(zmq.DEALER)
        sock.identity = identity
        sock.linger = 0
        secure_client(sock, cert_dir)
        connect(sock, address, port)
        return sock

    # --- called from other threads --------------------------------------------------

    def submit(self, sink: Sink, item: list[Any], buffers: list[Any] | None = None) -> None:
        """Queue one task ``[task_id, priority, walltime_ms, fn_hash, fn_bytes, args]``.

        ``buffers`` are the arguments' out-of-band buffers, if any.
        """
        self.futures[item[0]] = sink
        now = time.monotonic()
        alone, self._last_submit = now - self._last_submit > ALONE_S, now
        if alone and self._linked and not self.outbox and self._tx_lock.acquire(False):
            try:  # an isolated task: no thread hop (a burst is batched by the I/O thread)
                send_split(self.tx, p.Submit, [item], {item[0]: buffers} if buffers else {})
            finally:
                self._tx_lock.release()
            return
        if buffers:
            self.task_buffers[item[0]] = buffers
        self.outbox.append(item)
        self._wake()

    def control(self, msg: p.Message) -> None:
        """Queue a control message (drain, shutdown)."""
        self.controls.append(msg)
        self._wake()

    def statistics(self, timeout: float = 5.0) -> dict[str, Any]:
        """Ask the interchange for its counters."""
        waiter: Future[dict[str, Any]] = Future()
        self.stats_waiters.append(waiter)
        self.control(p.StatsRequest())
        return waiter.result(timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no task is outstanding; False if ``timeout`` passed first."""
        self._idle.clear()
        self._want_idle = True
        return not self.futures or self._idle.wait(timeout)

    def cancel_futures(self) -> None:
        """Cancel outstanding Futures (Outcome sinks are failed later by ``fail_all``)."""
        for sink in list(self.futures.values()):
            if isinstance(sink, Future):
                sink.cancel()

    def _wake(self) -> None:
        if self._sleeping:
            self._sleeping = False
            with contextlib.suppress(BlockingIOError):
                os.write(self._wake_w, b"x")

    def close(self) -> None:
        """Stop the I/O thread and close the socket."""
        self._stop = True
        self._sleeping = True
        self._wake()
        self.thread.join()
        self.ctx.destroy(linger=0)
        os.close(self._wake_r)
        os.close(self._wake_w)

    # --- the I/O thread -------------------------------------------------------------

    def _run(self) -> None:
        poller = zmq.Poller()
        poller.register(self.sock, zmq.POLLIN)
        poller.register(self._wake_r, zmq.POLLIN)
        self.sock.send(p.encode(p.StatsRequest()))  # its reply says ``sock`` is connected
        turns = 0
        try:
            while not self._stop:
                turns += 1
                self._sleeping = True
                if self.outbox or self.controls:
                    self._sleeping = False
                ready = dict(poller.poll(200 if self._sleeping else 0))
                self._sleeping = False
                if self._wake_r in ready:
                    os.read(self._wake_r, 4096)
                self._send_queued()
                if self.sock in ready:
                    self._receive()
                # the interchange's liveness (a wait4) when nothing came, or every 64th turn
                if (not ready or turns % 64 == 0) and not self.alive():
                    self.fail_all(
                        BrokenHtex("the HTEX interchange process died; no task can complete")
                    )
                    return
        except Exception as exc:  # noqa: BLE001 - every future learns about it
            logger.exception("HTEX client I/O thread failed")
            self.fail_all(BrokenHtex(f"HTEX client failed: {exc!r}"))

    def _send_queued(self) -> None:
        with self._tx_lock:
            self._send_locked()

    def _send_locked(self) -> None:
        out = self.tx if self._linked else self.sock
        while self.controls:
            out.send(p.encode(self.controls.popleft()))
        if self.outbox:
            batch: list[list[Any]] = []
            pop = self.outbox.popleft
            size = 0
            while self.outbox and len(batch) < MAX_BATCH_TASKS and size < MAX_BATCH_BYTES:
                item = pop()
                size += len(item[5]) + len(item[4])
                batch.append(item)
            for frames in split_frames(p.Submit, batch, self.task_buffers):
                out.send_multipart(frames, copy=False)
            if self.outbox:
                self._sleeping = False

    def _receive(self) -> None:
        for _ in range(1000):
            try:
                frame = self.sock.recv(zmq.NOBLOCK)
            except zmq.Again:
                return
            extra = receive_rest(self.sock)
            msg = p.decode(frame)
            check_attached(msg, len(extra))
            self._linked = True
            if isinstance(msg, p.Results):
                self._complete(msg.results, [f.buffer for f in extra])
            elif isinstance(msg, p.ManagerLost):
                for task_id in msg.task_ids:
                    self._settle(task_id, ManagerLost(msg.manager_id, msg.hostname), False)
            elif isinstance(msg, p.RefsFailed):
                for ids, missing in ((msg.task_ids, False), (msg.missing, True)):
                    for task_id in ids:
                        self._settle(task_id, RemoteDependencyFailed(missing), False)
            elif isinstance(msg, p.Monitoring) and self.monitoring is not None:
                sinks = ChainMap(self.futures, self.recent)
                self.monitoring.pool_report(msg.node, msg.tries, msg.samples, sinks)
            elif isinstance(msg, p.StatsReply) and self.stats_waiters:
                self.stats_waiters.popleft().set_result(msg.stats)

    def _complete(self, items: list[list[Any]], buffers: list[Any]) -> None:
        for task_id, ok, payload in items:
            try:
                value = deserialize(payload, buffers) if buffers else deserialize(payload)
                if not ok:
                    value = unpack_error(value)
            except Exception as exc:  # noqa: BLE001 - becomes the task's error
                value, ok = exc, False
            self._settle(task_id, value, ok)

    def _settle(self, task_id: int, value: Any, ok: bool) -> None:
        sink = self.futures.pop(task_id, None)
        if sink is None:
            return
        if self.monitoring is not None:
            self._remember(task_id, sink)
        settle(sink, ok, value)
        if self._want_idle and not self.futures:
            self._idle.set()

    def _remember(self, task_id: int, sink: Sink) -> None:
        recent = self.recent
        recent[task_id] = sink
        if len(recent) > RECENT:
            del recent[next(iter(recent))]

    def fail_all(self, error: BaseException) -> None:
        """Fail every outstanding future with ``error`` (the executor is broken)."""
        self.broken = error
        for task_id in list(self.futures):
            self._settle(task_id, error, False)


def settle(sink: Sink, ok: bool, value: Any) -> None:
    """Hand one outcome to a sink (a Future already cancelled or done is left alone)."""
    if not isinstance(sink, Future):
        sink(ok, value)
        return
    try:
        if ok:
            sink.set_result(value)
        else:
            sink.set_exception(value)
    except InvalidStateError:
        pass
