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

#: Linux's MAP_POPULATE (0 where the platform has none)
_POPULATE = getattr(mmap, "MAP_POPULATE", 0)
#: most buffers one writev call takes
_IOV_MAX = os.sysconf("SC_IOV_MAX")


class BufferLink:
    """Sends and receives out-of-band buffers beside one end of a worker pipe."""

    def __init__(self, conn: Connection) -> None:
        # a second handle on the pipe's socket (send_fds/recv_fds need a socket object);
        # the Connection keeps its own descriptor and framing
        self.sock = socket.socket(fileno=os.dup(conn.fileno()))

    def send(self, buffers: list[Any]) -> None:
        """Copy ``buffers`` into a fresh shared-memory file and pass its descriptor.

        The file is written with ``writev`` (the kernel copies into its pages: no page
        fault per 4 KiB in this process, as writing through a fresh mapping would take).
        """
        views = [memoryview(b).cast("B") for b in buffers]
        fd = os.memfd_create("conveyor-buffers", os.MFD_CLOEXEC)
        try:
            _write_all(fd, views)
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
        total = sum(sizes)
        region: mmap.mmap | bytearray = bytearray()  # nothing to map: all of them are empty
        try:  # mapped with its pages in place at once, not one fault per 4 KiB on use
            if total:
                region = mmap.mmap(fds[0], total, flags=mmap.MAP_SHARED | _POPULATE)
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


def _write_all(fd: int, views: list[memoryview]) -> None:
    """``os.writev`` until every byte of ``views`` is in the file (writes may be partial)."""
    while views:
        written = os.writev(fd, views[:_IOV_MAX])
        while views and written >= views[0].nbytes:
            written -= views[0].nbytes
            views = views[1:]
        if views and written:
            views = [views[0][written:], *views[1:]]
