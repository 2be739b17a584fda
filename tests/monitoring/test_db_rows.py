"""The row builder on real kernel stories (no threads, no SQL)."""

from __future__ import annotations

from collections import deque
from typing import Any

from conveyor.app.call import AppCall, AppOptions
from conveyor.kernel.observe import TransitionObserver
from conveyor.kernel.record import Attempt
from conveyor.kernel.states import TaskState as S
from conveyor.kernel.transitions import TaskRecord, record_entry, transition
from conveyor.monitoring.rows import PoolTry, RowBuilder

RUN = "run-1"


def _observed() -> tuple[TaskRecord, TransitionObserver]:
    observer = TransitionObserver(deque())
    rec = TaskRecord(7, AppCall(len, (), {}, AppOptions(), func_name="f"))
    record_entry(rec, None, S.PENDING, "Submitted")
    observer.moved(rec, S.PENDING)
    return rec, observer


def _move(rec: TaskRecord, observer: TransitionObserver, to: S) -> None:
    transition(rec, to, "test")
    observer.moved(rec, to)


def _launch(rec: TaskRecord, observer: TransitionObserver) -> None:
    _move(rec, observer, S.READY)
    rec.executor = "htex"
    rec.attempts = (*rec.attempts, Attempt(len(rec.attempts), "htex", 0.0))
    _move(rec, observer, S.LAUNCHED)


def _retried_then_failed() -> tuple[TaskRecord, TransitionObserver]:
    rec, observer = _observed()
    _launch(rec, observer)
    rec.fail_count, rec.fail_history = 1, ("ValueError('a')",)
    _move(rec, observer, S.PENDING)
    _launch(rec, observer)
    rec.fail_count, rec.fail_history = 2, ("ValueError('a')", "ValueError('b')")
    _move(rec, observer, S.FAILED)
    return rec, observer


def test_a_story_becomes_statuses_tries_and_one_task_row() -> None:
    rec, observer = _retried_then_failed()
    builder = RowBuilder(RUN, 1.0)
    builder.kernel_events(list(observer.events))
    batch = builder.take()
    names = [(s[1], s[4]) for s in batch.statuses]
    assert names == [
        ("pending", 0),
        ("launched", 0),
        ("fail_retryable", 0),
        ("launched", 1),
        ("failed", 1),
    ]
    assert [(t[0], t[5], t[9]) for t in batch.tries] == [
        (0, "htex", "ValueError('a')"),
        (1, "htex", "ValueError('b')"),
    ]
    (task,) = batch.new_tasks
    assert task[0] == 7 and task[1] == RUN and task[3] == "f" and task[-2:] == (2, 0.0)
    assert not batch.task_updates and (builder.completed, builder.failed) == (0, 1)


def test_events_split_over_batches_insert_then_update() -> None:
    rec, observer = _observed()
    _launch(rec, observer)
    builder = RowBuilder(RUN, 1.0)
    first: list[tuple[Any, ...]] = list(observer.events)
    observer.events.clear()
    builder.kernel_events(first)
    early = builder.take()
    assert [s[1] for s in early.statuses] == ["pending", "launched"]
    assert len(early.new_tasks) == 1 and len(early.tries) == 1
    builder.pool_tries([PoolTry(7, 0, "node1", "3", 100.0, 0.0)])
    mid = builder.take()
    assert mid.try_updates[0][:2] == ("3", "node1") and [s[1] for s in mid.statuses] == ["running"]
    _move(rec, observer, S.EXEC_DONE)
    builder.kernel_events(list(observer.events))
    late = builder.take()
    assert not late.new_tasks and len(late.task_updates) == 1
    assert [s[1] for s in late.statuses] == ["pending", "launched", "exec_done"]
    assert builder.completed == 1


def test_a_pool_report_in_the_same_batch_fills_the_try_row() -> None:
    rec, observer = _observed()
    _launch(rec, observer)
    _move(rec, observer, S.EXEC_DONE)
    builder = RowBuilder(RUN, 1.0)
    builder.pool_tries([PoolTry(7, 0, "node1", "3", 100.0, 101.0)])
    builder.kernel_events(list(observer.events))
    batch = builder.take()
    (try_row,) = batch.tries
    assert try_row[3:5] == ("3", "node1") and try_row[7] is not None
    assert not batch.try_updates
    assert sorted(s[1] for s in batch.statuses) == sorted(
        ["pending", "launched", "running", "running_ended", "exec_done"]
    )
