"""Out-of-band buffers (serialize/buffers.py) and the frames that carry them (frames.py)."""

import pickle

import pytest

from conveyor.errors import ProtocolError
from conveyor.execution.run_task import FunctionCache, pack_call_frames, run_task
from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.frames import check_attached, split_frames
from conveyor.serialize.buffers import OOB_THRESHOLD, from_frames, to_frames
from conveyor.serialize.facade import serialize

BIG = OOB_THRESHOLD


class Block:
    """Hands its memory to pickle as numpy arrays do (a PickleBuffer at protocol 5)."""

    def __init__(self, data: bytearray | memoryview) -> None:
        self.data = data

    def __reduce_ex__(self, protocol: object) -> tuple[object, ...]:
        return (Block, (pickle.PickleBuffer(self.data),))


def test_large_bytes_like_values_leave_the_stream_and_come_back_as_themselves() -> None:
    blob = bytes(range(256)) * (BIG // 256)
    value = (blob, [bytearray(blob)], {"view": memoryview(blob), "small": b"x" * 10})
    stream, buffers = to_frames(value)
    assert len(buffers) == 3 and len(stream) < 1000
    back = from_frames(stream, [bytearray(b.raw()) for b in buffers])
    assert type(back[0]) is bytes and back[0] == blob
    assert type(back[1][0]) is bytearray and back[1][0] == blob
    assert type(back[2]["view"]) is memoryview and bytes(back[2]["view"]) == blob
    assert back[2]["small"] == b"x" * 10


def test_small_values_stay_in_the_stream() -> None:
    stream, buffers = to_frames((b"a" * (BIG - 1), Block(bytearray(100))))
    assert buffers == [] and len(stream) > BIG - 1


def test_an_object_that_gives_pickle_buffers_is_rebuilt_on_the_received_memory() -> None:
    received = bytearray(BIG)
    stream, buffers = to_frames(Block(bytearray(BIG)))
    assert len(buffers) == 1
    back = from_frames(stream, [received])
    back.data[0] = 9  # writable, and the very memory that was received
    assert received[0] == 9


def test_a_stream_without_its_buffers_is_a_deserialization_error() -> None:
    from conveyor.errors import DeserializationError

    stream, _ = to_frames(b"z" * BIG)
    with pytest.raises(DeserializationError):
        from_frames(stream, [])


def test_a_task_runs_on_out_of_band_arguments_and_returns_out_of_band_results() -> None:
    blob = b"q" * (2 * BIG)
    stream, buffers = pack_call_frames((blob,), {"tail": bytearray(b"t" * BIG)})
    assert len(buffers) == 2

    def join(a: bytes, tail: bytearray) -> bytes:
        return a + bytes(tail)

    ok, payload, out = run_task(
        FunctionCache(),
        b"h",
        serialize(join),
        stream,
        "here",
        [bytearray(b.raw()) for b in buffers],
    )
    assert ok and len(out) == 1
    assert from_frames(payload, [bytearray(b.raw()) for b in out]) == blob + b"t" * BIG


def test_plain_small_calls_keep_the_plain_path() -> None:
    stream, buffers = pack_call_frames((1, "a", b"b"), {})
    assert buffers == [] and stream[:2] == b"P1"


def test_only_a_single_item_carrier_may_have_frames() -> None:
    check_attached(p.Heartbeat(), 0)
    check_attached(p.Results([[1, True, b""]]), 2)
    with pytest.raises(ProtocolError, match="cannot carry"):
        check_attached(p.Heartbeat(), 1)
    with pytest.raises(ProtocolError, match="one item"):
        check_attached(p.Tasks([[1, b"h", b"", b"a"], [2, b"h", b"", b"a"]]), 1)


def test_split_frames_sends_items_with_buffers_alone_and_takes_their_buffers() -> None:
    items = [[1, True, b"a"], [2, True, b"b"], [3, True, b"c"]]
    table = {2: [b"buf1", b"buf2"]}
    out = split_frames(p.Results, items, table)
    assert table == {}
    assert [p.decode(m[0]) for m in out] == [
        p.Results([[1, True, b"a"], [3, True, b"c"]]),
        p.Results([[2, True, b"b"]]),
    ]
    assert out[1][1:] == [b"buf1", b"buf2"]
    assert split_frames(p.Results, items[:1], {}) == [[p.encode(p.Results(items[:1]))]]
