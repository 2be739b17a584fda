"""Processes and the database: a kill keeps earlier batches, no main guard, two writers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from dbkit import rows

SRC = str(Path(__file__).resolve().parents[2] / "src")

CRASHING = """
import time
import conveyor
from conveyor import Config, MonitoringHub, python_app
from conveyor.executors.threads import ThreadPoolExecutor

@python_app
def inc(x):
    return x + 1

@python_app
def forever():
    import time
    time.sleep(600)

config = Config(
    executors=[ThreadPoolExecutor(label="threads", max_threads=2)],
    run_dir={run_dir!r},
    monitoring=MonitoringHub(logging_endpoint="sqlite:///{db}", workflow_name="crash"),
)
dfk = conveyor.load(config)
assert [inc(i).result() for i in range(25)] == list(range(1, 26))
writer = dfk.monitoring.writer
before = writer.written
hang = forever()  # a batch holding it (and all of the above) is written next
while writer.written == before:
    time.sleep(0.05)
print("READY", flush=True)
time.sleep(600)
"""


def test_sigkill_keeps_the_earlier_batches(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    script = tmp_path / "crash.py"
    script.write_text(CRASHING.format(run_dir=str(tmp_path / "runinfo"), db=db))
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "READY"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    done = rows(db, "SELECT count(*) FROM status WHERE task_status_name = 'exec_done'")
    assert done[0][0] == 25
    assert rows(db, "SELECT count(*) FROM task WHERE task_func_name = 'inc'") == [(25,)]
    assert rows(db, "SELECT workflow_name, time_completed FROM workflow") == [("crash", None)]


NO_GUARD = """
import conveyor
from conveyor import Config, HighThroughputExecutor, LocalProvider, MonitoringHub, python_app

@python_app
def square(x):
    return x * x

config = Config(
    executors=[HighThroughputExecutor(
        label="htex", max_workers_per_node=2, provider=LocalProvider(init_blocks=1, max_blocks=1)
    )],
    run_dir={run_dir!r},
    strategy="none",
    monitoring=MonitoringHub(resource_monitoring_interval=1),
)
with conveyor.load(config):
    print(sum(square(i).result() for i in range(10)), flush=True)
"""


def test_a_script_without_a_main_guard_finishes(tmp_path: Path) -> None:
    run_dir = tmp_path / "runinfo"
    script = tmp_path / "noguard.py"
    script.write_text(textwrap.dedent(NO_GUARD.format(run_dir=str(run_dir))))
    env = {**os.environ, "PYTHONPATH": SRC}
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=90
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["285"]
    db = run_dir / "monitoring.db"
    assert rows(db, "SELECT workflow_name FROM workflow") == [("noguard.py",)]
    assert rows(db, "SELECT count(*) FROM task") == [(10,)]


CONCURRENT = """
import conveyor
from conveyor import Config, MonitoringHub, python_app
from conveyor.executors.threads import ThreadPoolExecutor

@python_app
def inc(x):
    return x + 1

config = Config(
    executors=[ThreadPoolExecutor(label="threads", max_threads=2)],
    run_dir={run_dir!r},
    monitoring=MonitoringHub(logging_endpoint="sqlite:///{db}", workflow_name={name!r}),
)
with conveyor.load(config):
    for _ in range(4):
        assert [f.result() for f in [inc(i) for i in range(100)]] == list(range(1, 101))
"""


def test_two_processes_write_one_database_at_once(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    env = {**os.environ, "PYTHONPATH": SRC}
    procs = []
    for name in ("left", "right"):
        script = tmp_path / f"{name}.py"
        run_dir = str(tmp_path / name)
        script.write_text(CONCURRENT.format(run_dir=run_dir, db=db, name=name))
        procs.append(
            subprocess.Popen(
                [sys.executable, str(script)], env=env, stderr=subprocess.PIPE, text=True
            )
        )
    try:
        for proc in procs:
            _, err = proc.communicate(timeout=90)
            assert proc.returncode == 0, err[-2000:]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    runs = dict(rows(db, "SELECT workflow_name, run_id FROM workflow"))
    assert set(runs) == {"left", "right"}
    for run_id in runs.values():
        assert rows(db, "SELECT count(*) FROM task WHERE run_id = ?", run_id) == [(400,)]
        done = rows(
            db,
            "SELECT count(*) FROM status WHERE run_id = ? AND task_status_name = 'exec_done'",
            run_id,
        )
        assert done == [(400,)]
