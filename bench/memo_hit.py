"""Per-task cost of a memo hit, next to an uncached no-op task, on the ThreadPoolExecutor.

Usage: ``python bench/memo_hit.py [N] [REPEATS]`` (defaults 5000, 3). Each phase submits
N tasks, then waits for all of them; the best of REPEATS is printed in µs per task:

* ``uncached``  — a no-op app without ``cache``: submit, launch on a thread, resolve;
* ``memo miss`` — a ``cache=True`` app on new arguments: key, run, remember;
* ``memo hit``  — the same calls again: key, look up, resolve without launching.
"""

import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import wait

import conveyor
from conveyor import Config, ThreadPoolExecutor, python_app
from conveyor.elaborations.memoization import BasicMemoizer


@python_app
def noop(x: int) -> None:
    return None


@python_app(cache=True)
def cached(x: int) -> None:
    return None


def per_task_us(submit: Callable[[int], object], keys: range) -> float:
    start = time.perf_counter()
    futures = [submit(i) for i in keys]
    wait(futures)  # type: ignore[arg-type]
    return (time.perf_counter() - start) / len(keys) * 1e6


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    best = {"uncached": float("inf"), "memo miss": float("inf"), "memo hit": float("inf")}
    with tempfile.TemporaryDirectory() as tmp:
        config = Config(
            executors=[ThreadPoolExecutor(max_threads=4)],
            memoizer=BasicMemoizer(),
            run_dir=tmp,
            initialize_logging=False,
        )
        with conveyor.load(config):
            per_task_us(noop, range(200))  # warm up threads and code paths
            for r in range(repeats):
                keys = range(r * n, (r + 1) * n)
                best["uncached"] = min(best["uncached"], per_task_us(noop, keys))
                best["memo miss"] = min(best["memo miss"], per_task_us(cached, keys))
                best["memo hit"] = min(best["memo hit"], per_task_us(cached, keys))
    print(f"N={n} tasks per phase, best of {repeats} (ThreadPoolExecutor, 4 threads)")
    for name, us in best.items():
        print(f"  {name:10s} {us:8.1f} µs/task")
    print(f"  memo hit / uncached = {best['memo hit'] / best['uncached']:.2f}")


if __name__ == "__main__":
    main()
