"""The interchange's socket loop: poll -> decode -> BrokerState -> encode -> send.

    client DEALER --tcp--> [client ROUTER]  interchange  [pool ROUTER] <--tcp-- pool DEALERs

Only the client identity given at start-up is served on the client socket; unknown
peers, undecodable frames and messages out of place are logged and dropped. A task's or
result's out-of-band buffers (frames.py) wait here as received ZeroMQ frames, never read,
until the message they belong to is forwarded.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import zmq

from conveyor.errors import ProtocolError
from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.frames import check_attached, item_id, receive_rest, send_split
from conveyor.executors.htex.interchange.state import CLIENT, BrokerState, Outbox
from conveyor.executors.htex.interchange.zap import ZapHandler
from conveyor.executors.htex.lifeline import parent_alive
from conveyor.executors.htex.transport import bind_in_range, secure_server

__all__ = ["InterchangeConfig", "Interchange"]

logger = logging.getLogger("conveyor.interchange")
_BATCH = 1000
#: how long one socket's messages may be handled before dispatch and heartbeats get a turn
#: (a flood of Submits or Results must not delay heartbeats past the threshold)
_TURN_S = 0.02


@dataclass(frozen=True, slots=True)
class InterchangeConfig:
    """Start-up settings, sent by the executor on the interchange's stdin as JSON."""

    client_identity: str
    address: str = "127.0.0.1"
    client_port: int = 0
    worker_port: int = 0
    port_range: tuple[int, int] = (54000, 56000)
    heartbeat_period: float = 30.0
    heartbeat_threshold: float = 120.0
    cert_dir: str = ""
    parent_pid: int = 0
    #: BrokerState.manager_order (Parsl's manager_selector)
    manager_order: str = "free"


