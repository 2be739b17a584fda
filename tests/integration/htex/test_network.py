"""HTEX networking options with real sockets: IPv6, worker ports, accelerators, no hang."""

import socket
import time
from pathlib import Path
from typing import Any

import pytest

import conveyor
from conveyor import Config, python_app
from conveyor.errors import DataFlowException
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.providers.local import LocalProvider


@python_app
def env_of(name: str) -> str:
    import os
    import time

    time.sleep(0.2)  # keep the worker busy so the other one takes the next task
    return os.environ.get(name, "")


def _config(tmp_path: Path, **htex: Any) -> Config:
    options: dict[str, Any] = {
        "max_workers_per_node": 1,
        "heartbeat_period": 1,
        "heartbeat_threshold": 4,
        "provider": LocalProvider(init_blocks=1, max_blocks=1),
    }
    options.update(htex)
    return Config(
        executors=[HighThroughputExecutor(label="htex", **options)],
        run_dir=str(tmp_path),
        strategy=None,
    )


def _has_ipv6_loopback() -> bool:
    try:
        with open("/proc/net/if_inet6") as f:
            return any(line.startswith("0" * 31 + "1") for line in f)
    except OSError:
        return False


def test_ipv6_loopback_end_to_end(tmp_path: Path) -> None:
    if not _has_ipv6_loopback():
        pytest.skip("this machine has no IPv6 loopback (::1 missing from /proc/net/if_inet6)")
    with conveyor.load(_config(tmp_path, address="::1", loopback_address="::1")):
        assert env_of("PARSL_WORKER_RANK").result(timeout=30) == "0"


def test_worker_ports_and_port_range_are_honoured(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with conveyor.load(_config(tmp_path / "a", worker_ports=(port, port + 1))):
        ex = conveyor.dfk().executors["htex"]
        assert isinstance(ex, HighThroughputExecutor) and ex.worker_port == port
        assert env_of("PARSL_WORKER_RANK").result(timeout=30) == "0"
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with conveyor.load(_config(tmp_path / "b", worker_port_range=(47100, 47200))):
        ex = conveyor.dfk().executors["htex"]
        assert isinstance(ex, HighThroughputExecutor) and 47100 <= ex.worker_port < 47200
        assert env_of("PARSL_WORKER_RANK").result(timeout=30) == "0"


def test_each_worker_sees_its_own_accelerator(tmp_path: Path) -> None:
    config = _config(tmp_path, max_workers_per_node=2, available_accelerators=["0", "1"])
    with conveyor.load(config):
        for name in ("CUDA_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "ZE_AFFINITY_MASK"):
            seen = {f.result(timeout=30) for f in [env_of(name) for _ in range(8)]}
            assert seen == {"0", "1"}, (name, seen)


def test_cleanup_does_not_wait_forever_for_a_pool_that_never_comes(tmp_path: Path) -> None:
    config = _config(tmp_path, launch_cmd="sleep 60; true")
    started = time.monotonic()
    with conveyor.load(config):
        future = env_of("X")
    assert time.monotonic() - started < 30
    with pytest.raises(DataFlowException):
        future.result(timeout=1)
