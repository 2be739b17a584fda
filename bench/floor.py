"""Floor reference: concurrent.futures.ProcessPoolExecutor(2) running 10,000 no-op tasks."""

import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def noop():
    return None


if __name__ == "__main__":
    n = int(sys.argv[1])
    with ProcessPoolExecutor(2) as pool:
        pool.submit(noop).result()
        t = time.perf_counter()
        futures = [pool.submit(noop) for _ in range(n)]
        for f in futures:
            f.result()
        print(json.dumps({"tasks_per_s": n / (time.perf_counter() - t)}))
