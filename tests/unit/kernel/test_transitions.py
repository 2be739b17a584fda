"""Every legal and every illegal (from, to) pair of the task state table."""

import itertools
import pickle

import pytest

from conveyor.app.call import AppCall, AppOptions
from conveyor.errors import InvalidTransition
from conveyor.kernel.states import ALLOWED, TERMINAL, TaskState
from conveyor.kernel.transitions import TaskRecord, story_names, transition

PAIRS = list(itertools.product(TaskState, TaskState))
LEGAL = [(a, b) for a, b in PAIRS if b in ALLOWED[a]]
ILLEGAL = [(a, b) for a, b in PAIRS if b not in ALLOWED[a]]


def record(state: TaskState) -> TaskRecord:
    rec = TaskRecord(7, AppCall(print, (), {}, AppOptions()))
    rec.state = state
    return rec


def test_table_covers_every_state_and_terminals_are_final() -> None:
    assert set(ALLOWED) == set(TaskState)
    for state in TERMINAL:
        assert ALLOWED[state] == frozenset()
    assert len(LEGAL) == 13


@pytest.mark.parametrize(("start", "to"), LEGAL, ids=[f"{a.name}->{b.name}" for a, b in LEGAL])
def test_legal_transition_moves_and_records_story(start: TaskState, to: TaskState) -> None:
    rec = record(start)
    transition(rec, to, "cause")
    assert rec.state is to
    assert rec.story[-1][:3] == (start, to, "cause")
    assert story_names(rec.story)[-1][:2] == (start.name, to.name)


@pytest.mark.parametrize(("start", "to"), ILLEGAL, ids=[f"{a.name}->{b.name}" for a, b in ILLEGAL])
def test_illegal_transition_raises_and_leaves_state(start: TaskState, to: TaskState) -> None:
    rec = record(start)
    with pytest.raises(InvalidTransition) as info:
        transition(rec, to, "cause")
    assert rec.state is start
    assert info.value.task_id == 7
    assert (info.value.start, info.value.finish) == (start.name, to.name)
    clone = pickle.loads(pickle.dumps(info.value))
    assert str(clone) == str(info.value)
