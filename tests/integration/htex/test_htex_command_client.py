"""Parsl's htex.command_client on a real interchange, and manual scale-out past max_blocks."""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from pathlib import Path
from typing import Any

import pytest
import zmq
from htexkit import make_htex, wait_until

import conveyor
from conveyor import Config, python_app
from conveyor.errors import CommandClientTimeoutError
from conveyor.executors.htex.commands import CommandClient
from conveyor.providers.local import LocalProvider


@python_app
def seven() -> int:
    return 7


def _send_garbage(port: int, message: bytes) -> None:
    ctx = zmq.Context()
    try:
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        sock.identity = b"not-a-pool"
        sock.connect(f"tcp://127.0.0.1:{port}")
        sock.send(message)
        sock.close(linger=1000)  # delivered before we go on
    finally:
        ctx.term()


def test_commands_answer_from_the_interchange(tmp_path: Path, caplog: Any) -> None:
    ex = make_htex(tmp_path, max_workers_per_node=1, encrypted=False)
    ex.provider = LocalProvider(init_blocks=0, min_blocks=0, max_blocks=0)
    with conveyor.load(Config(executors=[ex], run_dir=str(tmp_path), strategy="none")):
        cc = ex.command_client
        port = cc.run("WORKER_BINDS")
        assert port == ex.worker_port and port > 0
        assert cc.run("CONNECTED_BLOCKS") == [] and cc.run("MANAGERS") == []
        for garbage in (b"FuzzyByte\rSTREAM", b"{}", b'{"type":"heartbeat"}'):
            _send_garbage(port, garbage)
        # as in Parsl, a manual scale-out is not capped by max_blocks (0 here)
        assert ex.scale_out_facade(1) == ["0"]
        assert wait_until(lambda: len(cc.run("MANAGERS")) == 1, timeout=60)
        assert seven().result(timeout=60) == 7
        (pool,) = cc.run("MANAGERS")
        assert pool == ex.connected_managers()[0] | {"idle_duration": pool["idle_duration"]}
        assert cc.run("CONNECTED_BLOCKS") == ["0"]
        with caplog.at_level(logging.ERROR, "conveyor.executors.htex.commands"):
            assert cc.run("MANGERS_PACKAGES") is None
        assert "unknown interchange command 'MANGERS_PACKAGES'" in caplog.text


def test_many_threads_each_get_their_answer(tmp_path: Path) -> None:
    ex = make_htex(tmp_path, encrypted=False)
    with conveyor.load(Config(executors=[ex], run_dir=str(tmp_path), strategy="none")):
        assert seven().result(timeout=60) == 7
        cc, start = ex.command_client, threading.Barrier(16)

        def ask(_: int) -> list[Any]:
            start.wait()
            return [cc.run("CONNECTED_BLOCKS") for _ in range(20)]

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            answers = [a for batch in pool.map(ask, range(16)) for a in batch]
    assert answers == [["0"]] * 320


class _Silent:
    label = "silent"
    worker_port = 1234

    def __init__(self) -> None:
        self.timeouts: list[float] = []

    def interchange_statistics(self, timeout: float) -> dict[str, Any]:
        self.timeouts.append(timeout)
        raise concurrent.futures.TimeoutError


def test_a_late_answer_is_a_command_client_timeout() -> None:
    target = _Silent()
    cc = CommandClient(target)
    with pytest.raises(CommandClientTimeoutError, match="'CONNECTED_BLOCKS' within 2.5 s"):
        cc.run("CONNECTED_BLOCKS", timeout_s=2.5)
    with pytest.raises(CommandClientTimeoutError):
        cc.run("MANAGERS")
    assert target.timeouts == [2.5, 120.0]
    assert cc.run("WORKER_BINDS") == 1234 and cc.run(["HOLD_MANAGER", "x"]) is None


def test_queries_of_an_executor_not_running_answer_empty() -> None:
    from conveyor.executors.htex.executor import HighThroughputExecutor

    ex = HighThroughputExecutor()
    assert ex.connected_managers() == [] and ex.connected_blocks() == []
    assert ex.command_client.run("CONNECTED_BLOCKS") == []
