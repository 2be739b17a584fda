"""Real conveyor workflows with monitoring on, run as unmodified Parsl scripts, and the CLI.

HTEX with a LocalProvider block and two workers, resource sampling every 0.2 s, retries=1.
What it does, so tests know the counts without reading the database:
- square(i) for i in 0..7: busy for ~0.3 s of CPU each, then exec_done
- flaky(i) for i in 0..1: raises ValueError twice (2 tries), failed
- total(*squares): exec_done; total(flaky(0)): dep_fail
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

EXPECTED_STATES = {"exec_done": 9, "failed": 2, "dep_fail": 1}
EXPECTED_APPS = {"square": 8, "flaky": 2, "total": 2}
TOTAL = 12
FLAKY_TASK = 8  # task ids follow submission order

SCRIPT = """
import parsl
from parsl import python_app
from parsl.config import Config
from parsl.executors import HighThroughputExecutor
from parsl.monitoring import MonitoringHub
from parsl.providers import LocalProvider


@python_app
def square(x):
    import time
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    return x * x


@python_app
def flaky(x):
    raise ValueError(f"bad input {x}")


@python_app
def total(*xs):
    return sum(xs)


config = Config(
    executors=[
        HighThroughputExecutor(
            label="htex",
            max_workers_per_node=2,
            provider=LocalProvider(init_blocks=1, max_blocks=1),
        )
    ],
    monitoring=MonitoringHub(workflow_name="squares", resource_monitoring_interval=0.2),
    retries=1,
)
with parsl.load(config):
    squares = [square(i) for i in range(8)]
    bad = [flaky(i) for i in range(2)]
    print("total", total(*squares).result())
    print("dep", type(total(bad[0]).exception()).__name__)
"""


def conveyor(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "conveyor", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=env,
    )


def run_workflow(where: Path) -> Path:
    """Run the workflow in ``where`` (its cwd); return the monitoring database's path."""
    where.mkdir(parents=True, exist_ok=True)
    script = where / "squares.py"
    script.write_text(SCRIPT)
    proc = subprocess.run(
        [sys.executable, "-m", "conveyor", "run", str(script)],
        capture_output=True,
        text=True,
        timeout=110,
        cwd=where,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["total", "140", "dep", "DependencyError"], proc.stdout
    found = sorted(where.glob("runinfo/**/monitoring.db"))
    assert len(found) == 1, found
    return found[0]


#: a workflow whose 4 tasks wait until a file named ``go`` appears in its directory
GATED = """
import os, parsl
from parsl import python_app
from parsl.config import Config
from parsl.executors import ThreadPoolExecutor
from parsl.monitoring import MonitoringHub


@python_app
def gated(i, gate):
    import os, time
    while not os.path.exists(gate):
        time.sleep(0.05)
    return i


config = Config(executors=[ThreadPoolExecutor(max_threads=4)], monitoring=MonitoringHub())
with parsl.load(config):
    print(sum(f.result() for f in [gated(i, "go") for i in range(4)]))
"""


def wait_for_workflow_row(where: Path, proc: subprocess.Popen[str]) -> Path:
    """Wait until the run's database exists and holds its workflow row."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the workflow ended before the gate opened"
        for db in where.glob("runinfo/**/monitoring.db"):
            try:
                with sqlite3.connect(db) as conn:
                    if conn.execute("SELECT count(*) FROM workflow").fetchone()[0]:
                        return db
            except sqlite3.Error:
                pass  # not created yet
        time.sleep(0.1)
    raise AssertionError("no workflow row within 60 s")
