"""Memory of the submitter: a long soak with many tasks in flight, and what each task holds.

    python bench/soak.py [TOTAL] [IN_FLIGHT]        (default 1,000,000 and 100,000)

Part 1 (soak): HTEX with 2 workers runs TOTAL no-op tasks, keeping IN_FLIGHT submitted
and unfinished; the submitter's RSS is printed every TOTAL/20 completed tasks. A flat
curve after warm-up means nothing grows with finished tasks.

Part 2 (per task): 20,000 tasks are held in flight (their worker waits for a flag file)
and tracemalloc reports the bytes they hold, grouped by the line that allocated them.
"""

import json
import os
import sys
import tempfile
import time
import tracemalloc
from collections import deque

from bench_config import config, rss_kib

import conveyor
from conveyor import python_app


@python_app
def noop() -> None:
    return None


@python_app
def hold(flag: str) -> None:
    import os as _os
    import time as _time

    while not _os.path.exists(flag):
        _time.sleep(0.01)


def rss_mib() -> float:
    return rss_kib() / 1024


def soak(total: int, in_flight: int) -> list[dict[str, float]]:
    curve = []
    step = max(total // 20, 1)
    window: deque[object] = deque()
    done = submitted = 0
    t0 = time.perf_counter()
    while done < total:
        while submitted < total and len(window) < in_flight:
            window.append(noop())
            submitted += 1
        window.popleft().result()  # type: ignore[attr-defined]
        done += 1
        if done % step == 0:
            curve.append(
                {
                    "done": done,
                    "rss_mib": round(rss_mib(), 1),
                    "s": round(time.perf_counter() - t0, 1),
                }
            )
            print(json.dumps(curve[-1]), flush=True)
    return curve


def held_per_task(n: int, run_dir: str) -> dict[str, object]:
    flag = os.path.join(run_dir, "release")
    noop().result()
    tracemalloc.start(1)
    before = tracemalloc.take_snapshot()
    futures = [hold(flag) for _ in range(n)]
    time.sleep(2.0)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    open(flag, "w").close()
    for f in futures:
        f.result()
    stats = after.compare_to(before, "lineno")
    grown = sum(s.size_diff for s in stats)
    top = [
        {"where": str(s.traceback[0]), "bytes_per_task": round(s.size_diff / n, 1)}
        for s in stats[:12]
        if s.size_diff > 0
    ]
    return {"bytes_per_task": round(grown / n, 1), "top": top}


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    in_flight = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    with tempfile.TemporaryDirectory() as tmp, conveyor.load(config(tmp)):
        noop().result()
        print(json.dumps({"start_rss_mib": round(rss_mib(), 1)}), flush=True)
        curve = soak(total, in_flight)
        per_task = held_per_task(20_000, tmp)
    print(json.dumps({"curve": curve, "held": per_task}, indent=1))


if __name__ == "__main__":
    main()
