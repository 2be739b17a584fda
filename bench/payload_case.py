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
    from parsl.app.app import python_app
    from parsl.config import Config
    from parsl.executors import HighThroughputExecutor
    from parsl.providers import LocalProvider

    app = python_app(echo)
    ex = HighThroughputExecutor(
        label="htex",
        max_workers_per_node=2,
        encrypted=encrypted,
        address="127.0.0.1",
        provider=LocalProvider(init_blocks=1, max_blocks=1, min_blocks=0),
    )
    with parsl.load(Config(executors=[ex], run_dir=run_dir, strategy="none")):
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
