"""LinkWatch: notices at once when the pool's TCP link to the interchange drops.

Heartbeats catch a silent interchange after ``heartbeat_threshold`` (minutes, by
default). When the interchange process dies, its host closes the connection at once:
ZeroMQ's socket monitor reports ``EVENT_DISCONNECTED``, and a pool whose link stays down
for ``RECONNECT_GRACE`` seconds exits instead of waiting for the threshold.
"""

from __future__ import annotations

import logging
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

__all__ = ["RECONNECT_GRACE", "LinkWatch"]

logger = logging.getLogger("conveyor.pool")

#: seconds the link may stay down (ZeroMQ reconnects by itself) before the pool gives up
RECONNECT_GRACE = 5.0
_UP = zmq.EVENT_CONNECTED | zmq.EVENT_HANDSHAKE_SUCCEEDED
_DOWN = zmq.EVENT_DISCONNECTED


class LinkWatch:
    """Reads a DEALER socket's monitor events; says when the link has been down too long."""

    def __init__(self, sock: zmq.Socket) -> None:  # type: ignore[type-arg]
        self.events = sock.get_monitor_socket(_UP | _DOWN)
        self.down_since: float | None = None

    def read(self) -> None:
        """Consume pending monitor events."""
        while True:
            try:
                event = recv_monitor_message(self.events, zmq.NOBLOCK)
            except zmq.Again:
                return
            kind = int(event["event"])
            if kind & _DOWN and self.down_since is None:
                self.down_since = time.monotonic()
                logger.warning("link to the interchange dropped")
            elif kind & _UP:
                self.down_since = None

    def lost(self, now: float) -> bool:
        """True when the link has been down for longer than RECONNECT_GRACE."""
        return self.down_since is not None and now - self.down_since > RECONNECT_GRACE
