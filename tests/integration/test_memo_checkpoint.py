"""Memoization and checkpoints on the thread executor (more in issue 6)."""

from pathlib import Path
from typing import Any

import pytest

import conveyor
from conveyor import Config, ThreadPoolExecutor, python_app
from conveyor.elaborations.memo_keys import make_key
from conveyor.elaborations.memoization import BasicMemoizer
from conveyor.utils import get_all_checkpoints, get_last_checkpoint


def counted(marker: Path) -> int:
    n = int(marker.read_text()) + 1 if marker.exists() else 1
    marker.write_text(str(n))
    return n


@python_app(cache=True)
def work(x: int, marker: str) -> int:
    counted(Path(marker))
    return x * 10


@python_app(cache=True, ignore_for_cache=["noise"])
def noisy(x: int, noise: object = None) -> int:
    return x


def config(tmp: Path, **memo: Any) -> Config:
    return Config(
        executors=[ThreadPoolExecutor()],
        run_dir=str(tmp / "runinfo"),
        memoizer=BasicMemoizer(**memo),
    )


def test_memo_hit_skips_execution(tmp_path: Path) -> None:
    marker = tmp_path / "count"
    with conveyor.load(config(tmp_path)):
        assert work(1, str(marker)).result() == 10
        again = work(1, str(marker))
        assert again.result() == 10
        assert work(2, str(marker)).result() == 20
    assert marker.read_text() == "2"
    assert again.story()[-1][1] == "MEMO_DONE"


def test_memoize_false_turns_it_off(tmp_path: Path) -> None:
    marker = tmp_path / "count"
    with conveyor.load(config(tmp_path, memoize=False)):
        work(1, str(marker)).result()
        work(1, str(marker)).result()
    assert marker.read_text() == "2"


def test_function_edit_changes_key() -> None:
    def f(x: int) -> int:
        return x

    def g(x: int) -> int:
        return x + 1

    g.__qualname__ = f.__qualname__
    assert make_key(f, (1,), {}) != make_key(g, (1,), {})
    assert make_key(f, (1,), {"a": [1, {"b": 2}]}) == make_key(f, (1,), {"a": [1, {"b": 2}]})


def test_unhashable_argument_is_clear_error_unless_ignored(tmp_path: Path) -> None:
    with conveyor.load(config(tmp_path)):
        exc = work(object(), "m").exception()
        assert (
            isinstance(exc, ValueError) and "object" in str(exc) and "ignore_for_cache" in str(exc)
        )
        assert noisy(3, noise=object()).result() == 3


@pytest.mark.parametrize("mode", ["task_exit", "dfk_exit", "manual"])
def test_checkpoint_reused_by_second_run(tmp_path: Path, mode: str) -> None:
    marker = tmp_path / "count"
    with conveyor.load(config(tmp_path, checkpoint_mode=mode)) as dfk:
        assert [work(i, str(marker)).result() for i in range(3)] == [0, 10, 20]
        if mode == "manual":
            dfk.checkpoint()
    assert marker.read_text() == "3"
    run_dir = str(tmp_path / "runinfo")
    assert len(get_all_checkpoints(run_dir)) == 1
    with conveyor.load(
        config(tmp_path, checkpoint_mode=mode, checkpoint_files=get_last_checkpoint(run_dir))
    ):
        assert [work(i, str(marker)).result() for i in range(4)] == [0, 10, 20, 30]
    assert marker.read_text() == "4"


def test_failures_are_not_checkpointed(tmp_path: Path) -> None:
    @python_app(cache=True)
    def bad(x: int) -> int:
        raise RuntimeError(x)

    with conveyor.load(config(tmp_path, checkpoint_mode="task_exit")):
        assert isinstance(bad(1).exception(), RuntimeError)
        assert isinstance(bad(1).exception(), RuntimeError)
