"""ParslPoolExecutor: the concurrent.futures facade over a kernel (threads and HTEX)."""

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import conveyor
from conveyor import Config, ThreadPoolExecutor
from conveyor.concurrent import ParslPoolExecutor
from conveyor.errors import NoDataFlowKernelError
from conveyor.futures import AppFuture


def square(x: int) -> int:
    return x * x


def add(x: int, y: int, scale: int = 1) -> int:
    return (x + y) * scale


def slow_identity(x: float) -> float:
    time.sleep(x)
    return x


def wait_for_file(path: str) -> str:
    while not Path(path).exists():
        time.sleep(0.01)
    return path


def test_submit_and_map_in_order(make_config: Any) -> None:
    with ParslPoolExecutor(make_config()) as pool:
        fut = pool.submit(add, 1, 2, scale=10)
        assert isinstance(fut, AppFuture)
        assert fut.result(timeout=60) == 30
        assert list(pool.map(square, range(20), timeout=60)) == [x * x for x in range(20)]
        assert list(pool.map(add, [1, 2, 3], [10, 20, 30])) == [11, 22, 33]
        # results come back in submission order even when later tasks finish first
        assert list(pool.map(slow_identity, [0.3, 0.0, 0.1])) == [0.3, 0.0, 0.1]


def test_futures_are_app_dependencies(tmp_path: Path) -> None:
    config = Config(executors=[ThreadPoolExecutor()], run_dir=str(tmp_path / "runinfo"))
    with ParslPoolExecutor(config) as pool:
        first = pool.submit(square, 3)
        assert pool.submit(add, first, 1).result(timeout=60) == 10


def test_map_timeout_raises_timeout_error(tmp_path: Path) -> None:
    config = Config(executors=[ThreadPoolExecutor()], run_dir=str(tmp_path / "runinfo"))
    release = tmp_path / "release"
    with ParslPoolExecutor(config) as pool:
        results = pool.map(wait_for_file, [str(release)], timeout=0.2)
        with pytest.raises(TimeoutError):
            next(results)
        release.touch()


def test_shutdown_releases_only_an_owned_kernel(tmp_path: Path) -> None:
    config = Config(executors=[ThreadPoolExecutor()], run_dir=str(tmp_path / "owned"))
    pool = ParslPoolExecutor(config)
    assert conveyor.dfk() is pool.dfk
    pool.shutdown()
    with pytest.raises(NoDataFlowKernelError):
        conveyor.dfk()
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit(square, 2)

    dfk = conveyor.load(Config(executors=[ThreadPoolExecutor()], run_dir=str(tmp_path / "given")))
    try:
        with ParslPoolExecutor(dfk=dfk) as borrowed:
            assert borrowed.submit(square, 4).result(timeout=60) == 16
        assert conveyor.dfk() is dfk
        with pytest.raises(ValueError, match="Must specify one of config or dfk"):
            ParslPoolExecutor()  # as Parsl: no implicit current kernel
    finally:
        conveyor.clear()


def test_shutdown_waits_for_outstanding_tasks(tmp_path: Path) -> None:
    config = Config(executors=[ThreadPoolExecutor()], run_dir=str(tmp_path / "runinfo"))
    release = tmp_path / "release"
    pool = ParslPoolExecutor(config)
    fut = pool.submit(wait_for_file, str(release))
    threading.Timer(0.2, release.touch).start()
    pool.shutdown(wait=True)
    assert fut.done() and fut.result() == str(release)


def test_config_and_dfk_together_are_refused(tmp_path: Path) -> None:
    config = Config(executors=[ThreadPoolExecutor()], run_dir=str(tmp_path / "runinfo"))
    dfk = conveyor.load(config)
    try:
        with pytest.raises(ValueError, match="Specify only one of config or dfk"):
            ParslPoolExecutor(config, dfk=dfk)
    finally:
        conveyor.clear()


def test_parsl_import_path_under_compat_hook(tmp_path: Path) -> None:
    code = f"""
import conveyor.compat
conveyor.compat.install()
from parsl.concurrent import ParslPoolExecutor
from parsl.config import Config
from parsl.executors import ThreadPoolExecutor
import conveyor.concurrent

def double(x):
    return 2 * x

assert ParslPoolExecutor is conveyor.concurrent.ParslPoolExecutor
config = Config(executors=[ThreadPoolExecutor()], run_dir={str(tmp_path / "runinfo")!r})
with ParslPoolExecutor(config) as pool:
    print(list(pool.map(double, range(5))))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[0, 2, 4, 6, 8]"
