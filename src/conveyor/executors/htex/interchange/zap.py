"""ZAP: which CURVE keys may connect to the interchange (ZeroMQ RFC 27).

With CURVE alone, any peer that knows the interchange's public key and brings *some*
key pair completes the handshake. The ZAP handler answers ZeroMQ's authentication
requests: only the run's client key (used by the executor's client and by its pools) is
accepted; every other key is refused during the handshake, so nothing it sends arrives.
The interchange polls the handler's socket in its own loop (no extra thread).
"""

from __future__ import annotations

import logging
import os

import zmq
from zmq.utils import z85

__all__ = ["ZAP_ENDPOINT", "ZapHandler"]

logger = logging.getLogger(__name__)

ZAP_ENDPOINT = "inproc://zeromq.zap.01"


class ZapHandler:
    """Replies to ZAP requests; allows CURVE clients whose public key is listed."""

    def __init__(self, ctx: zmq.Context, cert_dir: str) -> None:  # type: ignore[type-arg]
        with open(os.path.join(cert_dir, "client.key"), "rb") as f:
            self.allowed = {z85.decode(f.read().strip())}
        self.socket = ctx.socket(zmq.REP)
        self.socket.linger = 0
        self.socket.bind(ZAP_ENDPOINT)  # before any CURVE server socket binds

    def handle(self) -> None:
        """Answer every pending request."""
        while True:
            try:
                frames = self.socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            self.socket.send_multipart(self._answer(frames))

    def _answer(self, frames: list[bytes]) -> list[bytes]:
        if len(frames) < 6:
            return [b"1.0", b"", b"400", b"malformed ZAP request", b"", b""]
        version, request_id, _domain, address, _identity, mechanism = frames[:6]
        key = frames[6] if len(frames) > 6 else b""
        if mechanism == b"CURVE" and key in self.allowed:
            return [version, request_id, b"200", b"OK", b"conveyor", b""]
        logger.warning(
            "refused a %s connection from %s: key not allowed",
            mechanism.decode(errors="replace"),
            address.decode(errors="replace"),
        )
        return [version, request_id, b"400", b"key not allowed", b"", b""]
