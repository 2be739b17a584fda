"""Pick the interchange address a pool can reach, when the executor offers several.

A submit host often has several interfaces and only some are reachable from compute
nodes. The executor passes them all; the pool tries a plain TCP connection to each, in
order, and uses the first that answers. One address is used as is, without a probe.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Sequence

__all__ = ["PROBE_TIMEOUT", "reachable_address"]

logger = logging.getLogger("conveyor.pool")

#: seconds one TCP probe may take
PROBE_TIMEOUT = 2.0


def reachable_address(addresses: Sequence[str], port: int, timeout: float = PROBE_TIMEOUT) -> str:
    """The first address with something listening on ``port``; the first one if none answers."""
    candidates = [a.strip() for a in addresses if a.strip()]
    if len(candidates) <= 1:
        return candidates[0] if candidates else "127.0.0.1"
    for address in candidates:
        try:
            with socket.create_connection((address.strip("[]"), port), timeout=timeout):
                logger.info("interchange reachable at %s", address)
                return address
        except OSError as exc:
            logger.info("interchange not reachable at %s: %s", address, exc)
    logger.warning("no address of %s answered; trying %s anyway", candidates, candidates[0])
    return candidates[0]
