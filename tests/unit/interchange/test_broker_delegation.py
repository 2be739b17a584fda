"""The interchange delegating waiting dependents to the pool of their dependencies.

interchange/delegation.py, through BrokerState: which dependents go to a pool at once,
in what order, how they are counted, and how results, failures, losses and give-backs
settle them.
"""

from typing import Any

from test_broker import register

from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.interchange.state import CLIENT, BrokerState


def task(task_id: int, refs: list[int] | None = None, resources: Any = None) -> list[Any]:
    item: list[Any] = [task_id, 0, 0, b"f", b"fn" if task_id == 0 else b"", b"args"]
    return item if refs is None else [*item, resources or {}, refs]


def holding_state(workers: int = 2, **info: Any) -> BrokerState:
    state = BrokerState(60)
    register(state, b"pool", workers=workers, holds=True, **info)
    return state


def sent(out: list[tuple[bytes, p.Message]]) -> list[list[Any]]:
    return [t for _, msg in out if isinstance(msg, p.Tasks) for t in msg.tasks]


def test_a_chain_submitted_at_once_follows_its_first_task_in_one_message_in_order() -> None:
    state = holding_state()
    assert state.submit([task(0), task(1, [0]), task(2, [1]), task(3, [2])]) == []
    out = state.dispatch(0.0)
    assert len(out) == 1 and out[0][0] == b"pool"
    items = sent(out)
    assert [t[0] for t in items] == [0, 1, 2, 3]
    assert len(items[0]) == 4
    assert [t[4:] for t in items[1:]] == [[{}, [], [0]], [{}, [], [1]], [{}, [], [2]]]
    mgr = state.managers[b"pool"]
    assert mgr.in_flight == {0} and mgr.held == {1, 2, 3}, "held tasks take no slot"
    assert state.statistics(0.0)["delegated"] == 3


def test_a_dependent_arriving_after_its_dependency_was_dispatched_is_delegated_at_once() -> None:
    state = holding_state()
    state.submit([task(0)])
    sent(state.dispatch(0.0))
    out = state.submit([task(1, [0]), task(2, [1])])
    assert [(dest, [t[0] for t in sent([(dest, msg)])]) for dest, msg in out] == [(b"pool", [1, 2])]
    first, second = sent(out)
    assert first[5:] == [[], [0]] and second[5:] == [[], [1]]


def test_finished_dependencies_elsewhere_travel_as_pairs() -> None:
    state = holding_state()
    state.submit([task(0), task(1)])
    sent(state.dispatch(0.0))
    state.submit([task(9, [0])])  # references are in use from now on
    state.results(b"pool", [[1, True, b"r1"]], 0.0)
    (item,) = sent(state.submit([task(2, [0, 1])]))
    assert item[5:] == [[[1, b"r1"]], [0]]


def test_no_delegation_to_a_pool_that_cannot_hold_or_drains_or_for_tasks_that_are_not_plain() -> (
    None
):
    old = BrokerState(60)
    register(old, b"old", workers=2)  # no "holds" in its Register info
    old.submit([task(0), task(1, [0])])
    assert [t[0] for t in sent(old.dispatch(0.0))] == [0]
    state = holding_state()
    state.submit([task(0)])
    sent(state.dispatch(0.0))
    state.buffered = {2}
    out = state.submit([task(1, [0], resources={"cores": 1}), task(2, [0])])
    assert sent(out) == [], "a resources map or attached buffers keep a task here"
    state.drain(["0", ""])
    assert sent(state.submit([task(3, [0])])) == []
    assert state.statistics(0.0)["delegated"] == 0
    framed = holding_state()
    framed.buffered = {0}  # sent after the plain items of its message: nothing may follow it
    framed.submit([task(0), task(1, [0])])
    assert [t[0] for t in sent(framed.dispatch(0.0))] == [0]


def test_a_fan_in_over_two_pools_waits_in_the_interchange() -> None:
    state = BrokerState(60)
    register(state, b"a", workers=1, holds=True)
    register(state, b"b", workers=1, holds=True)
    state.submit([task(0), task(1), task(2, [0, 1])])
    dispatched = {dest: [t[0] for t in msg.tasks] for dest, msg in state.dispatch(0.0)}  # type: ignore[union-attr]
    assert sorted(dispatched.values()) == [[0], [1]]
    assert state.delegation.to == {}


def test_a_held_task_runs_on_its_pool_when_its_dependency_is_done_then_is_forgotten() -> None:
    state = holding_state()
    state.submit([task(0), task(1, [0])])
    sent(state.dispatch(0.0))
    mgr = state.managers[b"pool"]
    out = state.results(b"pool", [[0, True, b"r0"]], 0.0)
    assert out == [(CLIENT, p.Results([[0, True, b"r0"]]))], "nothing to send: the pool has it"
    assert mgr.in_flight == {1} and mgr.held == set()
    assert sent(state.dispatch(0.0)) == []
    state.results(b"pool", [[1, True, b"r1"]], 0.0)
    assert mgr.in_flight == set() and state.delegation.to == {}
    assert state.deps.refs == {} and state.deps.results == {} and state.deferred == {}


