"""Task columns known only at a task's end: its memo key and its resolved inputs."""

from __future__ import annotations

import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from dbkit import db_path, rows, threads_config

import conveyor
from conveyor import python_app


@python_app(cache=True)
def plus_one(x: int) -> int:
    return x + 1


@python_app
def first(inputs: Any = ()) -> Any:
    return inputs[0]


def _wait_for_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    for _ in range(600):
        if path.exists():
            found = rows(path, sql)
            if found:
                return found
        time.sleep(0.05)
    raise AssertionError(f"no rows for {sql}")


def test_memo_keys_are_in_the_task_rows(tmp_path: Path) -> None:
    with conveyor.load(threads_config(tmp_path)):
        futures = [plus_one(4), plus_one(17), plus_one(4)]
        assert [f.result() for f in futures] == [5, 18, 5]
        keys = [f.task_record["hashsum"] for f in futures]
    assert keys[0] == keys[2] != keys[1] and None not in keys
    found = rows(db_path(tmp_path), "SELECT task_id, task_hashsum FROM task ORDER BY task_id")
    assert found == [(f.tid, k) for f, k in zip(futures, keys, strict=True)]
    memo = rows(db_path(tmp_path), "SELECT task_id FROM status WHERE task_status_name='memo_done'")
    assert memo == [(futures[2].tid,)]


def test_tasks_without_memoization_have_no_key(tmp_path: Path) -> None:
    with conveyor.load(threads_config(tmp_path)):
        assert first(inputs=[3]).result() == 3
    assert rows(db_path(tmp_path), "SELECT task_hashsum, task_inputs FROM task") == [(None, "[3]")]


def test_inputs_are_shown_resolved_once_the_task_ends(tmp_path: Path) -> None:
    path = db_path(tmp_path)
    with conveyor.load(threads_config(tmp_path)):
        dependency: Future[int] = Future()
        task = first(inputs=[dependency])
        # the task's row is written while it waits, with the future as submitted ...
        (submitted,) = _wait_for_rows(path, "SELECT task_inputs FROM task")
        assert submitted[0].startswith("[<Future at") and "pending" in submitted[0]
        dependency.set_result(304731)
        assert task.result() == 304731
    # ... and updated with the value it ran with when the task ended
    assert rows(path, "SELECT task_inputs, task_hashsum FROM task") == [("[304731]", None)]


class _NoStr:
    def __repr__(self) -> str:
        raise ValueError("no repr")


@python_app
def make_nostr() -> _NoStr:
    return _NoStr()


def test_inputs_whose_str_fails_are_recorded_as_such(tmp_path: Path) -> None:
    with conveyor.load(threads_config(tmp_path)):
        given = first(inputs=[_NoStr()])  # at submission
        resolved = first(inputs=[make_nostr()])  # once the dependency ran
        assert isinstance(given.result(), _NoStr) and isinstance(resolved.result(), _NoStr)
        assert first(inputs=[1]).result() == 1  # the kernel goes on
    sql = "SELECT task_inputs FROM task WHERE task_id IN (?, ?)"
    found = rows(db_path(tmp_path), sql, given.tid, resolved.tid)
    assert found == [("<not representable: ValueError>",)] * 2
