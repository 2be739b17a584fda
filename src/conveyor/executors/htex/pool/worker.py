"""Worker process: receive tasks from its manager over a pipe, run them, send results.

    manager --Pipe: msgpack [[task_id, fn_hash, fn_bytes, args], ...]--> worker
    worker  --Pipe: msgpack [[task_id, ok, payload], ...]-------------> manager

A batch holds one task unless the pool has more queued than idle workers.
"""

from __future__ import annotations

import os
import socket
from multiprocessing.connection import Connection

import msgpack

from conveyor.execution.run_task import FunctionCache, run_task
from conveyor.executors.htex.lifeline import die_with_parent

__all__ = ["worker_main"]


def worker_main(
    conn: Connection, rank: int, env: dict[str, str], cpus: list[int] | None, block_id: str
) -> None:
    """Serve tasks until the pipe closes."""
    die_with_parent()
    os.environ.update(env)
    os.environ["PARSL_WORKER_RANK"] = str(rank)
    os.environ["PARSL_WORKER_BLOCK_ID"] = block_id
    if cpus:
        os.sched_setaffinity(0, cpus)
    origin = f"host={socket.gethostname()} block={block_id} worker={rank} pid={os.getpid()}"
    cache = FunctionCache()
    pack = msgpack.Packer(use_bin_type=True).pack
    while True:
        try:
            raw = conn.recv_bytes()
        except (EOFError, OSError):
            return
        results = []
        for task_id, fn_hash, fn_bytes, args in msgpack.unpackb(raw):
            ok, payload = run_task(cache, fn_hash, fn_bytes, args, origin)
            results.append([task_id, ok, payload])
        conn.send_bytes(pack(results))
