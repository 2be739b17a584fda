"""The progress bar: the pure tally and frame, then `conveyor run --progress` in a real pty.

No monitoring is configured anywhere here: the bar reads the kernel only.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from conveyor.kernel.states import TaskState
from conveyor.progress_bar import ProgressState, Tally, render

S = TaskState


def rec(tid: int, app: str, state: TaskState) -> SimpleNamespace:
    return SimpleNamespace(id=tid, state=state, call=SimpleNamespace(func_name=app))


def test_tally_counts_per_app_from_records_that_leave() -> None:
    tally = Tally()
    a0, a1, b2 = rec(0, "a", S.LAUNCHED), rec(1, "a", S.PENDING), rec(2, "b", S.LAUNCHED)
    st = tally.look(3, [a0, a1, b2], Counter(), now=0.0)
    assert (st.submitted, st.running, st.pending, st.done, st.failed) == (3, 2, 1, 0, 0)
    assert (st.apps["a"].running, st.apps["a"].pending, st.apps["b"].running) == (1, 1, 1)
    a0.state, b2.state = S.EXEC_DONE, S.FAILED  # both finish and leave the live records
    st = tally.look(4, [a1, rec(3, "b", S.READY)], Counter({S.EXEC_DONE: 1, S.FAILED: 1}), now=2.0)
    assert (st.done, st.failed, st.running, st.pending) == (1, 1, 0, 2)
    assert (st.apps["a"].done, st.apps["a"].pending) == (1, 1)
    assert (st.apps["b"].failed, st.apps["b"].pending) == (1, 1)
    assert st.rate == 1.0 and st.eta == 2.0 and st.unattributed == 0


def test_tasks_finished_between_looks_count_in_the_totals() -> None:
    tally = Tally()
    st = tally.look(10, [], Counter({S.EXEC_DONE: 7, S.DEP_FAILED: 2, S.MEMO_DONE: 1}), now=1.0)
    assert (st.done, st.failed, st.unattributed, st.eta) == (8, 2, 10, 0.0)
    line = render(st, 120)[0]
    assert "10/10 done 8 failed 2" in line and "(10 not seen per app)" in line


def test_frame_fits_the_width() -> None:
    st = ProgressState(
        submitted=1000, done=500, failed=20, running=8, pending=472, rate=52.0, eta=9.2
    )
    st.apps = {"a_rather_long_application_name_indeed": Tally().state.apps.get("x") or _app()}
    for width in (40, 80, 200):
        lines = render(st, width)
        assert all(len(line) < width for line in lines)
    assert render(st, 200)[0].startswith("conveyor ") and "52.0/s ETA 0:09" in render(st, 200)[0]


def _app() -> object:
    from conveyor.progress_bar import AppProgress

    return AppProgress("a_rather_long_application_name_indeed", done=3, running=1)


PARSL_IMPORTS = """
import parsl
from parsl import python_app
from parsl.config import Config
from parsl.executors import ThreadPoolExecutor
"""
CONVEYOR_IMPORTS = """
import conveyor as parsl
from conveyor import Config, ThreadPoolExecutor, python_app
"""
SCRIPT = """
import json, sys
{imports}

@python_app
def square(x):
    import time; time.sleep(0.2); return x * x

@python_app
def boom(x):
    raise ValueError(x)

parsl.load(Config(executors=[ThreadPoolExecutor(max_threads=4)]))
{body}
"""

RUN_BODY = """
futures = [square(i) for i in range(12)] + [boom(i) for i in range(3)]
print("results", sum(f.result() for f in futures[:12]), sum(f.exception() is not None for f in futures[12:]))
"""

API_BODY = """
import conveyor
bar = conveyor.progress(interval=0.05)
futures = [square(i) for i in range(8)] + [boom(i) for i in range(2)]
[f.exception() for f in futures]
state = bar.stop()
with open(sys.argv[1], "w") as out:
    json.dump({"submitted": state.submitted, "done": state.done, "failed": state.failed}, out)
"""


def run_in_pty(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run a command with stdin/stdout/stderr on a fresh 100x30 pseudo-terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, close_fds=True)
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            assert ready, "no output for 60 s"
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child side closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        code = proc.wait(timeout=60)
    return code, b"".join(chunks).decode("utf-8", "replace")


def final_frame(output: str) -> list[str]:
    """The lines of the last frame drawn (frames start after a cursor-up or a carriage return)."""
    last = output.rsplit("conveyor ", 1)[1]
    return ("conveyor " + last).replace("\x1b[K", "").replace("\r", "").splitlines()


def test_conveyor_run_progress_in_a_pty(tmp_path: Path) -> None:
    script = tmp_path / "flow.py"
    script.write_text(SCRIPT.format(imports=PARSL_IMPORTS, body=RUN_BODY))
    code, out = run_in_pty(
        [sys.executable, "-m", "conveyor", "run", "--progress", str(script)], tmp_path
    )
    assert code == 0, out
    assert "results 506 3" in out
    assert "\x1b[" in out  # drawn in place with terminal escapes
    frame = final_frame(out)
    assert "100%" in frame[0] and "15/15 done 12 failed 3 running 0 pending 0" in frame[0], frame
    apps = {line.split()[0]: line for line in frame[1:] if line.startswith("  ")}
    assert set(apps) <= {"boom", "square"}
    assert all(len(line) < 100 for line in frame)


def test_progress_from_python_in_a_pty(tmp_path: Path) -> None:
    script, result = tmp_path / "api.py", tmp_path / "state.json"
    script.write_text(SCRIPT.format(imports=CONVEYOR_IMPORTS, body=API_BODY))
    code, out = run_in_pty([sys.executable, str(script), str(result)], tmp_path)
    assert code == 0, out
    assert json.loads(result.read_text()) == {"submitted": 10, "done": 8, "failed": 2}
    assert "10/10 done 8 failed 2" in final_frame(out)[0]


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    script = tmp_path / "flow.py"
    script.write_text(SCRIPT.format(imports=PARSL_IMPORTS, body=RUN_BODY))
    proc = subprocess.run(
        [sys.executable, "-m", "conveyor", "run", "--progress", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "results 506 3"
    assert "\x1b[" not in proc.stderr and "conveyor " not in proc.stderr


def test_progress_started_before_load_follows_the_kernel_loaded_later() -> None:
    import io

    import conveyor
    from conveyor import Config, ThreadPoolExecutor, python_app

    @python_app
    def half(x: int) -> float:
        return x / 2

    @python_app
    def broken() -> None:
        raise RuntimeError("no")

    stream = io.StringIO()  # not a terminal: nothing is drawn, but the counts are kept
    bar = conveyor.progress(stream=stream, interval=0.01)
    try:
        with conveyor.load(Config(executors=[ThreadPoolExecutor(max_threads=2)])):
            futures = [half(i) for i in range(30)] + [broken() for _ in range(4)]
            assert [f.exception() is None for f in futures].count(False) == 4
            state = bar.stop()
    finally:
        bar.stop()
    assert (state.submitted, state.done, state.failed, state.running, state.pending) == (
        34,
        30,
        4,
        0,
        0,
    )
    assert stream.getvalue() == ""
