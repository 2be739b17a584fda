"""The interchange's broker state, fed messages directly: priorities, walltimes, registration."""

from typing import Any

from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.interchange.state import BrokerState, expected_versions


def register(state: BrokerState, name: bytes, workers: int = 1, **info: Any) -> None:
    out = state.register(name, {**expected_versions(), "workers": workers, **info}, now=0.0)
    assert out == [(name, p.RegisterAck(True, ""))]


def task(task_id: int, priority: int = 0, walltime_s: float = 0) -> list[Any]:
    return [task_id, priority, int(walltime_s * 1000), b"f", b"fn" if task_id == 0 else b"", b"a"]


def dispatched(state: BrokerState, now: float = 0.0) -> dict[bytes, list[int]]:
    return {m: [t[0] for t in msg.tasks] for m, msg in state.dispatch(now)}  # type: ignore[union-attr]


def test_lower_priority_first_then_submission_order() -> None:
    state = BrokerState(heartbeat_threshold=10)
    state.submit([task(0, 5), task(1, 1), task(2, 5), task(3, 1)])
    register(state, b"m", workers=4)
    assert dispatched(state) == {b"m": [1, 3, 0, 2]}


def test_a_pool_near_its_end_gets_only_tasks_that_fit() -> None:
    state = BrokerState(heartbeat_threshold=10)
    register(state, b"ending", workers=4, seconds_left=30.0)
    state.submit([task(0, 0, walltime_s=60), task(1, 1, walltime_s=10), task(2, 2), task(3, 3, 45)])
    assert dispatched(state, now=5.0) == {b"ending": [1, 2]}
    assert [entry[2] for entry in sorted(state.queue)] == [0, 3]
    register(state, b"fresh", workers=4)
    assert dispatched(state, now=6.0) == {b"fresh": [0, 3]}
    assert not state.queue and not state.walltimes


def test_a_task_that_fits_nowhere_stays_queued() -> None:
    state = BrokerState(heartbeat_threshold=10)
    register(state, b"ending", workers=2, seconds_left=5.0)
    state.submit([task(0, walltime_s=50)])
    assert dispatched(state) == {}
    assert len(state.queue) == 1


def test_registration_with_a_bad_worker_count_or_versions_is_refused() -> None:
    state = BrokerState(heartbeat_threshold=10)
    out = state.register(b"x", {**expected_versions(), "workers": "many"}, now=0.0)
    assert out[0][1] == p.RegisterAck(False, "registration lacks a valid worker count")
    out = state.register(b"y", {**expected_versions(), "python": "2.7", "workers": 1}, now=0.0)
    assert isinstance(out[0][1], p.RegisterAck) and not out[0][1].ok
    assert "version mismatch" in out[0][1].reason


def test_full_pools_wait_until_their_results_free_room() -> None:
    from conveyor.executors.htex.interchange.state import BURST_PER_WORKER

    state = BrokerState(heartbeat_threshold=10)
    for name in (b"a", b"b", b"c"):
        register(state, name, workers=1, block_id="0")
    limit = 1 + BURST_PER_WORKER  # capacity plus burst of a one-worker pool
    state.submit([task(i) for i in range(3 * limit + 5)])
    first = dispatched(state)
    assert sorted(len(ids) for ids in first.values()) == [limit] * 3
    assert dispatched(state) == {}  # every pool is full: nothing moves, 5 stay queued
    done = [[first[b"b"][0], True, b"r"], [first[b"b"][1], True, b"r"]]
    state.results(b"b", done, now=1.0)
    assert {m: len(ids) for m, ids in dispatched(state).items()} == {b"b": 2}
    state.lose(b"c", "test")
    state.drain(["0"])  # every pool of block "0" (all of them here) drains
    state.results(b"a", [[first[b"a"][0], True, b"r"]], now=2.0)
    assert dispatched(state) == {}  # a draining pool gets nothing, room or not
    assert len(state.queue) == 3
