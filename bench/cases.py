"""Benchmark cases, written against Parsl's API so the SAME file runs on both systems.

Run as ``python cases.py CASE N ENCRYPTED RUN_DIR`` under real Parsl, or as
``conveyor run cases.py ...`` (conveyor serves ``import parsl``). Prints one JSON line.
"""

import json
import os
import resource
import statistics
import sys
import time

import parsl
from bench_config import config, rss_kib
from parsl.app.app import python_app


@python_app
def noop():
    return None


@python_app
def inc(x):
    return x + 1


@python_app
def total(*xs):
    return sum(xs)


@python_app
def size(blob):
    return len(blob)


@python_app
def hold(flag):
    import os as _os
    import time as _time

    while not _os.path.exists(flag):
        _time.sleep(0.01)


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def case_throughput(n):
    noop().result()
    t, c = time.perf_counter(), cpu()
    futures = [noop() for _ in range(n)]
    for f in futures:
        f.result()
    dt, dc = time.perf_counter() - t, cpu() - c
    return {"tasks_per_s": n / dt, "cpu_us_per_task": dc / n * 1e6}


def case_latency(n):
    noop().result()
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        noop().result()
        samples.append((time.perf_counter() - t) * 1e6)
    samples.sort()
    return {
        "median_us": statistics.median(samples),
        "p99_us": samples[int(len(samples) * 0.99) - 1],
    }


def case_chain(n):
    inc(0).result()
    t = time.perf_counter()
    f = inc(0)
    for _ in range(n - 1):
        f = inc(f)
    assert f.result() == n
    return {"seconds": time.perf_counter() - t}


def case_fanout(n):
    inc(0).result()
    t = time.perf_counter()
    parts = [inc(i) for i in range(n)]
    assert total(*parts).result() == n * (n + 1) // 2
    return {"seconds": time.perf_counter() - t}


def case_payload(n):
    blob = os.urandom(1 << 20)
    size(b"").result()
    t = time.perf_counter()
    futures = [size(blob) for _ in range(n)]
    assert all(f.result() == len(blob) for f in futures)
    return {"tasks_per_s": n / (time.perf_counter() - t)}


def case_memory(n, run_dir):
    flag = os.path.join(run_dir, "release")
    inc(0).result()
    before = rss_kib()
    futures = [hold(flag) for _ in range(n)]
    time.sleep(2.0)
    grown = rss_kib() - before
    open(flag, "w").close()
    del futures
    return {"bytes_per_task": grown * 1024 / n}


def main():
    case, n, encrypted, run_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
    os.makedirs(run_dir, exist_ok=True)
    t0 = time.perf_counter()
    dfk = parsl.load(config(run_dir, encrypted))
    if case == "startup":
        noop().result()
        result = {"seconds": time.perf_counter() - t0}
    elif case == "memory":
        # tasks are held in flight; exit at once (the runner kills the case's session)
        print(json.dumps(case_memory(n, run_dir)), flush=True)
        os._exit(0)
    else:
        result = globals()[f"case_{case}"](n)
    print(json.dumps(result), flush=True)
    dfk.cleanup()
    parsl.clear()


if __name__ == "__main__":
    main()
