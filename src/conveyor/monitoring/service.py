"""The monitoring writer process: ``python -m conveyor.monitoring.service --db PATH ...``.

Started by the user's process at ``load()`` (:mod:`conveyor.monitoring.process`) as a
plain new interpreter - never a fork or a multiprocessing spawn, so the user's script is
never re-imported (monitoring works in notebooks and without a ``__main__`` guard). Its
stdin brings batch frames, its stdout takes status and log frames
(:mod:`conveyor.monitoring.channel`). It turns events into rows
(:class:`~conveyor.monitoring.rows.RowBuilder`) and writes each take of frames in one
transaction (:class:`~conveyor.monitoring.writer.BatchWriter`).

It runs at the lowest CPU priority (``nice`` 19), and stays out of the way of bursts: while
frames come large (many tasks a second) it keeps them, writing when a quieter frame comes
or the oldest kept one is ``MAX_LAG_S`` old; ``cleanup()`` waits for it to catch up.
Frames wait undecoded in memory; beyond ``MAX_BACKLOG_BYTES`` new batches are DROPPED and
counted (the workflow is never blocked by monitoring), with a warning in the log.

It ends on a ``close`` frame (after the workflow's end is written), and when its stdin
ends or its parent is gone (a crash of the user's process): it then writes what it had
received and exits, so a crash loses at most the batch not yet sent.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import pickle
import select
import sqlite3
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from conveyor.logconfigs import FileLogging, LogConfig, oneshot_initialize_logging
from conveyor.monitoring.channel import BATCH, CLOSE, LOG, STATUS, FrameSplitter, decode, encode
from conveyor.monitoring.endpoint import writer_connection
from conveyor.monitoring.rows import Batch, BlockChange, PoolSample, PoolTry, RowBuilder
from conveyor.monitoring.writer import BatchWriter

__all__ = ["LOG_NAME", "MAX_BACKLOG_BYTES", "NICENESS", "Inbox", "main"]

logger = logging.getLogger("conveyor.monitoring")

NICENESS = 19
#: the writer's log file is ``<run_dir>/database_manager.log`` (Parsl's file name)
LOG_NAME = "database_manager"
#: received, not yet written frames beyond which new batches are dropped
MAX_BACKLOG_BYTES = 256 << 20
#: frames decoded into one transaction at most (a large backlog is written in pieces)
TAKE_BYTES = 16 << 20
#: seconds between checks that the parent is alive while stdin is quiet
PARENT_CHECK_S = 0.5
#: a frame this large means a burst of tasks (about 850 a second): while they last the
#: writer holds back, since on a small machine ANY concurrent CPU use slows the workflow
#: (even at the lowest priority), ...
BURST_BYTES = 128 << 10
#: ... but never for longer than this (seconds since its oldest unwritten frame came)
MAX_LAG_S = 10.0
#: frames this small are never dropped (the close frame among them)
_SMALL = 64
_Items = list[Any]


class Inbox:
    """Reads stdin on its own thread; keeps frames undecoded until the main loop takes them."""

    def __init__(
        self, fd: int, parent_pid: int, cap: int = MAX_BACKLOG_BYTES, max_lag: float = MAX_LAG_S
    ) -> None:
        self.fd, self.parent_pid, self.cap, self.max_lag = fd, parent_pid, cap, max_lag
        self.dropped = 0
        self.closed = False
        self._frames: deque[bytes] = deque()
        self._bytes = 0
        self._oldest = 0.0  # when the oldest kept frame came (monotonic)
        self._last_size = 0
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="monitoring-inbox", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        splitter = FrameSplitter()
        while True:
            ready, _, _ = select.select([self.fd], [], [], PARENT_CHECK_S)
            if not ready:
                if os.getppid() != self.parent_pid:
                    break  # the user's process died; a forked child may hold the pipe open
                continue
            try:
                data = os.read(self.fd, 1 << 20)
            except OSError:
                break
            if not data:
                break
            with self._cond:
                for frame in splitter.feed(data):
                    self._keep(frame)
                self._cond.notify()
        with self._cond:
            self.closed = True
            self._cond.notify()

    def _keep(self, frame: bytes) -> None:
        if len(frame) > _SMALL and self._bytes + len(frame) > self.cap:
            self.dropped += 1
            return
        if not self._frames:
            self._oldest = time.monotonic()
        self._frames.append(frame)
        self._bytes += len(frame)
        self._last_size = len(frame)

    @property
    def waiting(self) -> int:
        """Bytes of frames received and not yet taken."""
        with self._cond:
            return self._bytes

    def _due(self) -> bool:
        """Whether the kept frames are to be written now (see BURST_BYTES)."""
        if self.closed or self._last_size < BURST_BYTES or self._bytes >= TAKE_BYTES:
            return True
        return time.monotonic() - self._oldest >= self.max_lag

    def take(self, timeout: float) -> tuple[list[bytes], bool]:
        """Frames due to be written (up to TAKE_BYTES), and whether nothing more will come.

        Waits up to ``timeout`` seconds for a frame unless some are due already.
        """
        with self._cond:
            if not (self._frames and self._due()) and not self.closed:
                self._cond.wait(timeout)
            taken: list[bytes] = []
            if not self._due():
                return taken, False
            size = 0
            while self._frames and size < TAKE_BYTES:
                frame = self._frames.popleft()
                size += len(frame)
                taken.append(frame)
            self._bytes -= size
            return taken, self.closed and not self._frames


class _Reporter(logging.Handler):
    """Status and log frames to the user's process (lost quietly once it is gone)."""

    def __init__(self, fd: int) -> None:
        super().__init__(logging.DEBUG)
        self.fd = fd
        self.gone = False
        self._send_lock = threading.Lock()

    def send(self, kind: str, body: object) -> None:
        data = memoryview(encode(kind, body))
        with self._send_lock:
            while data and not self.gone:
                try:
                    data = data[os.write(self.fd, data) :]
                except OSError:
                    self.gone = True

    def emit(self, record: logging.LogRecord) -> None:
        self.send(LOG, [record.levelno, record.getMessage()])


