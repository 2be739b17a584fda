"""BufferLink's kept file: reused while the receiver holds no view, never overwritten under one."""

import gc
import multiprocessing as mp
import os
import socket
from collections.abc import Iterator

import pytest

from conveyor.executors.htex.pool.shm import KEEP, REUSE_LIMIT, BufferLink


@pytest.fixture
def pair() -> Iterator[tuple[BufferLink, BufferLink]]:
    a, b = mp.Pipe(duplex=True)
    sender, receiver = BufferLink(a), BufferLink(b)
    yield sender, receiver
    sender.close()
    receiver.close()
    a.close()
    b.close()


def _roundtrip(sender: BufferLink, receiver: BufferLink, buffers: list[bytes]) -> list[memoryview]:
    sender.send(buffers)
    return receiver.receive([len(b) for b in buffers])


def test_the_kept_file_carries_the_next_message_once_its_views_are_gone(
    pair: tuple[BufferLink, BufferLink],
) -> None:
    sender, receiver = pair
    for size in (1 << 20, 300_000, 1 << 20):  # smaller fits the kept file too
        blobs = [os.urandom(size), os.urandom(70_000)]
        got = _roundtrip(sender, receiver, blobs)
        assert [bytes(v) for v in got] == blobs
        del got
    assert sender.files_created == 1


def test_a_kept_view_is_never_overwritten(pair: tuple[BufferLink, BufferLink]) -> None:
    sender, receiver = pair
    first = os.urandom(1 << 20)
    kept = _roundtrip(sender, receiver, [first])[0][100:200]  # a task keeps a slice
    second = os.urandom(1 << 20)
    assert bytes(_roundtrip(sender, receiver, [second])[0]) == second
    assert bytes(kept) == first[100:200]
    assert sender.files_created == 2
    del kept
    gc.collect()
    third = os.urandom(1 << 20)
    assert bytes(_roundtrip(sender, receiver, [third])[0]) == third
    assert sender.files_created == 2  # the second file was free again (its views are gone)


def test_both_directions_keep_their_own_file(pair: tuple[BufferLink, BufferLink]) -> None:
    left, right = pair
    for _ in range(3):
        there = os.urandom(200_000)
        assert bytes(_roundtrip(left, right, [there])[0]) == there
        back = os.urandom(100_000)
        assert bytes(_roundtrip(right, left, [back])[0]) == back
    assert (left.files_created, right.files_created) == (1, 1)


def test_buffers_above_the_limit_get_a_file_of_their_own(
    pair: tuple[BufferLink, BufferLink],
) -> None:
    sender, receiver = pair
    small = os.urandom(100_000)
    assert bytes(_roundtrip(sender, receiver, [small])[0]) == small
    big = os.urandom(REUSE_LIMIT + 1)
    for _ in range(2):
        got = _roundtrip(sender, receiver, [big])
        assert bytes(got[0]) == big
        del got
    assert bytes(_roundtrip(sender, receiver, [small])[0]) == small
    assert sender.files_created == 3  # the kept small file outlived the two big ones


def test_a_reuse_without_a_kept_file_is_refused(pair: tuple[BufferLink, BufferLink]) -> None:
    sender, receiver = pair
    sender.sock.send(bytes([0x20]))
    with pytest.raises(OSError, match="never received"):
        receiver.receive([10])


def test_with_every_kept_file_busy_a_new_one_takes_a_slot(
    pair: tuple[BufferLink, BufferLink],
) -> None:
    sender, receiver = pair
    blobs = [os.urandom(200_000) for _ in range(KEEP + 2)]
    kept = [_roundtrip(sender, receiver, [blob])[0] for blob in blobs]  # none let go
    assert sender.files_created == KEEP + 2
    assert [bytes(v) for v in kept] == blobs  # replaced slots' files live on in their views
    del kept
    gc.collect()
    for _ in range(3):
        blob = os.urandom(200_000)
        assert bytes(_roundtrip(sender, receiver, [blob])[0]) == blob
    assert sender.files_created == KEEP + 2


def test_more_bytes_announced_than_sent_are_refused(pair: tuple[BufferLink, BufferLink]) -> None:
    sender, receiver = pair
    sender.send([os.urandom(100_000)])
    with pytest.raises(OSError, match="announced"):
        receiver.receive([200_000])


def test_a_closed_pipe_ends_the_receiver(pair: tuple[BufferLink, BufferLink]) -> None:
    sender, receiver = pair
    sender.sock.shutdown(socket.SHUT_WR)
    with pytest.raises(EOFError):
        receiver.receive([10])
