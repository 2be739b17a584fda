"""Large payloads through a real HTEX as out-of-band frames: types kept, failures reported."""

import os
import pickle
import signal
import time
from pathlib import Path

from htexkit import wait_until

from conveyor.errors import WorkerLost
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.serialize.buffers import OOB_THRESHOLD

MIB = 1 << 20


class Block:
    """Hands its memory to pickle as numpy arrays do; notes whether it came back writable."""

    def __init__(self, data: bytearray | memoryview) -> None:
        self.data = data

    def __reduce_ex__(self, protocol: object) -> tuple[object, ...]:
        return (Block, (pickle.PickleBuffer(self.data),))


def echo(x: object) -> object:
    return x


def stamp(block: Block) -> tuple[Block, bool]:
    writable = not memoryview(block.data).readonly
    block.data[0] = 42
    return block, writable


def fail_on(blob: bytes) -> None:
    raise ValueError(f"refused {len(blob)} bytes")


def wait_then_echo(flag: str, blob: bytes) -> bytes:
    import os as _os
    import time as _time

    with open(flag + ".tmp", "w") as f:
        f.write(str(_os.getpid()))
    _os.rename(flag + ".tmp", flag)
    _time.sleep(60)
    return blob


def test_large_values_round_trip_with_their_types(htex: HighThroughputExecutor) -> None:
    blob = os.urandom(3 * MIB)
    cases = [blob, bytearray(blob), (blob, {"k": [blob]}), b"x" * (OOB_THRESHOLD - 1)]
    for value in cases:
        assert htex.submit(echo, {}, value).result(timeout=60) == value
    view = htex.submit(echo, {}, memoryview(blob)).result(timeout=60)
    assert type(view) is memoryview and bytes(view) == blob


def test_buffers_arrive_writable_and_in_order_among_many(htex: HighThroughputExecutor) -> None:
    blocks = [Block(bytearray([i]) * (2 * OOB_THRESHOLD)) for i in range(20)]
    futures = [htex.submit(stamp, {}, b) for b in blocks]
    for i, f in enumerate(futures):
        back, writable = f.result(timeout=60)
        assert writable, "an argument rebuilt on received memory must be writable"
        data = bytes(back.data)
        assert data[0] == 42 and set(data[1:]) == {i}


def test_a_task_failing_on_a_large_argument_reports_its_error(
    htex: HighThroughputExecutor,
) -> None:
    error = htex.submit(fail_on, {}, b"e" * (2 * MIB)).exception(timeout=60)
    assert isinstance(error, ValueError) and "refused 2097152 bytes" in str(error)
    assert htex.submit(echo, {}, b"ok" * MIB).result(timeout=60) == b"ok" * MIB


def test_a_worker_killed_holding_large_arguments_is_reported_and_the_pool_goes_on(
    htex: HighThroughputExecutor, tmp_path: Path
) -> None:
    flag = tmp_path / "started"
    victim = htex.submit(wait_then_echo, {}, str(flag), b"v" * (4 * MIB))
    assert wait_until(flag.exists, timeout=60)
    time.sleep(0.2)
    os.kill(int(flag.read_text()), signal.SIGKILL)
    assert isinstance(victim.exception(timeout=60), WorkerLost)
    again = os.urandom(2 * MIB)
    assert htex.submit(echo, {}, again).result(timeout=60) == again
