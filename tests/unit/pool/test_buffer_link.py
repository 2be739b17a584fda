"""BufferLink: buffers cross a real socket pair in a memfd whose descriptor is passed."""

import multiprocessing as mp
import os

from conveyor.executors.htex.pool.shm import BufferLink


def _pair() -> tuple[BufferLink, BufferLink, list[object]]:
    a, b = mp.Pipe(duplex=True)
    return BufferLink(a), BufferLink(b), [a, b]


def test_many_buffers_of_every_size_arrive_intact() -> None:
    sender, receiver, keep = _pair()
    buffers = [os.urandom(i % 3000) for i in range(1500)]  # more than one writev takes
    buffers += [bytearray(os.urandom(3 << 20)), memoryview(os.urandom(70_000))]
    sender.send(buffers)
    got = receiver.receive([len(b) for b in buffers])
    assert [bytes(v) for v in got] == [bytes(b) for b in buffers]
    got[-1][:3] = b"abc"  # the views are writable
    assert bytes(got[-1][:3]) == b"abc"
    for link in (sender, receiver):
        link.close()
    del keep


def test_empty_buffers_only() -> None:
    sender, receiver, keep = _pair()
    sender.send([b"", bytearray()])
    assert [bytes(v) for v in receiver.receive([0, 0])] == [b"", b""]
    sender.close()
    receiver.close()
    del keep
