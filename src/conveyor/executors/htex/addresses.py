"""Where the interchange listens for pools, and which addresses pools are told to try.

- ``address`` given: listen there, tell pools that address;
- no ``address``, LocalProvider: pools run here, so listen on ``loopback_address`` only;
- no ``address``, any other provider (Slurm, ...): pools run on other nodes, so listen on
  every interface and give pools every address of this host, loopback last; each pool
  probes them and keeps the first it reaches (``pool/probe.py``).
"""

from __future__ import annotations

import random
import socket

import psutil

from conveyor.executors.htex.options import InterchangeOptions
from conveyor.providers.base import ExecutionProvider
from conveyor.providers.local import LocalProvider

__all__ = ["free_port", "host_addresses", "interchange_addresses"]


def host_addresses() -> list[str]:
    """This host's IPv4 addresses, loopback last."""
    found = [
        a.address
        for addrs in psutil.net_if_addrs().values()
        for a in addrs
        if a.family == socket.AF_INET
    ]
    ordered = sorted(set(found), key=lambda a: (a.startswith("127."), found.index(a)))
    return ordered or ["127.0.0.1"]


def interchange_addresses(ix: InterchangeOptions, provider: ExecutionProvider) -> tuple[str, str]:
    """``(bind address, comma-separated addresses for pools)``."""
    if ix.address:
        return ix.address, ix.address
    if isinstance(provider, LocalProvider):
        return ix.loopback_address, ix.loopback_address
    return "0.0.0.0", ",".join(host_addresses())


def free_port(address: str, port_range: tuple[int, int], tries: int = 50) -> int:
    """A port in ``port_range`` nothing listens on now, so pools can be told it in advance.

    The interchange binds it a moment later; if someone takes it in between, the
    interchange fails to start and says so.
    """
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    host = "" if address in ("0.0.0.0", "*") else address.strip("[]")
    for _ in range(tries):
        port = random.randrange(port_range[0], port_range[1])
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
        return port
    raise OSError(f"no free port in {port_range} on {address} after {tries} tries")
