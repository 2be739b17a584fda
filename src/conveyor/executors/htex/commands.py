"""Parsl's ``htex.command_client``: named commands answered from the interchange's statistics.

Parsl's executor asks its interchange things over a command socket
(``htex.command_client.run("CONNECTED_BLOCKS")``). conveyor's client already has one request
for everything the interchange knows (a StatsRequest, answered by a StatsReply: see
``interchange/report.py``), so :class:`CommandClient` answers Parsl's command names from it:

    "CONNECTED_BLOCKS"  ->  ids of every block that had a pool registered
    "MANAGERS"          ->  one dict per registered pool (``connected_managers()``)
    "WORKER_BINDS"      ->  the port pools connect to
    anything else       ->  None, with an error logged (as Parsl's interchange answers)

Parsl's ``MANAGERS_PACKAGES`` (each pool's installed packages) and ``HOLD_MANAGER`` have no
counterpart: conveyor's pools do not report their packages, and pools are held per block
(scale-in drains a block's pools), so both are answered as unknown commands.
"""

from __future__ import annotations

import concurrent.futures
import logging
from typing import Any, Protocol

from conveyor.errors import CommandClientTimeoutError

__all__ = ["DEFAULT_TIMEOUT_S", "CommandClient", "CommandTarget"]

logger = logging.getLogger(__name__)

#: how long ``run(cmd)`` waits without ``timeout_s`` (Parsl waits for ever; conveyor never
#: hangs on an interchange that stopped answering)
DEFAULT_TIMEOUT_S = 120.0


class CommandTarget(Protocol):
    """What the command client needs of its executor."""

    label: str
    worker_port: int

    def interchange_statistics(self, timeout: float) -> dict[str, Any]: ...


class CommandClient:
    """``run(command)`` as Parsl's HTEX command client; safe to call from many threads."""

    def __init__(self, executor: CommandTarget) -> None:
        self.executor = executor

    def run(self, message: Any, max_retries: int = 3, timeout_s: float | None = None) -> Any:
        """The interchange's answer to ``message``; CommandClientTimeoutError if it is late.

        ``max_retries`` is accepted for Parsl's signature: a request is never lost here
        (the client's link to the interchange is not reset), so nothing is retried.
        """
        if message == "WORKER_BINDS":
            return self.executor.worker_port
        key = _STATS_KEYS.get(message) if isinstance(message, str) else None
        if key is None:
            logger.error(
                "%s: unknown interchange command %r (conveyor answers %s)",
                self.executor.label,
                message,
                sorted([*_STATS_KEYS, "WORKER_BINDS"]),
            )
            return None
        timeout = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
        try:
            stats = self.executor.interchange_statistics(timeout)
        except concurrent.futures.TimeoutError:
            raise CommandClientTimeoutError(
                f"{self.executor.label}: the interchange did not answer {message!r} "
                f"within {timeout} s"
            ) from None
        return list(stats.get(key, []))

    def close(self) -> None:
        """Nothing to close: the commands travel on the executor's own link."""


_STATS_KEYS = {"CONNECTED_BLOCKS": "connected_blocks", "MANAGERS": "pools"}
