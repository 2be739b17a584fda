"""Where a single task's round trip goes: the same no-op timed through ever more layers.

    python bench/breakdown.py [N]

Each row times N sequential no-op round trips (median, µs) through one more layer than
the row before, so the difference between two rows is that layer's share:

1. raw ZeroMQ: a DEALER -> ROUTER echo over loopback TCP (the floor of one network hop)
2. ProcessPoolExecutor(1): stdlib submit -> pipe -> worker -> result (the floor in Python)
3. HTEX executor alone: ``HighThroughputExecutor.submit`` (client thread -> interchange ->
   pool manager -> worker pipe and back), no kernel
4. kernel alone: the app call through the DataFlowKernel onto an executor that completes
   at once in the caller's thread (user thread -> kernel thread -> executor -> kernel
   thread -> AppFuture), no processes
5. everything: an app call on HTEX through the kernel (what a user sees)

Encryption is off in rows 3 and 5. Run on an otherwise idle machine; numbers vary ±20 %
between runs on a shared 2-core VM, so compare rows within one run only.
"""

import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import zmq
from bench_config import htex

import conveyor
from conveyor import Config, python_app
from conveyor.executors.base import Executor


def noop() -> None:
    return None


def median_us(call: Callable[[], object], n: int) -> float:
    call()
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1e6


def raw_zmq(n: int) -> float:
    ctx = zmq.Context()
    router, dealer = ctx.socket(zmq.ROUTER), ctx.socket(zmq.DEALER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    dealer.connect(f"tcp://127.0.0.1:{port}")

    def echo() -> None:
        while True:
            frames = router.recv_multipart()
            if frames[1] == b"stop":
                return
            router.send_multipart(frames)

    thread = threading.Thread(target=echo, name="echo")
    thread.start()

    def trip() -> None:
        dealer.send(b"x")
        dealer.recv()

    result = median_us(trip, n)
    dealer.send(b"stop")
    thread.join()
    ctx.destroy(linger=0)
    return result


def process_pool(n: int) -> float:
    with ProcessPoolExecutor(1) as pool:
        return median_us(lambda: pool.submit(noop).result(), n)


def htex_alone(n: int, run_dir: str) -> float:
    ex = htex(workers=1)
    ex.run_dir = run_dir
    ex.start()
    try:
        ex.submit(noop, {}).result(timeout=60)
        return median_us(lambda: ex.submit(noop, {}).result(), n)
    finally:
        ex.shutdown()


class Immediate(Executor):
    """Completes every task in the caller's thread: the kernel's own cost, nothing else."""

    label = "immediate"

    def start(self) -> None:
        return None

    def submit(
        self, func: Callable[..., Any], resource_specification: Any, *args: Any, **kwargs: Any
    ) -> Future[Any]:
        fut: Future[Any] = Future()
        fut.set_result(func(*args, **kwargs))
        return fut

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        return None


@python_app
def app_noop() -> None:
    return None


def through_kernel(n: int, executor: Executor, run_dir: str) -> float:
    with conveyor.load(Config(executors=[executor], run_dir=run_dir, strategy="none")):
        app_noop().result()
        return median_us(lambda: app_noop().result(), n)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        rows = {
            "raw_zmq_us": raw_zmq(n),
            "process_pool_us": process_pool(n),
            "htex_alone_us": htex_alone(n, tmp + "/a"),
            "kernel_alone_us": through_kernel(n, Immediate(), tmp + "/b"),
            "everything_us": through_kernel(n, htex(workers=1), tmp + "/c"),
        }
    rows = {k: round(v, 1) for k, v in rows.items()}
    rows["kernel_share_us"] = round(rows["everything_us"] - rows["htex_alone_us"], 1)
    rows["htex_over_raw_zmq_us"] = round(rows["htex_alone_us"] - rows["raw_zmq_us"], 1)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
