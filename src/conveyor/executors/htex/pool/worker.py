"""Worker process: receive tasks from its manager over a pipe, run them, send results.

    manager --Pipe: msgpack [[task_id, fn_hash, fn_bytes, args, task_env], ...]--> worker
    worker  --Pipe: msgpack [[task_id, ok, payload], ...]-----------------------> manager

A task item with out-of-band buffers (serialize/buffers.py) has a sixth element, the
buffers' sizes (maybe empty), and a result item a fourth; a task item with dependency
results (execution/refs.py) has a seventh, their ``[task_id, payload]`` pairs; the buffers of a message follow it in one
shared-memory file (shm.py), in item order. They are writable, so numpy arrays rebuilt
on them are too, as in-band ones are. The worker drops its references to them before it
replies, so their file can carry the next batch's buffers unless a task kept one.

A batch holds one task unless the pool has more queued than idle workers. ``task_env``
(a dict, possibly empty) is set in the environment while that task runs (the MPI
variables, or a task's own CPUs and GPUs; ``GOMP_CPU_AFFINITY`` there also pins the
worker to those CPUs for the task). A task that raises ``SystemExit`` ends the worker, as in Parsl: the results
of the batch so far are sent, the tasks not started go back as 4-element items
``[task_id, fn_hash, fn_bytes, args]`` for the manager to queue again, and the worker
exits, so the manager reports ``WorkerLost`` for the task and starts a replacement.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Callable, Iterator, Mapping
from multiprocessing.connection import Connection
from typing import Any

import msgpack

from conveyor.execution.run_task import FunctionCache, run_task
from conveyor.executors.htex.lifeline import die_with_parent
from conveyor.executors.htex.pool.shm import BufferLink

__all__ = ["ExitGuard", "worker_main"]


class ExitGuard(FunctionCache):
    """A FunctionCache whose functions note a ``SystemExit`` before it propagates."""

    def __init__(self) -> None:
        super().__init__()
        self.exit_code: object = None
        self.exited = False

    def get(self, fn_hash: bytes, fn_bytes: bytes) -> Callable[..., Any]:
        fn = super().get(fn_hash, fn_bytes)

        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except SystemExit as exc:
                self.exited, self.exit_code = True, exc.code
                raise

        return guarded


@contextlib.contextmanager
def _task_environment(task_env: Mapping[str, str]) -> Iterator[None]:
    """``task_env`` added to os.environ while the task runs; the previous values restored."""
    if not task_env:
        yield
        return
    saved = {k: os.environ.get(k) for k in task_env}
    os.environ.update(task_env)
    cpus = task_env.get("GOMP_CPU_AFFINITY")
    before = os.sched_getaffinity(0)
    if cpus:  # the task's own CPUs (per-task cores): pinned while it runs
        os.sched_setaffinity(0, [int(c) for c in cpus.split(",")])
    try:
        yield
    finally:
        if cpus:
            os.sched_setaffinity(0, before)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def worker_main(conn: Connection, env: dict[str, str], cpus: list[int] | None) -> None:
    """Serve tasks until the pipe closes (or a task raises SystemExit)."""
    die_with_parent()
    os.environ.update(env)
    if cpus:
        os.sched_setaffinity(0, cpus)
    origin = (
        f"host={socket.gethostname()} block={env.get('PARSL_WORKER_BLOCK_ID')} "
        f"worker={env.get('PARSL_WORKER_RANK')} pid={os.getpid()}"
    )
    cache = ExitGuard()
    link = BufferLink(conn)
    while True:
        try:
            batch, buffers = _receive(conn, link)
        except (EOFError, OSError):
            return
        results: list[list[Any]] = []
        out: list[Any] = []
        for i, (task_id, fn_hash, fn_bytes, args, task_env, *tail) in enumerate(batch):
            with _task_environment(task_env):
                refs = tail[1] if len(tail) > 1 else None
                ok, payload, oob = run_task(
                    cache, fn_hash, fn_bytes, args, origin, buffers.get(task_id), refs
                )
            if cache.exited:
                results += [item[:4] for item in batch[i + 1 :]]
                _send(conn, link, results, out)
                os._exit(cache.exit_code if isinstance(cache.exit_code, int) else 1)
            if oob:
                results.append([task_id, ok, payload, [b.raw().nbytes for b in oob]])
                out += oob
            else:
                results.append([task_id, ok, payload])
        # the arguments' views go before the results do: the manager may reuse their file
        # for the next batch as soon as it has the results (shm.py)
        del buffers
        _send(conn, link, results, out)


def _receive(
    conn: Connection, link: BufferLink
) -> tuple[list[list[Any]], dict[int, list[memoryview]]]:
    """One batch from the manager, and the buffers of its items that have some."""
    batch: list[list[Any]] = msgpack.unpackb(conn.recv_bytes())
    sizes = {item[0]: item[5] for item in batch if len(item) > 5 and item[5]}
    return batch, link.receive_each(sizes)


def _send(conn: Connection, link: BufferLink, results: list[list[Any]], buffers: list[Any]) -> None:
    """Results to the manager, then their out-of-band buffers."""
    conn.send_bytes(_PACK(results))
    if buffers:
        link.send([buf.raw() for buf in buffers])


_PACK = msgpack.Packer(use_bin_type=True).pack
