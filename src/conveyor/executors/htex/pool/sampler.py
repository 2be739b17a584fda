"""Monitoring in a pool: which worker runs which task when, and what its processes use.

Enabled when the pool's command line carries ``--extra monitoring_interval=SECONDS``
(the executor adds it when a MonitoringHub with resource monitoring is configured).
The manager calls :meth:`Sampler.tick` once per loop turn, just before it sends results:

- it compares each worker's task set with the last turn's: a task that appeared started
  (the time it was handed to the worker), one that disappeared ended; ended tries are sent
  in a Monitoring message at most every ``SEND_PERIOD`` while workers are busy, and at
  once when none is (the client remembers recently finished tasks for them: client.py);
- every ``interval`` seconds (never if 0) it samples each busy worker's process tree with
  psutil, attributed to the worker's oldest task, and reports tries still running.

Nothing here runs per task in the worker; the pool's cost is a set comparison per turn.
A worker given a batch of several tasks reports them all started when the batch was
handed over (the pool does not see inside the batch).
"""

from __future__ import annotations

import os
import platform
import socket
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from conveyor.executors.htex import protocol as p

if TYPE_CHECKING:  # imported when a sampler is made: pools without monitoring never load it
    import psutil

__all__ = ["Sampler", "sample_tree"]

_EXTRA_KEY = "monitoring_interval"
#: while workers are busy, ended tries wait this long to share one Monitoring message
SEND_PERIOD = 0.05


class _Slot(Protocol):
    rank: int
    process: Any
    tasks: set[int]


class Sampler:
    """Per-pool monitoring state; ``send`` is the manager's socket's send."""

    def __init__(self, interval: float, block_id: str, uid: str, workers: int) -> None:
        import psutil

        self.interval = interval
        self.next_sample = time.time() + interval if interval > 0 else float("inf")
        # sent whole in every message: the client may miss the first ones (it may connect
        # to the interchange after this pool does); it writes one node row per uid
        self.node: dict[str, Any] = {
            "hostname": socket.gethostname(),
            "block_id": block_id,
            "uid": uid,
            "timestamp": time.time(),
            "cpu_count": os.cpu_count() or 1,
            "total_memory": psutil.virtual_memory().total,
            "worker_count": workers,
            "python_v": platform.python_version(),
            "active": True,
        }
        self._first = True
        #: ended tries not sent yet, and when the next message may go
        self._ended: list[list[Any]] = []
        self._next_send = 0.0
        self._running: dict[int, set[int]] = {}
        self._started: dict[int, float] = {}
        self._procs: dict[int, psutil.Process] = {}

    @classmethod
    def from_extra(
        cls, extra: dict[str, str], block_id: str, uid: str, workers: int
    ) -> Sampler | None:
        """A sampler if the pool was asked to monitor, else None."""
        raw = extra.get(_EXTRA_KEY)
        return None if raw is None else cls(float(raw), block_id, uid, workers)

    def tick(self, workers: Iterable[_Slot], sock: Any) -> None:
        """Note started and ended tasks; sample when due; send a Monitoring message if any."""
        now = time.time()
        ended = self._ended
        ended += self._diff(workers, now)
        samples: list[list[Any]] = []
        if now >= self.next_sample:
            self.next_sample = now + self.interval
            samples = self._sample(workers, now)
            ended += [[tid, t, 0.0] for tid, t in self._started.items()]
        due = ended and (now >= self._next_send or not self._started)
        if due or samples or self._first:
            self._first, self._ended, self._next_send = False, [], now + SEND_PERIOD
            sock.send(p.encode(p.Monitoring(self.node, ended, samples)))

    def _diff(self, workers: Iterable[_Slot], now: float) -> list[list[Any]]:
        ended: list[list[Any]] = []
        for w in workers:
            before = self._running.get(w.rank, _EMPTY)
            now_running = w.tasks
            if now_running == before:
                continue
            for tid in now_running - before:
                self._started[tid] = now
            for tid in before - now_running:
                ended.append([tid, self._started.pop(tid, now), now])
            self._running[w.rank] = set(now_running)
        return ended

    def _sample(self, workers: Iterable[_Slot], now: float) -> list[list[Any]]:
        samples = []
        for w in workers:
            if not w.tasks:
                continue
            proc = self._process(w.process.pid)
            values = sample_tree(proc) if proc is not None else None
            if values is not None:
                samples.append([min(w.tasks), now, *values])
        return samples

    def _process(self, pid: int | None) -> psutil.Process | None:
        import psutil

        if pid is None:
            return None
        proc = self._procs.get(pid)
        if proc is None:
            try:
                proc = self._procs[pid] = psutil.Process(pid)
            except psutil.Error:
                return None
        return proc


_EMPTY: set[int] = set()


def sample_tree(proc: psutil.Process) -> list[Any] | None:
    """The resource table's psutil columns for ``proc`` and its descendants (summed).

    Order: pid, memory_percent, children_count, time_user, time_system, memory_virtual,
    memory_resident, disk_read, disk_write, status, cpu_num, ctx_switches_voluntary,
    ctx_switches_involuntary. None if the process is gone.
    """
    import psutil

    try:
        with proc.oneshot():
            tree = [proc, *proc.children(recursive=True)]
            status, cpu_num = proc.status(), str(proc.cpu_num())
    except psutil.Error:
        return None
    total = [0.0] * 9
    for member in tree:
        try:
            with member.oneshot():
                mem, times = member.memory_info(), member.cpu_times()
                io, ctx = member.io_counters(), member.num_ctx_switches()
                percent = member.memory_percent()
        except psutil.Error:
            continue
        for i, v in enumerate(
            (percent, times.user, times.system, mem.vms, mem.rss)
            + (io.read_bytes, io.write_bytes, ctx.voluntary, ctx.involuntary)
        ):
            total[i] += float(v)
    return [proc.pid, total[0], float(len(tree) - 1), *total[1:7], status, cpu_num, *total[7:]]
