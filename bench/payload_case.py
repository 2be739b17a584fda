"""One payload measurement, written against Parsl's API (runs under Parsl and conveyor).

    python payload_case.py htex:MIB N ENCRYPTED RUN_DIR    HTEX, 2 workers, LocalProvider
    python payload_case.py pool:MIB N ENCRYPTED RUN_DIR    ProcessPoolExecutor(2), no Parsl

N tasks each send MIB MiB of bytes to a worker and get them back (an echo); prints one
JSON line with the MB/s moved (both directions) and the tasks per second.
"""

import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def echo(blob):
    return blob


def run(submit, blob, n):
    assert submit(blob).result() == blob  # warm: workers started, function shipped
    t = time.perf_counter()
    futures = [submit(blob) for _ in range(n)]
    for f in futures:
        assert len(f.result()) == len(blob)
    seconds = time.perf_counter() - t
    return {"mb_per_s": 2 * n * len(blob) / seconds / 1e6, "tasks_per_s": n / seconds}


def htex(blob, n, encrypted, run_dir):
    import parsl
    from bench_config import config
    from parsl.app.app import python_app

    app = python_app(echo)
    with parsl.load(config(run_dir, encrypted)):
        return run(app, blob, n)


def pool(blob, n):
    with ProcessPoolExecutor(2) as ex:
        return run(lambda b: ex.submit(echo, b), blob, n)


def main():
    case, n, encrypted, run_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
    kind, mib = case.split(":")
    blob = os.urandom(int(mib) << 20)
    os.makedirs(run_dir, exist_ok=True)
    result = pool(blob, n) if kind == "pool" else htex(blob, n, encrypted, run_dir)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
