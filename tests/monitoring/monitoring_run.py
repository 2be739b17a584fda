"""A real conveyor workflow with monitoring on, run as an unmodified Parsl script.

HTEX with a LocalProvider block and two workers, resource sampling every 0.2 s, retries=1.
What it does, so tests know the counts without reading the database:
- square(i) for i in 0..7: busy for ~0.3 s of CPU each, then exec_done
- flaky(i) for i in 0..1: raises ValueError twice (2 tries), failed
- total(*squares): exec_done; total(flaky(0)): dep_fail
"""

from __future__ import annotations

import subprocess
import sys
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
