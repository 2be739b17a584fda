"""Apps end to end on every executor kind: values, errors, dependencies, retries, joins."""

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

import conveyor
from conveyor import bash_app, join_app, python_app
from conveyor.errors import DependencyError, JoinError
from conveyor.execution.outcome import RemoteTraceback


@python_app
def add(a: int, b: int = 0) -> int:
    return a + b


@python_app
def fail(msg: str) -> None:
    raise ValueError(msg)


@python_app
def total(inputs: list[int] = ()) -> int:  # type: ignore[assignment]
    return sum(inputs)


@python_app
def flaky(marker: str) -> str:
    p = Path(marker)
    n = int(p.read_text()) if p.exists() else 0
    p.write_text(str(n + 1))
    if n < 2:
        raise OSError(f"attempt {n} fails")
    return "ok"


@join_app
def fan(n: int) -> list[Future[int]]:
    return [add(i, 1) for i in range(n)]


@join_app
def one(x: int) -> Future[int]:
    return add(x, 100)


@join_app
def join_failing() -> Future[None]:
    return fail("inner")


def test_chain_and_fan_in(loaded: Any) -> None:
    f = add(0, 1)
    for _ in range(20):
        f = add(f, 1)
    assert f.result(timeout=60) == 21
    parts = [add(i) for i in range(50)]
    assert total(inputs=parts).result(timeout=60) == sum(range(50))


def test_exception_keeps_type(loaded: Any) -> None:
    exc = fail("boom").exception(timeout=60)
    assert isinstance(exc, ValueError) and "boom" in str(exc)
    if loaded.executors.get("htex"):
        assert isinstance(exc.__cause__, RemoteTraceback)


def test_failed_dependency_gives_dependency_error(loaded: Any) -> None:
    dependent = add(fail("first"), 1)
    exc = dependent.exception(timeout=60)
    assert isinstance(exc, DependencyError)
    assert isinstance(exc.dependent_exceptions_tids[0][0], ValueError)
    assert dependent.story()[-1][1] == "DEP_FAILED"


def test_retries_until_success(make_config: Any, tmp_path: Path) -> None:
    with conveyor.load(make_config(retries=2)):
        fut = flaky(str(tmp_path / "count"))
        assert fut.result(timeout=60) == "ok"
        states = [to for _, to, _, _ in fut.story()]
        assert states.count("PENDING") == 3


def test_retry_handler_budget(make_config: Any, tmp_path: Path) -> None:
    seen: list[tuple[int, str]] = []

    def costly(exc: BaseException, task: Any) -> float:
        seen.append((task["fail_count"], task["func_name"]))
        return 10.0

    with conveyor.load(make_config(retries=5, retry_handler=costly)):
        exc = flaky(str(tmp_path / "count")).exception(timeout=60)
    assert isinstance(exc, OSError)
    assert seen == [(1, "flaky")]  # fail_count counts the failure just seen


def test_join_list_single_and_failure(loaded: Any) -> None:
    assert fan(5).result(timeout=60) == [1, 2, 3, 4, 5]
    assert one(1).result(timeout=60) == 101
    assert isinstance(join_failing().exception(timeout=60), JoinError)


def test_outputs_are_datafutures(loaded: Any, tmp_path: Path) -> None:
    @python_app
    def write(outputs: list[conveyor.File] = ()) -> None:  # type: ignore[assignment]
        Path(outputs[0].filepath).write_text("data")

    out = conveyor.File(str(tmp_path / "out.txt"))
    fut = write(outputs=[out])
    data_future = fut.outputs[0]
    assert data_future.result(timeout=60) is out
    assert Path(out.filepath).read_text() == "data"


def test_bash_app_runs_on_executor(loaded: Any, tmp_path: Path) -> None:
    @bash_app
    def echo(word: str, stdout: Any = None) -> str:
        return f"echo {word}"

    out = tmp_path / "echo.out"
    assert echo("hello", stdout=str(out)).result(timeout=60) == 0
    assert out.read_text() == "hello\n"


def test_no_thread_left_after_cleanup(make_config: Any) -> None:
    before = set(threading.enumerate())
    for _ in range(2):
        with conveyor.load(make_config()):
            assert add(1, 2).result(timeout=60) == 3
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert leftover == []


def test_app_without_kernel_raises() -> None:
    with pytest.raises(conveyor.errors.NoDataFlowKernelError):
        add(1)
