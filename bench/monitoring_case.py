"""Monitoring cost, written against Parsl's API so the SAME file runs on both systems.

Run as ``python monitoring_case.py MODE N ENCRYPTED RUN_DIR`` under real Parsl (which needs
``parsl[monitoring]``), or as ``conveyor run monitoring_case.py ...``. MODE is ``off``
(no MonitoringHub), ``hub`` (MonitoringHub, resource monitoring off) or ``resources``
(resource monitoring every 1 s). HTEX with 2 workers, no-op tasks. Prints one JSON line:
throughput until the last result, throughput until cleanup returned (the database then
holds everything; cleanup also stops the pools, in every mode), and how many tasks the
database holds.
"""

import json
import os
import sqlite3
import sys
import time

import parsl
from bench_config import config as htex_config
from parsl.app.app import python_app
from parsl.monitoring import MonitoringHub


@python_app
def noop():
    return None


def config(mode, encrypted, run_dir):
    monitoring = None
    if mode != "off":
        monitoring = MonitoringHub(
            logging_endpoint=f"sqlite:///{run_dir}/monitoring.db",
            resource_monitoring_enabled=mode == "resources",
            resource_monitoring_interval=1,
        )
    return htex_config(run_dir, encrypted, monitoring=monitoring)


def recorded(run_dir):
    path = os.path.join(run_dir, "monitoring.db")
    if not os.path.exists(path):
        return 0
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM task").fetchone()[0]
    finally:
        conn.close()


def main():
    mode, n, encrypted, run_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
    os.makedirs(run_dir, exist_ok=True)
    dfk = parsl.load(config(mode, encrypted, run_dir))
    noop().result()
    t = time.perf_counter()
    futures = [noop() for _ in range(n)]
    for f in futures:
        f.result()
    dt = time.perf_counter() - t
    dfk.cleanup()  # with monitoring: until the database holds everything
    total = time.perf_counter() - t
    parsl.clear()
    print(
        json.dumps(
            {
                "tasks_per_s": n / dt,
                "tasks_per_s_with_cleanup": n / total,
                "tasks": n,
                "recorded": recorded(run_dir),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
