"""Ways to find an address of this host that workers can reach (Parsl's ``parsl.addresses``).

Each ``address_by_*`` function uses one method and raises when it cannot work here;
:func:`get_all_addresses` collects what every method finds and :func:`get_any_address`
returns the first that works. :func:`tcp_url` builds a ZeroMQ URL for IPv4 or IPv6.
"""

from __future__ import annotations

import ipaddress
import logging
import platform
import socket
import urllib.request
from collections.abc import Callable

import psutil

__all__ = [
    "address_by_hostname",
    "address_by_interface",
    "address_by_query",
    "address_by_route",
    "get_all_addresses",
    "get_any_address",
    "tcp_url",
]

logger = logging.getLogger(__name__)

#: a public address used only to pick the outgoing route (no packet is sent: UDP connect)
_ROUTE_PROBE = ("8.8.8.8", 80)
_QUERY_URL = "https://api.ipify.org"


def address_by_route() -> str:
    """The IPv4 address of the interface that routes towards the internet."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(_ROUTE_PROBE)
        address: str = sock.getsockname()[0]
    logger.debug("address by route: %s", address)
    return address


def address_by_query(timeout: float = 30) -> str:
    """This host's public address as seen by a web service (needs the internet)."""
    if not isinstance(timeout, int | float) or isinstance(timeout, bool):
        raise TypeError(f"timeout must be a number, not {type(timeout).__name__}")
    with urllib.request.urlopen(_QUERY_URL, timeout=timeout) as response:
        if response.status != 200:
            raise RuntimeError(f"address query: {_QUERY_URL} answered HTTP {response.status}")
        address: str = response.read().decode().strip()
    logger.debug("address by query: %s", address)
    return address


def address_by_hostname() -> str:
    """The address this host's name resolves to."""
    address = socket.gethostbyname(platform.node())
    logger.debug("address by hostname: %s", address)
    return address


def address_by_interface(ifname: str) -> str:
    """The IPv4 address of network interface ``ifname`` (e.g. ``'eth0'``)."""
    if not isinstance(ifname, str):
        raise TypeError(f"ifname must be a str, not {type(ifname).__name__}")
    interfaces = psutil.net_if_addrs()
    if ifname not in interfaces:
        raise OSError(f"no network interface named {ifname!r} (have {sorted(interfaces)})")
    for entry in interfaces[ifname]:
        if entry.family == socket.AF_INET:
            return str(entry.address)
    raise OSError(f"network interface {ifname!r} has no IPv4 address")


def _finders() -> list[Callable[[], str]]:
    by_interface = [
        (lambda name=name: address_by_interface(name)) for name in psutil.net_if_addrs()
    ]
    return [*by_interface, address_by_hostname, address_by_route, address_by_query]


def get_all_addresses() -> set[str]:
    """Every address any method finds (interfaces, hostname, route, web query)."""
    found: set[str] = set()
    for finder in _finders():
        try:
            found.add(finder())
        except Exception as exc:  # each method may fail here; the others still count
            logger.debug("an address finder failed: %s", exc)
    return found


def get_any_address() -> str:
    """The first address a method finds, trying interfaces first; raises if none works."""
    for finder in _finders():
        try:
            return finder()
        except Exception as exc:  # try the next method
            logger.info("an address finder failed: %s", exc)
    raise Exception("Cannot find address of the local machine.")


def tcp_url(address: str, port: str | int | None = None) -> str:
    """``tcp://address[:port]``, bracketing an IPv6 address when a port follows."""
    suffix = f":{port}" if port else ""
    if address == "*":
        return f"tcp://*{suffix}"
    if ipaddress.ip_address(address).version == 6 and suffix:
        return f"tcp://[{address}]{suffix}"
    return f"tcp://{address}{suffix}"
