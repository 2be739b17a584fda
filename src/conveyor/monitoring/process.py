"""The user's process's side of the monitoring writer process.

:class:`WriterProcess` starts ``python -m conveyor.monitoring.service`` (a new interpreter,
never a fork: nothing re-imports the user's script), and runs two daemon threads:

- the sender: every ``BATCH_INTERVAL`` seconds it drains the queues the kernel observer
  and the executors append to (:class:`~conveyor.monitoring.link.Queues`) and writes them
  to the process's stdin as ONE msgpack frame. That is all monitoring costs the user's
  process besides the observer's appends: rows, time formatting and SQL happen in the
  writer process, outside this process's GIL;
- the listener: reads the process's status frames (``written``, ``failures``,
  ``dropped``) and re-logs its log frames under ``conveyor.monitoring.service``.

``close()`` sends what is left and a close frame, then waits for the process to write
everything and exit (it gives up, kills it and warns if the process says nothing for
``CLOSE_SILENCE_S`` seconds). If the process dies, monitoring stops with a warning and the
workflow goes on.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conveyor.monitoring.channel import BATCH, CLOSE, LOG, STATUS, FrameSplitter, decode, encode
from conveyor.monitoring.link import Queues

__all__ = ["BATCH_INTERVAL", "WriterProcess", "WriterSettings"]

logger = logging.getLogger(__name__)
#: how the writer process's log frames are logged here
service_logger = logging.getLogger("conveyor.monitoring.service")
#: seconds between batches (Parsl's database manager also batches every second)
BATCH_INTERVAL = 1.0
#: seconds of silence from a closing writer process after which it is killed
CLOSE_SILENCE_S = 60.0
#: the pipe to the writer holds this much (Linux's default limit for unprivileged users)
PIPE_BYTES = 1 << 20
_SOURCE_ROOT = str(Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class WriterSettings:
    """What the writer process is started with."""

    db_path: str
    run_id: str
    #: the resource sampling interval (written in every ``resource`` row)
    resource_interval: float
    busy_timeout: float
    debug: bool = False
    #: where the writer's own log goes (Parsl's ``database_manager.log``); "" = no log file
    log_dir: str = ""
    #: the run's LogConfig, pickled (``Config.initialize_logging``); None = a plain log file
    log_config: bytes | None = None


class WriterProcess:
    """Starts the writer process, feeds it batches, follows its status."""

    def __init__(self, queues: Queues, settings: WriterSettings) -> None:
        self.queues = queues
        self.settings = settings
        self.interval = BATCH_INTERVAL
        #: as told by the writer process: rows written, batches it could not write, batches
        #: it dropped (too far behind), tasks completed and failed
        self.written = self.failures = self.dropped = self.completed = self.failed = 0
        self._heard = time.monotonic()
        self._broken = False
        self._owner = os.getpid()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._proc = self._spawn()
        self._sender = threading.Thread(target=self._send_loop, name="monitoring-send", daemon=True)
        self._listener = threading.Thread(
            target=self._listen, name="monitoring-status", daemon=True
        )
        self._sender.start()
        self._listener.start()

    @property
    def pid(self) -> int:
        """The writer process's pid."""
        return self._proc.pid

    def is_alive(self) -> bool:
        """Whether the writer process is still running (as ``multiprocessing.Process``)."""
        return self._proc.poll() is None

    def _spawn(self) -> subprocess.Popen[bytes]:
        s = self.settings
        cmd = [sys.executable, "-m", "conveyor.monitoring.service", "--db", s.db_path]
        cmd += ["--run-id", s.run_id, "--interval", repr(float(s.resource_interval))]
        cmd += ["--busy-timeout", repr(float(s.busy_timeout)), "--parent-pid", str(os.getpid())]
        if s.debug:
            cmd.append("--debug")
        if s.log_dir:
            cmd += ["--log-dir", s.log_dir]
        if s.log_config is not None:
            cmd += ["--log-config", s.log_config.hex()]
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": _SOURCE_ROOT + (os.pathsep + path if path else "")}
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        assert proc.stdin is not None
        with contextlib.suppress(OSError, AttributeError):  # larger pipe: fewer blocked writes
            fcntl.fcntl(proc.stdin.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        return proc

    # --- sending -------------------------------------------------------------------

    def _send_loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._send_batch()

    def _send_batch(self) -> None:
        """Drain every queue into one frame (under a lock: ``close`` sends the last one)."""
        with self._lock:
            q = self.queues
            # pool tries drained after the events, so their launches are in this frame or
            # an earlier one
            body = [_drain(q.transitions), _drain(q.tries), _drain(q.samples)]
            body += [_drain(q.nodes), _drain(q.blocks)]
            if any(body):
                self._send(BATCH, body)

    def _send(self, kind: str, body: Any) -> None:
        if self._broken:
            return
        try:
            data = memoryview(encode(kind, body))
        except (TypeError, ValueError) as exc:  # msgpack refused a value: drop this batch
            logger.warning("monitoring: a batch could not be encoded (%s); dropped", exc)
            return
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            fd = stdin.fileno()
            while data:
                data = data[os.write(fd, data) :]
        except (OSError, ValueError):
            self._broken = True
            logger.warning(
                "monitoring: the writer process (pid %d) is gone (exit code %s); nothing more "
                "is recorded, the workflow goes on",
                self._proc.pid,
                self._proc.poll(),
            )

    # --- listening -----------------------------------------------------------------

    def _listen(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        fd, splitter = stdout.fileno(), FrameSplitter()
        while True:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                return
            if not data:
                return
            self._heard = time.monotonic()
            for payload in splitter.feed(data):
                self._heard_frame(*decode(payload))

    def _heard_frame(self, kind: str, body: Any) -> None:
        if kind == STATUS:
            self.written, self.failures, self.dropped, self.completed, self.failed = body
        elif kind == LOG:
            level, message = body
            service_logger.log(int(level), "%s", message)

    # --- the end -------------------------------------------------------------------

    def close(self, ended: float) -> None:
        """Send the rest and the workflow's end; wait until the process wrote it all.

        Nothing in a forked child: the writer belongs to the process that started it.
        """
        if os.getpid() != self._owner:
            return
        self._stop.set()
        self._sender.join()
        self._send_batch()
        with self._lock:
            self._send(CLOSE, ended)
        stdin = self._proc.stdin
        assert stdin is not None
        with contextlib.suppress(OSError):
            stdin.close()
        self._heard = time.monotonic()
        while self._listener.is_alive():
            self._listener.join(0.2)
            if time.monotonic() - self._heard > CLOSE_SILENCE_S:
                logger.warning(
                    "monitoring: the writer process said nothing for %.0f s; killed, the "
                    "database may miss the last batches",
                    CLOSE_SILENCE_S,
                )
                self._proc.kill()
                break
        self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()


def _drain(q: deque[Any]) -> list[Any]:
    items = []
    pop = q.popleft
    for _ in range(len(q)):
        items.append(pop())
    return items
