"""The interchange holding tasks sent with dependency references (interchange/deps.py)."""

from typing import Any

from test_broker import register

from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.interchange.deps import DependencyTable
from conveyor.executors.htex.interchange.state import CLIENT, BrokerState


def task(task_id: int, refs: list[int] | None = None) -> list[Any]:
    item: list[Any] = [task_id, 0, 0, b"f", b"fn" if task_id == 0 else b"", b"args"]
    return item if refs is None else [*item, {}, refs]


def sent(state: BrokerState) -> list[list[Any]]:
    return [t for _, msg in state.dispatch(0.0) if isinstance(msg, p.Tasks) for t in msg.tasks]


def test_a_dependent_waits_then_goes_with_its_dependencies_results() -> None:
    state = BrokerState(60)
    register(state, b"pool", workers=4)
    assert state.submit([task(0), task(1), task(2, [0, 1])]) == []
    assert [t[0] for t in sent(state)] == [0, 1]
    out = state.results(b"pool", [[0, True, b"r0"]], 0.0)
    assert out == [(CLIENT, p.Results([[0, True, b"r0"]]))] and sent(state) == []
    state.results(b"pool", [[1, True, b"r1"]], 0.0)
    (item,) = sent(state)
    assert item[0] == 2 and item[5] == [[0, b"r0"], [1, b"r1"]]
    assert state.deps.results == {} and state.deps.refs == {}, "payloads kept only as needed"


def test_a_failed_dependency_fails_its_dependents_and_theirs_after_its_result() -> None:
    state = BrokerState(60)
    register(state, b"pool", workers=4)
    state.submit([task(0), task(1, [0]), task(2, [1]), task(3)])
    sent(state)
    out = state.results(b"pool", [[0, False, b"err"]], 0.0)
    assert out[0] == (CLIENT, p.Results([[0, False, b"err"]]))
    assert out[1][1] == p.RefsFailed(sorted(out[1][1].task_ids), [])  # type: ignore[union-attr]
    assert sorted(out[1][1].task_ids) == [1, 2]  # type: ignore[union-attr]
    assert 1 not in state.tasks and 2 not in state.tasks


def test_a_reference_to_a_task_not_held_here_is_missing() -> None:
    state = BrokerState(60)
    register(state, b"pool", workers=4)
    state.submit([task(0)])
    sent(state)
    state.results(b"pool", [[0, True, b"r"]], 0.0)  # gone by when the reference arrives
    assert state.submit([task(1, [0]), task(2, [99])]) == [(CLIENT, p.RefsFailed([], [1, 2]))]
    assert state.tasks == {}


def test_a_lost_pool_fails_the_dependents_of_its_tasks() -> None:
    state = BrokerState(60)
    register(state, b"pool", workers=4)
    state.submit([task(0), task(1, [0])])
    sent(state)
    out = state.lose(b"pool", "test")
    assert isinstance(out[0][1], p.ManagerLost) and out[1] == (CLIENT, p.RefsFailed([1], []))


def test_results_with_attached_buffers_make_their_dependents_missing() -> None:
    state = BrokerState(60)
    register(state, b"pool", workers=4)
    state.submit([task(0), task(1, [0]), task(2, [1])])
    sent(state)
    out = state.results(b"pool", [[0, True, b"r"]], 0.0, unkept={0})
    assert out[1] == (CLIENT, p.RefsFailed([], [1, 2]))


def test_table_keeps_a_payload_for_every_dependent_then_releases_it() -> None:
    table = DependencyTable()
    live = {1}.__contains__
    assert table.add(10, [1], live) == "waiting"
    assert table.add(11, [1, 1], live) == "waiting"
    settled = table.finished(1, True, b"p")
    assert sorted(settled.ready) == [10, 11]
    assert table.take(10) == [[1, b"p"]]
    assert table.results == {1: b"p"}
    assert table.take(11) == [[1, b"p"]]
    assert table.results == {}
