"""Large buffers between the pool manager and a worker through shared memory, not the pipe.

A worker's pipe is a Unix socket pair: moving a MiB through it costs about a millisecond
of small copies and wake-ups, several times a memcpy. So the buffers of one message go
into an anonymous shared-memory file (``memfd_create``) after a one-page header; the
receiver maps it and reads the buffers in place. A new file's descriptor crosses the pipe
in a single byte's ancillary data (SCM_RIGHTS); the byte says what it is:

    NEW + k, fd   a new file, kept by both ends in slot k (< KEEP) for the next messages
    REUSE + k     the file in slot k again: the sender wrote the new buffers over the old
    ONCE, fd      a file for this message only (buffers above REUSE_LIMIT)

Reusing a file saves what dominates a fresh one: allocating, zeroing, mapping and freeing
its pages (about 0.6 ms per MiB here, against 0.1 ms for the copy). The header's first
byte says whether the receiver still uses the buffers: the sender sets it busy with every
message, and the receiver clears it when the last view of that message's buffers is gone
(a weakref finalizer on the object the views are cut from). So a task that keeps its
argument (a numpy array, a memoryview) keeps its memory: the sender sees the file busy
and uses another, and the old file goes when the last view of it does. There are KEEP
slots because a result's views stay busy in the manager until ZeroMQ has sent them,
which may be after the worker's next result; at most KEEP files of up to REUSE_LIMIT
each are kept per direction and worker.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import socket
import weakref
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["HEADER", "KEEP", "REUSE_LIMIT", "BufferLink"]

#: Linux's MAP_POPULATE (0 where the platform has none)
_POPULATE = getattr(mmap, "MAP_POPULATE", 0)
#: most buffers one writev call takes
_IOV_MAX = os.sysconf("SC_IOV_MAX")
#: bytes before the first buffer in a file (its first byte: busy 1, free 0)
HEADER = mmap.PAGESIZE
#: messages whose buffers add up to at most this many bytes use the kept files
REUSE_LIMIT = 16 << 20
#: kept files per direction
KEEP = 2
_NEW, _REUSE, _ONCE = 0x10, 0x20, 0x30
_BUSY_HEADER = b"\x01" + bytes(HEADER - 1)


class BufferLink:
    """Sends and receives out-of-band buffers beside one end of a worker pipe."""

    def __init__(self, conn: Connection) -> None:
        # a second handle on the pipe's socket (send_fds/recv_fds need a socket object);
        # the Connection keeps its own descriptor and framing
        self.sock = socket.socket(fileno=os.dup(conn.fileno()))
        #: the kept files this end writes, mapped here, by slot
        self._out: list[mmap.mmap] = []
        #: the kept files the peer writes, mapped here, by slot
        self._in: dict[int, mmap.mmap] = {}
        #: how many files this end has created (a message reusing the kept one adds none)
        self.files_created = 0

    def send(self, buffers: list[Any]) -> None:
        """Copy ``buffers`` into a kept file the peer is done with, else into a new one."""
        views = [memoryview(b).cast("B") for b in buffers]
        total = sum(v.nbytes for v in views)
        for slot, out in enumerate(self._out):
            if HEADER + total <= len(out) and out[0] == 0:
                out[0] = 1
                offset = HEADER
                for view in views:
                    out[offset : offset + view.nbytes] = view
                    offset += view.nbytes
                self.sock.send(bytes([_REUSE + slot]))
                return
        self._send_file(views, self._slot_for_new() if total <= REUSE_LIMIT else None)

    def _slot_for_new(self) -> int:
        """The slot for a new kept file: an empty one, a free (too small) one, or any."""
        if len(self._out) < KEEP:
            return len(self._out)
        free = [slot for slot, out in enumerate(self._out) if out[0] == 0]
        return free[0] if free else self.files_created % KEEP

    def _send_file(self, views: list[memoryview], slot: int | None) -> None:
        """A fresh file holding ``views``, written with ``writev`` (no page faults here).

        It is kept in ``slot``, unless that is None (a file for this message only).
        """
        fd = os.memfd_create("conveyor-buffers", os.MFD_CLOEXEC)
        self.files_created += 1
        try:
            _write_all(fd, [memoryview(_BUSY_HEADER), *views])
            if slot is not None:  # mapped now, while its pages are warm, for the next messages
                region = _map(fd)
                if slot < len(self._out):
                    self._out[slot].close()
                    self._out[slot] = region
                else:
                    self._out.append(region)
            socket.send_fds(self.sock, [bytes([_ONCE if slot is None else _NEW + slot])], [fd])
        finally:
            os.close(fd)

    def receive(self, sizes: list[int]) -> list[memoryview]:
        """The buffers of ``sizes`` the peer sent, as views of its (writable) mapping."""
        data, fds, _, _ = socket.recv_fds(self.sock, 1, 1)
        if not data:
            raise EOFError("the worker pipe closed")
        kind, slot = data[0] & 0xF0, data[0] & 0x0F
        try:
            if (kind == _REUSE) == bool(fds) or len(fds) > 1 or kind not in (_NEW, _ONCE, _REUSE):
                raise OSError(f"malformed buffer message {data!r} with {len(fds)} descriptors")
            region = self._in.get(slot) if kind == _REUSE else _map(fds[0])
        finally:
            for fd in fds:
                os.close(fd)
        total = sum(sizes)
        if region is None:
            raise OSError("buffers sent in a kept file this end never received")
        if HEADER + total > len(region):
            raise OSError(f"{total} bytes of buffers announced, {len(region) - HEADER} sent")
        if kind == _ONCE:
            whole = memoryview(region)[HEADER : HEADER + total]
        else:
            self._in[slot] = region
            whole = _lend(region, total)
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
        """Close this handle (the pipe itself stays open; lent buffers stay valid)."""
        self.sock.close()
        for region in self._out:
            region.close()
        self._out, self._in = [], {}


def _map(fd: int) -> mmap.mmap:
    """The whole file, mapped shared with its pages in place (no fault per 4 KiB on use)."""
    return mmap.mmap(fd, os.fstat(fd).st_size, flags=mmap.MAP_SHARED | _POPULATE)


def _lend(region: mmap.mmap, total: int) -> memoryview:
    """``total`` bytes after the header; the header says free once no view of them is left."""
    if not total:
        region[0] = 0
        return memoryview(b"")
    lent = (ctypes.c_char * total).from_buffer(region, HEADER)
    done = weakref.finalize(lent, _mark_free, region)
    done.atexit = False
    return memoryview(lent).cast("B")


def _mark_free(region: mmap.mmap) -> None:
    if not region.closed:
        region[0] = 0


def _write_all(fd: int, views: list[memoryview]) -> None:
    """``os.writev`` until every byte of ``views`` is in the file (writes may be partial)."""
    while views:
        written = os.writev(fd, views[:_IOV_MAX])
        while views and written >= views[0].nbytes:
            written -= views[0].nbytes
            views = views[1:]
        if views and written:
            views = [views[0][written:], *views[1:]]
