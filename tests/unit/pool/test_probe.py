"""A pool offered several interchange addresses uses the first one that accepts a connection."""

import socket
from collections.abc import Iterator

import pytest

from conveyor.executors.htex.pool.probe import reachable_address


@pytest.fixture
def listening_port() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_first_reachable_address_wins(listening_port: int) -> None:
    # 127.0.0.2 is loopback too, but nothing listens there on this port: refused at once
    assert reachable_address(["127.0.0.2", "127.0.0.1"], listening_port) == "127.0.0.1"
    assert reachable_address(["127.0.0.1", "127.0.0.2"], listening_port) == "127.0.0.1"


def test_single_address_is_not_probed_and_nothing_reachable_falls_back() -> None:
    assert reachable_address(["10.255.255.1"], 1) == "10.255.255.1"
    assert reachable_address(["127.0.0.2", "127.0.0.3"], 1, timeout=0.5) == "127.0.0.2"
    assert reachable_address([" ", ""], 1) == "127.0.0.1"
