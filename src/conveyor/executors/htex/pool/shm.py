"""Large buffers between the pool manager and a worker through shared memory, not the pipe.

A worker's pipe is a Unix socket pair: moving a MiB through it costs about a millisecond
of small copies and wake-ups, several times a memcpy. So the buffers of one message go
into one anonymous shared-memory file (``memfd_create``), whose descriptor crosses the
pipe in a single byte's ancillary data (SCM_RIGHTS); the receiver maps it and reads the
buffers in place. Each message gets its own file: nothing is reused, so an array a task
keeps stays valid, and the memory goes when the last view of it does.
"""

from __future__ import annotations

import mmap
import os
import socket
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["BufferLink"]


class BufferLink:
    """Sends and receives out-of-band buffers beside one end of a worker pipe."""

    def __init__(self, conn: Connection) -> None:
        # a second handle on the pipe's socket (send_fds/recv_fds need a socket object);
        # the Connection keeps its own descriptor and framing
        self.sock = socket.socket(fileno=os.dup(conn.fileno()))

    def send(self, buffers: list[Any]) -> None:
        """Copy ``buffers`` into a fresh shared-memory file and pass its descriptor."""
        views = [memoryview(b).cast("B") for b in buffers]
        total = sum(v.nbytes for v in views)
        fd = os.memfd_create("conveyor-buffers", os.MFD_CLOEXEC)
        try:
            os.ftruncate(fd, total)
            with mmap.mmap(fd, total) as region:
                offset = 0
                for view in views:
                    region[offset : offset + view.nbytes] = view
                    offset += view.nbytes
            socket.send_fds(self.sock, [b"B"], [fd])
        finally:
            os.close(fd)

    def receive(self, sizes: list[int]) -> list[memoryview]:
        """The buffers of ``sizes`` the peer sent, as views of its (writable) mapping."""
        _, fds, _, _ = socket.recv_fds(self.sock, 1, 1)
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise OSError("expected one shared-memory descriptor on the worker pipe")
        try:
            region = mmap.mmap(fds[0], sum(sizes))
        finally:
            os.close(fds[0])
        whole = memoryview(region)
        views, offset = [], 0
        for size in sizes:
            views.append(whole[offset : offset + size])
            offset += size
        return views

    def receive_each(self, sizes: dict[int, list[int]]) -> dict[int, list[memoryview]]:
        """:meth:`receive` for several items at once: task id -> its buffers' sizes."""
        if not sizes:
            return {}
        views = iter(self.receive([n for item_sizes in sizes.values() for n in item_sizes]))
        return {task_id: [next(views) for _ in item_sizes] for task_id, item_sizes in sizes.items()}

    def close(self) -> None:
        """Close this handle (the pipe itself stays open)."""
        self.sock.close()
