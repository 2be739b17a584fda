"""bash_app behaviour: exit codes, std streams and modes, AUTO_LOGNAME, walltime kills the tree."""

import time
from pathlib import Path
from typing import Any

import psutil
import pytest

import conveyor
from conveyor import AUTO_LOGNAME, bash_app, python_app
from conveyor.errors import AppTimeout, BadStdStreamFile, BashAppNoReturn, BashExitFailure


@bash_app
def run(cmd: str, stdout: Any = None, stderr: Any = None, walltime: float | None = None) -> str:
    return cmd


@bash_app
def not_a_command() -> int:
    return 42


@python_app
def slow_python(walltime: float | None = None) -> str:
    time.sleep(5)
    return "late"


def test_exit_code_becomes_bash_exit_failure(loaded: Any) -> None:
    exc = run("exit 7").exception(timeout=60)
    assert isinstance(exc, BashExitFailure) and exc.exitcode == 7


def test_streams_and_modes(loaded: Any, tmp_path: Path) -> None:
    out, err = tmp_path / "o.txt", tmp_path / "e.txt"
    run("echo one; echo two >&2", stdout=str(out), stderr=str(err)).result(timeout=60)
    run("echo three", stdout=(str(out), "a")).result(timeout=60)
    assert out.read_text() == "one\nthree\n"
    # as Parsl: the command heads the stderr file
    header = "--> executable follows <--\necho one; echo two >&2\n--> end executable <--\n"
    assert err.read_text() == header + "two\n"
    run("echo four", stdout=(str(out), "w")).result(timeout=60)
    assert out.read_text() == "four\n"


def test_auto_logname_puts_streams_under_run_dir(loaded: Any) -> None:
    fut = run("echo auto", stdout=AUTO_LOGNAME)
    fut.result(timeout=60)
    assert fut.stdout is not None and fut.stdout.startswith(loaded.run_dir)
    assert Path(fut.stdout).read_text() == "auto\n"


def test_non_string_return_is_clear_error(loaded: Any) -> None:
    assert isinstance(not_a_command().exception(timeout=60), BashAppNoReturn)


def test_bad_stream_spec_fails_the_future_not_the_call(loaded: Any) -> None:
    fut = run("true", stdout=("x", "r", "extra"))
    assert isinstance(fut.exception(timeout=60), BadStdStreamFile)


def test_walltime_kills_whole_process_tree(loaded: Any, tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    cmd = f"bash -c 'sleep 300 & echo $! > {pidfile}; wait'"
    exc = run(cmd, walltime=1).exception(timeout=60)
    assert isinstance(exc, AppTimeout)
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "grandchild survived the walltime kill"
        time.sleep(0.05)


def test_python_walltime(loaded: Any) -> None:
    assert isinstance(slow_python(walltime=0.5).exception(timeout=60), AppTimeout)


def test_context_manager_and_load_clear_cycles(make_config: Any) -> None:
    for i in range(3):
        dfk = conveyor.load(make_config())
        assert conveyor.dfk() is dfk
        assert run(f"exit {i}").exception(timeout=60) is None if i == 0 else True
        conveyor.clear()
    with pytest.raises(conveyor.errors.NoDataFlowKernelError):
        conveyor.dfk()