def test_a_dependency_and_its_dependent_in_one_results_message() -> None:
    state = holding_state()
    state.submit([task(0), task(1, [0]), task(2, [1])])
    sent(state.dispatch(0.0))
    state.results(b"pool", [[0, True, b"r0"], [1, True, b"r1"]], 0.0)
    mgr = state.managers[b"pool"]
    assert mgr.in_flight == {2} and mgr.held == set()
    state.results(b"pool", [[2, True, b"r2"]], 0.0)
    assert mgr.in_flight == set() and state.deps.refs == {} and state.deps.results == {}


def test_a_failed_dependency_fails_the_held_chain_after_its_result() -> None:
    state = holding_state()
    state.submit([task(0), task(1, [0]), task(2, [1]), task(3)])
    sent(state.dispatch(0.0))
    out = state.results(b"pool", [[0, False, b"err"]], 0.0)
    assert out[0] == (CLIENT, p.Results([[0, False, b"err"]]))
    refused = out[1][1]
    assert isinstance(refused, p.RefsFailed) and sorted(refused.task_ids) == [1, 2]
    assert state.managers[b"pool"].held == set() and state.delegation.to == {}


def test_a_result_with_buffers_makes_the_held_dependents_missing() -> None:
    state = holding_state()
    state.submit([task(0), task(1, [0]), task(2, [1])])
    sent(state.dispatch(0.0))
    out = state.results(b"pool", [[0, True, b"r"]], 0.0, unkept={0})
    assert out[1] == (CLIENT, p.RefsFailed([], [1, 2]))
    assert state.managers[b"pool"].held == set()


def test_a_lost_pool_reports_its_held_tasks_as_manager_lost_and_fails_dependents_elsewhere() -> (
    None
):
    state = BrokerState(60)
    register(state, b"pool", workers=1, holds=True)
    state.submit([task(0), task(1, [0]), task(2, [1])])
    sent(state.dispatch(0.0))
    register(state, b"other", workers=1)  # a dependent of 1 and of a task on "other" waits
    state.submit([task(3)])
    sent(state.dispatch(0.0))
    state.submit([task(4, [1, 3])])
    out = state.lose(b"pool", "test")
    lost = out[0][1]
    assert isinstance(lost, p.ManagerLost) and lost.task_ids == [0, 1, 2]
    assert out[1:] == [(CLIENT, p.RefsFailed([4], []))], "held tasks are lost, not failed"
    assert state.delegation.to == {} and state.deps.refs == {}


def test_a_given_back_task_is_dispatched_again_with_the_payloads_kept_for_it() -> None:
    state = holding_state()
    state.submit([task(0)])
    sent(state.dispatch(0.0))
    (held,) = sent(state.submit([task(1, [0]), task(2, [1])]))[:1]
    assert held[0] == 1
    # the pool had already sent 0's result when 1 reached it: it gives 1 (and 2) back
    state.results(b"pool", [[0, True, b"r0"]], 0.0)
    state.unheld(b"pool", [1, 2, 77])
    items = sent(state.dispatch(0.0))
    assert [t[0] for t in items] == [1, 2]
    assert items[0][5] == [[0, b"r0"]] and len(items[0]) == 6, "ordinary, with the pair"
    assert items[1][5:] == [[], [1]], "its dependent follows it, delegated again"
    assert state.statistics(0.0)["given_back"] == 2


def test_a_reference_just_after_its_dependency_finished_finds_the_result() -> None:
    state = holding_state()
    state.submit([task(0), task(1, [0])])
    sent(state.dispatch(0.0))
    state.results(b"pool", [[0, True, b"r0"]], 0.0)
    state.results(b"pool", [[1, True, b"r1"]], 0.0)
    assert state.submit([task(2, [1])]) == [], "not missing: 1's result is remembered"
    (item,) = sent(state.dispatch(0.0))
    assert item[0] == 2 and item[5] == [[1, b"r1"]]
    assert state.submit([task(3, [99])]) == [(CLIENT, p.RefsFailed([], [3]))]


def test_a_fan_in_on_one_pool_follows_its_last_dependency() -> None:
    state = holding_state(workers=1)  # capacity 1: 1 and 2 come in the burst
    state.submit([task(0), task(1), task(2), task(3, [0, 1, 2])])
    items = sent(state.dispatch(0.0))
    assert [t[0] for t in items] == [0, 1, 2, 3]
    assert items[3][5:] == [[], [0, 1, 2]]
    state.results(b"pool", [[0, True, b"r0"], [1, True, b"r1"]], 0.0)
    assert state.managers[b"pool"].held == {3}
    state.results(b"pool", [[2, True, b"r2"]], 0.0)
    assert state.managers[b"pool"].in_flight == {3} and state.managers[b"pool"].held == set()