class Interchange:
    """Owns the two ROUTER sockets and the broker state; ``run()`` until shutdown."""

    def __init__(self, cfg: InterchangeConfig) -> None:
        self.cfg = cfg
        self.ctx = zmq.Context()
        self.zap = ZapHandler(self.ctx, cfg.cert_dir) if cfg.cert_dir else None
        self.client = self._router(cfg.client_port)
        self.pools = self._router(cfg.worker_port)
        self.client_id = cfg.client_identity.encode()
        #: the client receives on client_id and sends on this one (client.py)
        self.client_tx = self.client_id + b"-tx"
        self.state = BrokerState(cfg.heartbeat_threshold, cfg.manager_order)
        #: task id -> attached frames: of a task not yet dispatched, of a result not yet sent
        self.task_buffers: dict[int, list[zmq.Frame]] = {}
        self.result_buffers: dict[int, list[zmq.Frame]] = {}
        self.state.buffered = self.task_buffers  # such tasks are not delegated
        self.running = True

    def _router(self, port: int) -> zmq.Socket:  # type: ignore[type-arg]
        sock = self.ctx.socket(zmq.ROUTER)
        sock.linger = 0
        sock.router_mandatory = False
        secure_server(sock, self.cfg.cert_dir)
        bind_in_range(sock, self.cfg.address, self.cfg.port_range, port or None)
        return sock

    def ports(self) -> tuple[int, int]:
        """The bound (client, worker) ports."""
        return (_port(self.client), _port(self.pools))

    def run(self) -> None:
        """Serve until the client says stop or disappears."""
        poller = zmq.Poller()
        poller.register(self.client, zmq.POLLIN)
        poller.register(self.pools, zmq.POLLIN)
        if self.zap is not None:
            poller.register(self.zap.socket, zmq.POLLIN)
        period = min(self.cfg.heartbeat_period, 1.0)
        next_tick = time.monotonic() + period
        try:
            while self.running:
                ready = dict(poller.poll(int(max(next_tick - time.monotonic(), 0) * 1000)))
                if self.zap is not None and self.zap.socket in ready:
                    self.zap.handle()
                if self.client in ready:
                    self._drain(self.client, self._from_client)
                if self.pools in ready:
                    self._drain(self.pools, self._from_pool)
                self._send(self.state.dispatch(time.monotonic()))
                if time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + period
                    self._tick()
        finally:
            self._stop_pools()
            self.ctx.destroy(linger=0)

    def _drain(self, sock: zmq.Socket, handler: object) -> None:  # type: ignore[type-arg]
        turn_ends = time.monotonic() + _TURN_S
        for _ in range(_BATCH):
            if time.monotonic() > turn_ends:
                return
            try:
                identity = sock.recv(zmq.NOBLOCK)
            except zmq.Again:
                return
            body = sock.recv() if sock.rcvmore else None
            extra = receive_rest(sock)
            if body is None:
                logger.warning("dropped a message of 1 frame")
                continue
            try:
                msg = p.decode(body)
                check_attached(msg, len(extra))
            except ProtocolError as exc:
                logger.warning("dropped a malformed message from %r: %s", identity[:16], exc)
                continue
            if extra:
                table = self.result_buffers if isinstance(msg, p.Results) else self.task_buffers
                table[item_id(msg)] = extra  # type: ignore[arg-type]
            handler(identity, msg)  # type: ignore[operator]

    def _from_client(self, identity: bytes, msg: p.Message) -> None:
        if identity != self.client_tx and identity != self.client_id:
            logger.warning("dropped a message from unknown client %r", identity[:16])
            return
        if isinstance(msg, p.Submit):
            self._send(self.state.submit(msg.tasks))
        elif isinstance(msg, p.StatsRequest):
            self._send([(CLIENT, p.StatsReply(self.state.statistics(time.monotonic())))])
        elif isinstance(msg, p.DrainBlocks):
            self._send(self.state.drain(msg.blocks))
        elif isinstance(msg, p.BlocksLost):
            self._send(self.state.lose_blocks(msg.blocks))
        elif isinstance(msg, p.BlocksStarting):
            self.state.starting = set(msg.blocks) - set(self.state.block_history)
        elif isinstance(msg, p.ClientShutdown):
            self.running = False
        else:
            logger.warning("dropped %s: not a client message", type(msg).__name__)

    def _from_pool(self, manager_id: bytes, msg: p.Message) -> None:
        now = time.monotonic()
        if isinstance(msg, p.Register):
            self._send(self.state.register(manager_id, msg.info, now))
            return
        if not self.state.heard_from(manager_id, now):
            logger.warning(
                "message %s from unregistered pool %r: told to shut down",
                type(msg).__name__,
                manager_id,
            )
            self._send([(manager_id, p.Shutdown())])
            return
        if isinstance(msg, p.Results):
            self._send(self.state.results(manager_id, msg.results, now, self.result_buffers))
        elif isinstance(msg, p.Unheld):
            self.state.unheld(manager_id, msg.task_ids)
        elif isinstance(msg, p.Monitoring):  # forwarded, never looked into
            self._send([(CLIENT, msg)])
        elif isinstance(msg, p.Draining):
            self.state.stop_dispatch(manager_id)
        elif isinstance(msg, p.Drained):
            self._send(self.state.lose(manager_id, "drained"))
        elif not isinstance(msg, p.Heartbeat):
            logger.warning("dropped %s: not a pool message", type(msg).__name__)

    def _tick(self) -> None:
        if self.cfg.parent_pid and not parent_alive(self.cfg.parent_pid):
            logger.warning("client process is gone; interchange exits")
            self.running = False
            return
        beat = p.encode(p.Heartbeat())
        for manager_id in list(self.state.managers):
            self.pools.send_multipart([manager_id, beat])
        self._send(self.state.expire(time.monotonic()))

    def _send(self, out: Outbox) -> None:
        for dest, msg in out:
            if dest == CLIENT:
                self._to_client(msg)
            elif isinstance(msg, p.Tasks) and self.task_buffers:
                send_split(self.pools, p.Tasks, msg.tasks, self.task_buffers, (dest,))
            else:
                self.pools.send_multipart([dest, p.encode(msg)])

    def _to_client(self, msg: p.Message) -> None:
        if isinstance(msg, p.Results) and self.result_buffers:
            send_split(self.client, p.Results, msg.results, self.result_buffers, (self.client_id,))
            return
        self.client.send_multipart([self.client_id, p.encode(msg)])

    def _stop_pools(self) -> None:
        stop = p.encode(p.Shutdown())
        for manager_id in list(self.state.managers):
            self.pools.send_multipart([manager_id, stop])


def _port(sock: zmq.Socket) -> int:  # type: ignore[type-arg]
    endpoint = bytes(sock.getsockopt(zmq.LAST_ENDPOINT)).decode()
    return int(endpoint.rsplit(":", 1)[1])
