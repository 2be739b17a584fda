"""The client's two links: results arrive on one DEALER, everything it sends leaves on
another (an isolated task straight from the submitting thread, bursts from the I/O
thread); the interchange serves those two identities and drops any other."""

import time
from pathlib import Path

import zmq
from htexkit import make_htex, wait_until

from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.executor import HighThroughputExecutor


def square(x: int) -> int:
    return x * x


def _client_port(ex: HighThroughputExecutor) -> int:
    endpoint = bytes(ex._client.sock.getsockopt(zmq.LAST_ENDPOINT)).decode()
    return int(endpoint.rsplit(":", 1)[1])


def test_isolated_tasks_and_bursts_all_complete(htex: HighThroughputExecutor) -> None:
    assert htex.submit(square, {}, 2).result(timeout=60) == 4
    assert htex._client._linked  # a reply came back: the sending link is in use
    for i in range(20):  # apart from each other: sent by this thread, no hop
        time.sleep(0.002)
        assert htex.submit(square, {}, i).result(timeout=60) == i * i
    burst = [htex.submit(square, {}, i) for i in range(300)]
    assert [f.result(timeout=60) for f in burst] == [i * i for i in range(300)]


def test_a_stranger_on_the_client_port_is_dropped_and_logged(tmp_path: Path) -> None:
    ex = make_htex(tmp_path, encrypted=False)
    ex.start()
    ctx = zmq.Context()
    try:
        assert ex.submit(square, {}, 3).result(timeout=60) == 9
        stranger = ctx.socket(zmq.DEALER)
        stranger.identity = b"not-the-client"
        stranger.linger = 0
        stranger.connect(f"tcp://127.0.0.1:{_client_port(ex)}")
        stranger.send(p.encode(p.Submit([[10**9, 0, 0, b"h" * 16, b"", b"junk"]])))
        log = tmp_path / "htex" / "interchange.log"
        assert wait_until(lambda: "unknown client" in log.read_text())
        assert ex.submit(square, {}, 5).result(timeout=60) == 25
    finally:
        ctx.destroy(linger=0)
        ex.shutdown(wait=False, cancel_futures=True)