class _Service:
    """The main loop's state."""

    def __init__(self, ns: argparse.Namespace, inbox: Inbox, reporter: _Reporter) -> None:
        self.run_id = ns.run_id
        self.inbox, self.reporter = inbox, reporter
        self.builder = RowBuilder(ns.run_id, ns.interval)
        self.writer = BatchWriter(writer_connection(ns.db, ns.busy_timeout))
        self.ended: float | None = None
        self.dropped_told = 0

    def serve(self) -> None:
        done = False
        while self.ended is None and not done:
            frames, done = self.inbox.take(1.0)
            if frames:
                self._write(frames)
            self._tell_drops()
        if self.ended is not None:
            b = self.builder
            self.writer.finish(self.run_id, self.ended, b.completed, b.failed)
        self.writer.conn.close()
        self._status()

    def _write(self, frames: list[bytes]) -> None:
        parts: tuple[_Items, _Items, _Items, _Items, _Items] = ([], [], [], [], [])
        gc.disable()  # rows are plain tuples that die with the batch
        try:
            for payload in frames:
                kind, body = decode(payload)
                if kind == BATCH:
                    for part, items in zip(parts, body, strict=True):
                        part.extend(items)
                elif kind == CLOSE:
                    self.ended = float(body)
            batch = self._build(*parts)
        finally:
            gc.enable()
        if len(batch):
            self.writer.write(batch)
        self._status()

    def _build(
        self, events: _Items, tries: _Items, samples: _Items, nodes: _Items, blocks: _Items
    ) -> Batch:
        b = self.builder
        b.pool_tries([PoolTry(*t) for t in tries])  # before the events they follow
        b.kernel_events(events)
        b.samples([PoolSample(s[0], s[1], tuple(s[2])) for s in samples], time.time())
        for node in nodes:
            b.node(node)
        b.blocks([BlockChange(*c) for c in blocks])
        return b.take()

    def _tell_drops(self) -> None:
        dropped = self.inbox.dropped
        if dropped > self.dropped_told:
            self.dropped_told = dropped
            logger.warning(
                "monitoring: %d batches dropped so far: the writer is more than %d MB behind",
                dropped,
                self.inbox.cap >> 20,
            )

    def _status(self) -> None:
        w, b = self.writer, self.builder
        body = [w.written, w.failures, self.inbox.dropped, b.completed, b.failed]
        self.reporter.send(STATUS, body)


def _start_logging(log_dir: Path, pickled: str) -> None:
    """This process's own log, as ``database_manager`` in ``log_dir`` (Parsl's name).

    Through the run's LogConfig when one came (``Config.initialize_logging``), else a plain
    ``database_manager.log`` at INFO level, as Parsl's database manager writes either way.
    """
    config: LogConfig | None = None
    if pickled:
        try:
            loaded = pickle.loads(bytes.fromhex(pickled))  # noqa: S301 - from our parent
        except Exception as exc:
            logger.warning("monitoring: the run's log config cannot be loaded here (%s)", exc)
        else:
            config = loaded if isinstance(loaded, LogConfig) else None
    try:
        if config is None:
            FileLogging(level=logging.INFO).initialize_logging(log_dir=log_dir, log_name=LOG_NAME)
        else:
            oneshot_initialize_logging(log_config=config, log_dir=log_dir, log_name=LOG_NAME)
    except Exception as exc:
        logger.warning("monitoring: the writer's log in %s could not be set up (%s)", log_dir, exc)
        return
    logger.propagate = True  # to the handlers the log config put on its loggers


def main(argv: list[str] | None = None) -> int:
    """Run the writer until its workflow closes it or goes away."""
    ap = argparse.ArgumentParser(prog="python -m conveyor.monitoring.service")
    ap.add_argument("--db", required=True)
    ap.add_argument("--run-id", required=True)
    ap.add_argument("--interval", type=float, required=True, help="resource sampling interval")
    ap.add_argument("--busy-timeout", type=float, required=True)
    ap.add_argument("--parent-pid", type=int, required=True)
    ap.add_argument("--debug", action="store_true")
    ap.add_argument("--log-dir", default="", help="where database_manager.log goes")
    ap.add_argument("--log-config", default="", help="a pickled LogConfig, in hex")
    ns = ap.parse_args(argv)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    reporter = _Reporter(1)
    logger.addHandler(reporter)
    logger.setLevel(logging.DEBUG if ns.debug else logging.INFO)
    logger.propagate = False
    if ns.log_dir:
        _start_logging(Path(ns.log_dir), ns.log_config)
    logger.info("monitoring writer for run %s started: database %s", ns.run_id, ns.db)
    inbox = Inbox(0, ns.parent_pid)
    inbox.start()
    try:
        service = _Service(ns, inbox, reporter)
    except sqlite3.Error as exc:
        logger.warning(
            "monitoring: the writer cannot open %s (%s); nothing is recorded", ns.db, exc
        )
        return 1
    service.serve()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
