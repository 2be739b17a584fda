"""bash_app on HTEX only: what test_bash_apps.py (threads + HTEX) does not already check.

Here: failures keep their type and carry the worker's traceback across processes, a
signal-killed command reports the signal, concurrent AUTO_LOGNAME streams stay apart,
a walltime kill leaves the worker process alive, and in-task staging wraps bash apps.
"""

import functools
import http.server
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from conveyor import AUTO_LOGNAME, File, bash_app
from conveyor.errors import AppTimeout, BashExitFailure
from conveyor.execution.outcome import RemoteTraceback

# every test here runs on HTEX only (make_config is parametrized by conftest.py)
pytestmark = pytest.mark.parametrize("make_config", ["htex"], indirect=True)


@bash_app
def run(cmd: str, stdout: Any = None, stderr: Any = None, walltime: float | None = None) -> str:
    return cmd


@bash_app
def cat_input(inputs: Any = (), stdout: Any = None) -> str:
    return f"cat {inputs[0]}"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def htex(loaded: object) -> object:
    """conftest's loaded kernel: on HTEX here (see pytestmark)."""
    return loaded


def test_exit_failure_keeps_type_and_worker_traceback(htex: Any) -> None:
    exc = run("echo failing >&2; exit 3").exception(timeout=60)
    assert isinstance(exc, BashExitFailure)
    assert (exc.app_name, exc.exitcode) == ("run", 3)
    assert isinstance(exc.__cause__, RemoteTraceback) and "BashExitFailure" in exc.__cause__.tb


def test_signal_death_reports_negative_exit_code(htex: Any) -> None:
    exc = run("kill -TERM $$").exception(timeout=60)
    assert isinstance(exc, BashExitFailure) and exc.exitcode == -15


def test_concurrent_auto_lognames_stay_apart(htex: Any) -> None:
    futures = [
        run(f"echo out{i}; echo err{i} >&2", stdout=AUTO_LOGNAME, stderr=AUTO_LOGNAME)
        for i in range(6)
    ]
    for i, fut in enumerate(futures):
        assert fut.result(timeout=60) == 0
        assert fut.stdout.startswith(htex.run_dir) and fut.stderr.startswith(htex.run_dir)
        assert Path(fut.stdout).read_text() == f"out{i}\n"
        assert Path(fut.stderr).read_text().endswith(f"err{i}\n")  # after the command header
    assert len({f.stdout for f in futures} | {f.stderr for f in futures}) == 12


def test_walltime_kill_spares_the_worker(htex: Any, tmp_path: Path) -> None:
    worker_file, child_file = tmp_path / "worker.pid", tmp_path / "child.pid"
    cmd = f"echo $PPID > {worker_file}; sleep 300 & echo $! > {child_file}; wait"
    assert isinstance(run(cmd, walltime=1).exception(timeout=60), AppTimeout)
    worker, child = int(worker_file.read_text()), int(child_file.read_text())
    deadline = time.monotonic() + 10
    while psutil.pid_exists(child) and psutil.Process(child).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the command's child survived the walltime kill"
        time.sleep(0.05)
    assert psutil.Process(worker).status() != psutil.STATUS_ZOMBIE
    assert [run("true").result(timeout=60) for _ in range(4)] == [0] * 4


def test_in_task_http_staging_wraps_bash_app(htex: Any, tmp_path: Path) -> None:
    root = tmp_path / "www"
    root.mkdir()
    (root / "greeting.txt").write_text("hello bash\n")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/greeting.txt"
        out = tmp_path / "cat.out"
        assert cat_input(inputs=[File(url)], stdout=str(out)).result(timeout=60) == 0
        assert out.read_text() == "hello bash\n"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
