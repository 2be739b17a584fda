"""Parsl's monitoring radio configurations: a config naming one runs unchanged on conveyor."""

import sqlite3
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import conveyor.compat as c; c.install()
import sys
import parsl
from parsl.config import Config
from parsl.executors import ThreadPoolExecutor
from parsl.monitoring import MonitoringHub
from parsl.monitoring.radios.base import RadioConfig
from parsl.monitoring.radios.filesystem import FilesystemRadio
from parsl.monitoring.radios.htex import HTEXRadio
from parsl.monitoring.radios.udp import UDPRadio

radio = UDPRadio(address="localhost", atexit_timeout=0)
assert isinstance(radio, RadioConfig) and isinstance(HTEXRadio(), RadioConfig)
assert (radio.address, radio.port, radio.hmac_digest) == ("localhost", None, "sha512")
assert repr(FilesystemRadio()) == "FilesystemRadio()"

@parsl.python_app
def double(x):
    return 2 * x

config = Config(
    executors=[ThreadPoolExecutor(remote_monitoring_radio=radio)],
    monitoring=MonitoringHub(resource_monitoring_interval=0, logging_endpoint=sys.argv[2]),
    run_dir=sys.argv[1],
)
with parsl.load(config):
    assert double(21).result() == 42
print("ok")
"""


def test_an_executor_naming_a_radio_runs_and_is_monitored(tmp_path: Path) -> None:
    db = tmp_path / "monitoring.db"
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "runinfo"), f"sqlite:///{db}"],
        capture_output=True,
        text=True,
        timeout=100,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT task_func_name FROM task").fetchall()
    assert rows == [("double",)]
