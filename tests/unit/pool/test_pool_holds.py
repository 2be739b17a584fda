"""The pool's table of delegated tasks held until its workers finish what they await."""

from collections import deque
from typing import Any

from conveyor.executors.htex.pool.holds import RECENT, RECENT_MAX_BYTES, HoldTable


def item(task_id: int) -> list[Any]:
    return [task_id, b"f", b"", b"args", {}]


def everywhere(task_id: int) -> bool:
    return True


def test_a_held_chain_becomes_ready_link_by_link_with_its_pairs() -> None:
    table = HoldTable()
    assert table.hold(item(1), [], [0], everywhere) == "held"
    assert table.hold(item(2), [[7, b"r7"]], [1], lambda t: False) == "held", "1 is held here"
    assert table.finished(0, b"r0") == [item(1)]
    assert table.release(1) == [[0, b"r0"]]
    assert table.finished(1, b"r1") == [item(2)]
    assert table.release(2) == [[7, b"r7"], [1, b"r1"]]
    assert (table.tasks, table.pairs, table.awaiting, table.waiters) == ({}, {}, {}, {})


def test_a_task_awaiting_two_is_ready_after_both() -> None:
    table = HoldTable()
    table.hold(item(3), [], [1, 2], everywhere)
    assert table.finished(2, b"r2") == []
    assert table.finished(1, b"r1") == [item(3)]
    assert sorted(table.release(3)) == [[1, b"r1"], [2, b"r2"]]


def test_a_failed_dependency_drops_its_held_dependents_and_theirs() -> None:
    table = HoldTable()
    table.hold(item(1), [], [0], everywhere)
    table.hold(item(2), [], [1], everywhere)
    table.hold(item(3), [], [1, 5], everywhere)
    table.hold(item(4), [], [5], everywhere)
    assert table.finished(0, None) == []
    assert set(table.tasks) == {4} and table.waiters == {5: [4]}
    assert table.finished(5, b"r5") == [item(4)]


def test_a_task_awaiting_what_is_not_here_is_given_back_unless_it_is_recent() -> None:
    table = HoldTable()
    assert table.hold(item(1), [], [0], lambda t: False) == "back"
    assert table.tasks == {} and table.waiters == {}
    table.remember(0, b"r0")
    pairs: list[list[Any]] = []
    assert table.hold(item(1), pairs, [0], lambda t: False) == "ready"
    assert pairs == [[0, b"r0"]]
    assert table.hold(item(2), [], [0, 9], lambda t: t == 9) == "held"
    assert table.finished(9, b"r9") == [item(2)]
    assert sorted(table.release(2)) == [[0, b"r0"], [9, b"r9"]]


def test_only_the_last_small_payloads_are_remembered() -> None:
    table = HoldTable()
    table.remember(-1, b"x" * (RECENT_MAX_BYTES + 1))
    for task_id in range(RECENT + 10):
        table.remember(task_id, b"r")
    assert -1 not in table.recent and 0 not in table.recent
    assert len(table.recent) == RECENT and RECENT + 9 in table.recent


def test_settle_queues_ready_tasks_first_and_drops_those_of_unusable_results() -> None:
    table = HoldTable()
    table.hold(item(1), [], [0], everywhere)
    table.hold(item(2), [], [5], everywhere)
    table.hold(item(3), [], [6], everywhere)
    pending: deque[list[Any]] = deque([item(100)])
    refs: dict[int, list[Any]] = {}
    table.settle([[0, True, b"r0"], [5, True, b"big"], [6, False, b"err"]], {5}, pending, refs)
    assert list(pending) == [item(1), item(100)] and refs == {1: [[0, b"r0"]]}
    assert table.tasks == {} and 5 not in table.recent and table.recent[0] == b"r0"
