"""The writer process: its frames, its backlog cap, and that it never outlives its workflow."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
from dbkit import WarningsCollector, db_path, rows, threads_config

import conveyor
from conveyor import python_app
from conveyor.monitoring.channel import BATCH, CLOSE, FrameSplitter, decode, encode
from conveyor.monitoring.service import BURST_BYTES, NICENESS, Inbox

SRC = str(Path(__file__).resolve().parents[2] / "src")


@python_app
def triple(x: int) -> int:
    return 3 * x


def test_frames_come_out_whole_however_the_stream_is_cut() -> None:
    frames = [encode(BATCH, [[[i, b"\x00" * i, "htex"]], [], [], [], []]) for i in range(40)]
    frames.append(encode(CLOSE, 12.5))
    stream = b"".join(frames)
    for step in (1, 3, 7, 64, len(stream)):
        splitter = FrameSplitter()
        got = [p for i in range(0, len(stream), step) for p in splitter.feed(stream[i : i + step])]
        assert [decode(p) for p in got] == [decode(f[4:]) for f in frames]
        assert splitter.pending == 0
    kind, body = decode(frames[5][4:])
    assert kind == BATCH and body[0][0][1] == b"\x00" * 5  # bytes stay bytes


def test_the_inbox_drops_new_batches_beyond_its_cap_but_never_the_close() -> None:
    read_fd, write_fd = os.pipe()
    inbox = Inbox(read_fd, os.getppid(), cap=1000)
    inbox.start()
    big = encode(BATCH, [[[1, b"x" * 600]], [], [], [], []])
    try:
        for frame in (big, big, big, encode(CLOSE, 1.0)):
            os.write(write_fd, frame)
    finally:
        os.close(write_fd)
    for _ in range(200):  # the reader thread sees the end of the pipe
        if inbox.closed:
            break
        time.sleep(0.05)
    frames, done = inbox.take(0)
    os.close(read_fd)
    assert done and inbox.dropped == 2
    assert [decode(f)[0] for f in frames] == [BATCH, CLOSE]


def _until(check: Callable[[], bool]) -> None:
    for _ in range(600):
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("never happened")


def _close(inbox: Inbox, read_fd: int, write_fd: int) -> None:
    os.close(write_fd)
    _until(lambda: inbox.closed)  # the reader thread saw the end before its pipe goes
    os.close(read_fd)


def test_the_inbox_holds_a_burst_until_a_quieter_frame_comes() -> None:
    read_fd, write_fd = os.pipe()
    inbox = Inbox(read_fd, os.getppid(), max_lag=3600)
    inbox.start()
    burst = encode(BATCH, [[[1, b"x" * BURST_BYTES]], [], [], [], []])
    quiet = encode(BATCH, [[[2, b"y"]], [], [], [], []])
    try:
        os.write(write_fd, burst)
        _until(lambda: inbox.waiting == len(burst) - 4)
        assert inbox.take(0.05) == ([], False)  # a burst: held
        os.write(write_fd, quiet)
        _until(lambda: inbox.waiting == len(burst) + len(quiet) - 8)
        frames, done = inbox.take(0)
        assert [decode(f)[1][0][0][0] for f in frames] == [1, 2] and not done
    finally:
        _close(inbox, read_fd, write_fd)


def test_the_inbox_lets_a_burst_wait_no_longer_than_its_lag() -> None:
    read_fd, write_fd = os.pipe()
    inbox = Inbox(read_fd, os.getppid(), max_lag=0)
    inbox.start()
    burst = encode(BATCH, [[[1, b"x" * BURST_BYTES]], [], [], [], []])
    try:
        os.write(write_fd, burst)
        _until(lambda: inbox.waiting == len(burst) - 4)
        frames, _ = inbox.take(0)
        assert len(frames) == 1
    finally:
        _close(inbox, read_fd, write_fd)


def test_the_writer_is_a_low_priority_process_that_ends_with_cleanup(tmp_path: Path) -> None:
    with conveyor.load(threads_config(tmp_path)) as dfk:
        assert dfk.monitoring is not None
        writer = psutil.Process(dfk.monitoring.writer.pid)
        assert writer.ppid() == os.getpid()
        assert "conveyor.monitoring.service" in " ".join(writer.cmdline())
        for _ in range(600):  # it lowers its priority first thing after starting up
            if writer.nice() == NICENESS:
                break
            time.sleep(0.05)
        assert writer.nice() == NICENESS
        assert [triple(i).result() for i in range(20)] == [3 * i for i in range(20)]
    conveyor.clear()
    assert not writer.is_running()
    assert rows(db_path(tmp_path), "SELECT count(*) FROM task") == [(20,)]


def test_a_killed_writer_is_a_warning_and_the_workflow_goes_on(tmp_path: Path) -> None:
    collect = WarningsCollector()
    log = logging.getLogger("conveyor.monitoring")
    log.addHandler(collect)
    try:
        with conveyor.load(threads_config(tmp_path)) as dfk:
            assert dfk.monitoring is not None
            writer = psutil.Process(dfk.monitoring.writer.pid)
            writer.kill()
            writer.wait(timeout=30)
            assert [triple(i).result() for i in range(10)] == [3 * i for i in range(10)]
            for _ in range(200):  # the next batch finds the pipe broken
                if collect.messages:
                    break
                time.sleep(0.05)
        conveyor.clear()
    finally:
        log.removeHandler(collect)
    assert any("writer process" in m and "is gone" in m for m in collect.messages)


ORPHANED = """
import os
import time
import conveyor
from conveyor import Config, MonitoringHub, python_app
from conveyor.executors.threads import ThreadPoolExecutor

@python_app
def inc(x):
    return x + 1

config = Config(
    executors=[ThreadPoolExecutor(label="threads", max_threads=2)],
    run_dir={run_dir!r},
    monitoring=MonitoringHub(logging_endpoint="sqlite:///{db}", workflow_name="orphan"),
)
dfk = conveyor.load(config)
assert [inc(i).result() for i in range(30)] == list(range(1, 31))
writer = dfk.monitoring.writer
while writer.completed < 30:
    time.sleep(0.05)
child = os.fork()  # holds the pipe to the writer open after this process is gone
if child == 0:
    time.sleep(120)
    os._exit(0)
print(writer.pid, child, flush=True)
time.sleep(600)
"""


def test_the_writer_exits_when_its_workflow_is_killed(tmp_path: Path) -> None:
    """Even while a forked child keeps its stdin open: it watches its parent too."""
    db = tmp_path / "orphan.db"
    script = tmp_path / "orphan.py"
    script.write_text(ORPHANED.format(run_dir=str(tmp_path / "runinfo"), db=db))
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env
    )
    child = None
    try:
        assert proc.stdout is not None
        writer_pid, child = (int(x) for x in proc.stdout.readline().split())
        writer = psutil.Process(writer_pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        writer.wait(timeout=30)  # psutil.TimeoutExpired if it outlived its workflow
    finally:
        proc.kill()
        proc.wait(timeout=30)
        if child is not None:
            os.kill(child, signal.SIGKILL)
        if proc.stdout is not None:
            proc.stdout.close()
    assert rows(db, "SELECT count(*) FROM task WHERE task_func_name = 'inc'") == [(30,)]
    assert rows(db, "SELECT workflow_name, time_completed FROM workflow") == [("orphan", None)]
