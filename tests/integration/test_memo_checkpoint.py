"""Memoization and checkpoints on the thread executor (more in issue 6)."""

import threading
from pathlib import Path
from typing import Any

import pytest

import conveyor
from conveyor import Config, ThreadPoolExecutor, python_app
from conveyor.elaborations.base import Memoizer
from conveyor.elaborations.memo_keys import id_for_memo, make_key
from conveyor.elaborations.memoization import BasicMemoizer
from conveyor.errors import BadCheckpoint, NoDataFlowKernelError
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


# --- Parsl 2026.10 semantics (issue 11) -----------------------------------------------


class _Opaque:
    pass


class _KeyFailure(LookupError):
    pass


@id_for_memo.register(_Opaque)
def _fail_key(obj: _Opaque, output_ref: bool = False) -> bytes:
    raise _KeyFailure("deliberate id_for_memo failure")


def test_cached_failure_and_result_are_the_same_objects(tmp_path: Path) -> None:
    marker = tmp_path / "count"

    @python_app(cache=True)
    def boom(x: int, marker: str) -> None:
        counted(Path(marker))
        raise RuntimeError(x)

    @python_app(cache=True)
    def make(x: int) -> list[int]:
        return [x]

    with conveyor.load(config(tmp_path)):
        first = boom(1, str(marker)).exception()
        again = boom(1, str(marker))
        assert again.exception() is first  # the same exception, without running again
        assert again.task_status() == "failed"
        first_make = make(2)
        result = first_make.result()
        hit = make(2)
        assert hit.result() is result  # a hit gives the original object
        other = make(3)
        other.result()
        # Parsl's task_record['hashsum'], kept once the tasks have finished
        assert hit.task_record["hashsum"] == first_make.task_record["hashsum"] is not None
        assert other.task_record["hashsum"] != first_make.task_record["hashsum"]
    assert marker.read_text() == "1"


def test_id_for_memo_error_reaches_the_caller_unchanged(tmp_path: Path) -> None:
    with conveyor.load(config(tmp_path)):
        exc = work(_Opaque(), "m").exception()
    assert type(exc) is _KeyFailure and exc.args == ("deliberate id_for_memo failure",)


class _Recorder(Memoizer):
    def __init__(self) -> None:
        self.checked: list[tuple[str, bool]] = []
        self.results: list[str] = []

    def check_memo(self, task: Any) -> Any:
        self.checked.append((task["func_name"], task["memoize"]))
        return None

    def update_memo_result(self, task: Any, r: Any) -> None:
        self.results.append(task["func_name"])


def test_memoizer_is_consulted_for_every_task(tmp_path: Path) -> None:
    @python_app
    def plain() -> int:
        return 1

    memoizer = _Recorder()
    cfg = Config(executors=[ThreadPoolExecutor()], run_dir=str(tmp_path), memoizer=memoizer)
    with conveyor.load(cfg):
        plain().result()
        work(1, str(tmp_path / "m")).result()
    assert memoizer.checked == [("plain", False), ("work", True)]
    assert memoizer.results == ["plain", "work"]


def test_checkpoints_load_by_default_and_hits_are_rerecorded(tmp_path: Path) -> None:
    marker = tmp_path / "count"
    run_dir = str(tmp_path / "runinfo")
    with conveyor.load(config(tmp_path, checkpoint_mode="task_exit")):
        assert work(1, str(marker)).result() == 10
    # no checkpoint_files: every earlier run's checkpoint is loaded (Parsl's default)
    with conveyor.load(config(tmp_path, checkpoint_mode="task_exit")):
        assert work(1, str(marker)).result() == 10
    assert marker.read_text() == "1"
    # the hit was written into run 001's checkpoint, so that one alone suffices
    last = get_last_checkpoint(run_dir)
    assert last == [str(Path(run_dir, "001", "checkpoint").resolve())]
    assert get_all_checkpoints(run_dir) == [str(Path(run_dir, "000", "checkpoint")), *last]
    with conveyor.load(config(tmp_path, checkpoint_mode="task_exit", checkpoint_files=last)):
        assert work(1, str(marker)).result() == 10
    assert marker.read_text() == "1"
    # an explicit empty list loads nothing
    with conveyor.load(config(tmp_path, checkpoint_mode="task_exit", checkpoint_files=[])):
        assert work(1, str(marker)).result() == 10
    assert marker.read_text() == "2"


def test_listed_folder_without_checkpoint_is_bad_checkpoint(tmp_path: Path) -> None:
    old = tmp_path / "runinfo" / "000" / "checkpoint"
    old.mkdir(parents=True)
    (old / "tasks.db").write_bytes(b"")  # an older conveyor's checkpoint: skipped
    with conveyor.load(config(tmp_path, checkpoint_mode="task_exit")):
        assert work(1, str(tmp_path / "m")).result() == 10
    empty = tmp_path / "not_a_checkpoint"
    empty.mkdir()
    before = {t.name for t in threading.enumerate()}
    with pytest.raises(BadCheckpoint, match="not_a_checkpoint"):
        conveyor.load(config(tmp_path, checkpoint_files=[str(empty)]))
    with pytest.raises(NoDataFlowKernelError):
        conveyor.dfk()
    assert {t.name for t in threading.enumerate()} <= before  # nothing left running


def test_checkpoint_file_is_parsls_pickle_stream(tmp_path: Path) -> None:
    import pickle

    with conveyor.load(config(tmp_path, checkpoint_mode="manual")) as dfk:
        assert work(3, str(tmp_path / "m")).result() == 30
        path = Path(dfk.run_dir) / "checkpoint" / "tasks.pkl"
        assert not path.exists()  # manual: nothing before checkpoint()
        dfk.checkpoint()
        assert path.exists()
    records = []
    with open(path, "rb") as f:
        while True:
            try:
                records.append(pickle.load(f))
            except EOFError:
                break
    assert [(sorted(r), r["exception"], r["result"]) for r in records] == [
        (["exception", "hash", "result"], None, 30)
    ]


def test_cached_join_failure_is_remembered(tmp_path: Path) -> None:
    from conveyor import join_app
    from conveyor.errors import JoinError

    @python_app
    def inner_fails() -> None:
        raise RuntimeError("inner")

    @join_app(cache=True)
    def outer(x: int) -> Any:
        return inner_fails()

    with conveyor.load(config(tmp_path)):
        first = outer(1).exception()
        assert isinstance(first, JoinError)
        assert outer(1).exception() is first  # remembered, as every failure (Parsl)
