"""No process outlives the workflow: after cleanup, and after the user process is SIGTERMed."""

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from htexkit import make_htex, processes_of, wait_until

import conveyor
from conveyor import Config, python_app


@python_app
def nap(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


def test_no_process_left_after_cleanup(tmp_path: Path) -> None:
    with conveyor.load(
        Config(
            executors=[make_htex(tmp_path / "runs")], run_dir=str(tmp_path / "runs"), strategy=None
        )
    ):
        assert nap(0).result(timeout=30) == 0
        assert processes_of(tmp_path), "expected live pool/interchange processes during the run"
    assert wait_until(lambda: not processes_of(tmp_path), timeout=20), processes_of(tmp_path)


SCRIPT = """
import sys, time, conveyor
from conveyor import Config, python_app
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.providers.local import LocalProvider

@python_app
def nap(s):
    import time
    time.sleep(s)

ex = HighThroughputExecutor(label="htex", max_workers_per_node=2, heartbeat_period=0.5, heartbeat_threshold=3,
                            provider=LocalProvider(init_blocks=1))
conveyor.load(Config(executors=[ex], run_dir=sys.argv[1], strategy=None))
nap(0).result()
futures = [nap(60) for _ in range(4)]
time.sleep(1)
print("ready", flush=True)
time.sleep(120)
"""


def test_no_process_left_after_sigterm(tmp_path: Path) -> None:
    script = tmp_path / "user.py"
    script.write_text(textwrap.dedent(SCRIPT))
    run_dir = tmp_path / "runs"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(run_dir)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    assert processes_of(run_dir)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert wait_until(lambda: not processes_of(run_dir), timeout=30), [
        p.cmdline() for p in processes_of(run_dir)
    ]
