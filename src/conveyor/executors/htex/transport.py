"""ZeroMQ socket set-up shared by client, interchange and pool: CurveZMQ keys, bind, connect.

Keys live in ``<run_dir>/certificates`` (``server.key`` public, ``server.key_secret`` and
``client.key_secret`` private with mode 0600). A peer without the server's public key
cannot complete the CURVE handshake, so it cannot send anything that gets processed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import zmq

__all__ = ["Keys", "bind_in_range", "generate_keys", "load_keys", "secure_client", "secure_server"]


@dataclass(frozen=True, slots=True)
class Keys:
    """One CURVE key pair (z85-encoded bytes)."""

    public: bytes
    secret: bytes


def _write(path: str, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def generate_keys(cert_dir: str) -> None:
    """Create a fresh server and client key pair in ``cert_dir`` (private files 0600)."""
    os.makedirs(cert_dir, mode=0o700, exist_ok=True)
    for role in ("server", "client"):
        public, secret = zmq.curve_keypair()
        _write(os.path.join(cert_dir, f"{role}.key"), public, 0o644)
        _write(os.path.join(cert_dir, f"{role}.key_secret"), secret, 0o600)


def load_keys(cert_dir: str, role: str) -> Keys:
    """Read the key pair of ``role`` ("server" or "client")."""
    with open(os.path.join(cert_dir, f"{role}.key"), "rb") as f:
        public = f.read().strip()
    with open(os.path.join(cert_dir, f"{role}.key_secret"), "rb") as f:
        secret = f.read().strip()
    return Keys(public, secret)


def secure_server(sock: zmq.Socket, cert_dir: str) -> None:  # type: ignore[type-arg]
    """Make ``sock`` a CURVE server (before bind) when ``cert_dir`` is set."""
    if cert_dir:
        keys = load_keys(cert_dir, "server")
        sock.curve_secretkey = keys.secret
        sock.curve_publickey = keys.public
        sock.curve_server = True


def secure_client(sock: zmq.Socket, cert_dir: str) -> None:  # type: ignore[type-arg]
    """Make ``sock`` a CURVE client of the server in ``cert_dir`` (before connect)."""
    if cert_dir:
        mine = load_keys(cert_dir, "client")
        with open(os.path.join(cert_dir, "server.key"), "rb") as f:
            sock.curve_serverkey = f.read().strip()
        sock.curve_publickey = mine.public
        sock.curve_secretkey = mine.secret


def bind_in_range(
    sock: zmq.Socket,  # type: ignore[type-arg]
    address: str,
    port_range: tuple[int, int],
    port: int | None = None,
) -> int:
    """Bind to ``port`` if given, else to a free port in ``port_range``; return the port."""
    if ":" in address and not address.startswith("["):
        sock.ipv6 = True
        address = f"[{address}]"
    if port:
        sock.bind(f"tcp://{address}:{port}")
        return port
    return int(sock.bind_to_random_port(f"tcp://{address}", port_range[0], port_range[1]))


def connect(sock: zmq.Socket, address: str, port: int) -> str:  # type: ignore[type-arg]
    """Connect ``sock`` to ``address:port`` (IPv6 enabled when the address is IPv6)."""
    if ":" in address:
        sock.ipv6 = True
    url = connect_url(address, port)
    sock.connect(url)
    return url


def connect_url(address: str, port: int) -> str:
    """Tcp URL for an IPv4/IPv6 address."""
    host = f"[{address}]" if ":" in address and not address.startswith("[") else address
    return f"tcp://{host}:{port}"
