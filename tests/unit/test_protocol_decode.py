"""protocol.decode accepts exactly the messages of docs/protocol.md and rejects the rest."""

import msgpack
import pytest

from conveyor.errors import ProtocolError
from conveyor.executors.htex import protocol as p

SUBMIT_ITEM = [1, 0, 0, b"h", b"fn", b"args"]
TASK_ITEM = [1, b"h", b"", b"args"]


def raw(*values: object) -> bytes:
    return msgpack.packb(list(values), use_bin_type=True)


@pytest.mark.parametrize(
    "msg",
    [
        p.Submit([SUBMIT_ITEM, [*SUBMIT_ITEM[:5], b"x", {"num_nodes": 2}]]),
        p.Tasks([TASK_ITEM, [*TASK_ITEM, {"cores": 2}]]),
        p.Results([[7, True, b"r"], [8, False, b"e"]]),
        p.ManagerLost([1, 2], "ab", "host"),
        p.Register({"workers": 2}),
        p.RegisterAck(False, "why"),
        p.Heartbeat(),
        p.DrainBlocks(["0"]),
    ],
)
def test_valid_messages_round_trip(msg: p.Message) -> None:
    assert p.decode(p.encode(msg)) == msg


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        (b"\xc1garbage", "undecodable"),
        (raw("not a tag"), "not a tagged message"),
        (raw(250), "unknown message tag"),
        (raw(p.Tag.RESULTS), "needs 1 fields"),
        (raw(p.Tag.RESULTS, "not a list"), "Results.results must be list"),
        (raw(p.Tag.RESULTS, [[1, True]]), "wrong shape"),
        (raw(p.Tag.RESULTS, [(1, True, b"r", b"extra")]), "wrong shape"),
        (raw(p.Tag.RESULTS, ["item"]), "wrong shape"),
        (raw(p.Tag.RESULTS, [[1, 1, b"r"]]), "wrong type"),  # ok must be a bool, not an int
        (raw(p.Tag.RESULTS, [[True, True, b"r"]]), "wrong type"),  # a task id is no bool
        (raw(p.Tag.RESULTS, [[1, True, "text"]]), "wrong type"),
        (raw(p.Tag.TASKS, [[*TASK_ITEM, "not a dict"]]), "wrong type"),
        (raw(p.Tag.SUBMIT, [SUBMIT_ITEM[:5]]), "wrong shape"),
        (raw(p.Tag.MANAGER_LOST, [1, "2"], "ab", "host"), "task_ids must be ints"),
        (raw(p.Tag.REGISTER_ACK, "yes", "why"), "RegisterAck.ok must be bool"),
    ],
)
def test_malformed_frames_are_rejected_with_the_reason(frame: bytes, words: str) -> None:
    with pytest.raises(ProtocolError, match=words):
        p.decode(frame)


def test_one_bad_item_rejects_the_whole_batch() -> None:
    items = [[i, True, b"r"] for i in range(100)] + [[100, True, None]]
    with pytest.raises(ProtocolError):
        p.decode(raw(p.Tag.RESULTS, items))
