"""Parsl 2026.10 behaviours of the kernel, apps and futures (issue 11, section 3).

Each test states the Parsl behaviour it checks; they run on threads and on HTEX.
"""

import uuid
from pathlib import Path
from typing import Any

import pytest

import conveyor
from conveyor import Config, File, HighThroughputExecutor, ThreadPoolExecutor, bash_app, python_app
from conveyor.errors import (
    BadStdStreamFile,
    ConfigurationError,
    DependencyError,
    NoDataFlowKernelError,
)
from conveyor.futures import AppFuture
from conveyor.kernel.states import States


@python_app
def pair(a: Any, b: Any) -> dict[str, Any]:
    return {"a": a, "b": b}


@python_app
def cplx() -> complex:
    return complex(3, 4)


@python_app
def fails(msg: str = "deliberate") -> None:
    raise ValueError(msg)


@python_app
def depends(x: Any) -> int:
    return 1


@python_app
def spec_app(parsl_resource_specification: Any = None) -> str:
    return "ran"


@bash_app
def echo(msg: str, stdout: Any = None, stderr: Any = None, label: str | None = None) -> str:
    return f"echo {msg}; echo err-{msg} >&2"


# --- every app call returns a future -------------------------------------------------


def test_preparation_errors_arrive_through_the_future(loaded: Any) -> None:
    bad_stream = echo("x", stdout=("out.txt", "w", "extra"))
    assert isinstance(bad_stream, AppFuture)
    assert isinstance(bad_stream.exception(timeout=60), BadStdStreamFile)
    bad_spec = spec_app(parsl_resource_specification=["not", "a", "dict"])
    assert isinstance(bad_spec.exception(timeout=60), TypeError)

    @python_app(executors=["no_such_label"])
    def nowhere() -> None:
        return None

    assert isinstance(nowhere().exception(timeout=60), ConfigurationError)

    @python_app(cache=True)
    def cached(x: Any) -> Any:
        return x

    assert isinstance(cached(object()).exception(timeout=60), ValueError)


# --- lifted futures --------------------------------------------------------------------


def test_lifted_getitem_and_getattr(loaded: Any) -> None:
    fut = pair(1, [10, 20])
    item = fut["b"]
    assert isinstance(item, AppFuture) and item is not fut
    assert item[1].result(timeout=60) == 20
    assert cplx().imag.result(timeout=60) == 4.0  # a lifted attribute of the result
    missing = fut["nope"]
    assert isinstance(missing.exception(timeout=60), KeyError)
    assert isinstance(fut.no_such_attribute.exception(timeout=60), AttributeError)
    with pytest.raises(AttributeError):
        _ = fut._private
    assert not hasattr(fut, "__no_such_dunder__")
    upstream = fails()["key"]
    assert isinstance(upstream.exception(timeout=60), DependencyError)


# --- retry_handler ----------------------------------------------------------------------


def test_retry_handler_called_with_retries_zero_and_for_dependency_errors(
    make_config: Any,
) -> None:
    seen: list[tuple[str, int]] = []

    def handler(exc: BaseException, record: Any) -> float:
        seen.append((type(exc).__name__, record["fail_count"]))
        return 1.0

    with conveyor.load(make_config(retry_handler=handler)):
        first = fails()
        assert isinstance(first.exception(timeout=60), ValueError)
        assert isinstance(depends(first).exception(timeout=60), DependencyError)
    assert seen == [("ValueError", 1), ("DependencyError", 1)]


def test_raising_retry_handler_fails_the_task_with_its_error(make_config: Any) -> None:
    calls: list[int] = []

    def handler(exc: BaseException, record: Any) -> float:
        calls.append(record["fail_count"])
        raise RuntimeError("handler says no")

    with conveyor.load(make_config(retries=3, retry_handler=handler)):
        exc = fails().exception(timeout=60)
    assert isinstance(exc, RuntimeError) and exc.args == ("handler says no",)
    assert calls == [1]  # not retried


# --- DependencyError ------------------------------------------------------------------


def test_dependency_error_cause_and_path(loaded: Any) -> None:
    root = fails("root")
    mid = depends(root)
    leaf = depends(mid)
    exc = leaf.exception(timeout=60)
    assert isinstance(exc, DependencyError)
    assert isinstance(exc.__cause__, ValueError) and exc.__cause__.args == ("root",)
    assert str(exc) == (
        f"Dependency failure for task {leaf.tid}. "
        f"The representative cause is via task {mid.tid} <- task {root.tid}"
    )


# --- kernel attributes and States ---------------------------------------------------------


def test_dfk_tasks_counts_and_cleanup_called(make_config: Any) -> None:
    dfk = conveyor.load(make_config())
    try:
        before = dfk.task_state_counts
        assert set(before) == set(States) and sum(before.values()) == 0
        ok, bad = depends(1), fails()
        dep = depends(bad)
        ok.result(timeout=60)
        dep.exception(timeout=60)
        counts = dfk.task_state_counts
        assert counts[States.exec_done] == 1
        assert counts[States.failed] == 1 and counts[States.dep_fail] == 1
        assert ok.task_status() == "exec_done" and dep.task_status() == "dep_fail"
        assert ok.task_record["id"] == ok.tid and ok.task_record["app_fu"] is ok
        assert ok.task_record["status"] is States.exec_done
        assert ok.task_record["func_name"] == "depends"  # also once the task is forgotten
        assert all(r["app_fu"].done() for r in dfk.tasks.values())  # Parsl's conftest check
        assert not dfk.cleanup_called
        assert uuid.UUID(dfk.run_id) and dfk.run_id == dfk.run_id  # Parsl's run id: a UUID
    finally:
        conveyor.clear()
    assert dfk.cleanup_called
    with pytest.raises(NoDataFlowKernelError, match="Cannot submit to a DFK"):
        dfk.submit_internal(print)


def test_cleanup_logs_the_task_state_summary(
    make_config: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    dfk = conveyor.load(make_config())
    depends(1).result(timeout=60)
    fails().exception(timeout=60)
    conveyor.clear()
    assert dfk.cleanup_called
    assert "Summary of tasks in DFK:" in caplog.text
    assert "Tasks in state States.exec_done: 1" in caplog.text
    assert "Tasks in state States.failed: 1" in caplog.text


def test_states_is_parsl_intenum() -> None:
    assert [(s.name, int(s)) for s in States] == [
        ("pending", 0),
        ("running", 2),
        ("exec_done", 3),
        ("failed", 4),
        ("dep_fail", 5),
        ("launched", 7),
        ("fail_retryable", 8),
        ("memo_done", 9),
        ("joining", 10),
        ("running_ended", 11),
    ]
    assert str(States.pending) == "States.pending"
    with pytest.raises(NoDataFlowKernelError, match="^Must first load config$"):
        conveyor.dfk()


def test_file_repr_is_parsls() -> None:
    f = File("/tmp/a/b.txt")
    assert repr(f) == (
        f"<File at 0x{id(f):x} url=/tmp/a/b.txt scheme=file netloc= path=/tmp/a/b.txt "
        "filename=b.txt>"
    )
    f.local_path = "/x/b.txt"
    assert repr(f).endswith("filename=b.txt local_path=/x/b.txt>")


# --- ParslPoolExecutor ----------------------------------------------------------------


def _inc(x: int) -> int:
    return x + 1


def test_pool_executor_as_parsl(tmp_path: Path) -> None:
    from conveyor.concurrent import ParslPoolExecutor

    config = Config(executors=[ThreadPoolExecutor(label="t")], run_dir=str(tmp_path / "r"))
    with ParslPoolExecutor(config) as pool:
        assert pool.submit(_inc, 1).result(timeout=60) == 2
        assert list(pool.map(_inc, [1, 2])) == [2, 3]
        assert pool.app_count == 1
    with pytest.raises(RuntimeError, match="^Executor has been shut down.$"):
        pool.submit(_inc, 1)
    with conveyor.load(Config(executors=[ThreadPoolExecutor(label="t")], run_dir=str(tmp_path))):
        borrowed = ParslPoolExecutor(dfk=conveyor.dfk(), executors=["t"])
        assert borrowed.get_app(_inc).executors == ["t"]
        with pytest.warns(UserWarning, match="not supported"):
            borrowed.shutdown(False, cancel_futures=True)


# --- per-task log records with Parsl's extras ------------------------------------------


def _extras(caplog: pytest.LogCaptureFixture, *keys: str) -> list[tuple[Any, ...]]:
    return [
        tuple(r.__dict__[k] for k in keys)
        for r in caplog.records
        if all(k in r.__dict__ for k in keys)
    ]


def test_task_log_records_carry_parsl_extras(loaded: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    first = depends(1)
    second = depends(first)
    bad = fails()
    second.result(timeout=60)
    bad.exception(timeout=60)
    assert (first.tid, "depends") in _extras(caplog, "parsl.task", "parsl.app_name")
    assert (second.tid, first.tid) in _extras(caplog, "parsl.task", "parsl.dependency_task")
    states = _extras(caplog, "parsl.task", "parsl.task_state")
    assert [s for t, s in states if t == first.tid] == ["pending", "launched", "exec_done"]
    assert [s for t, s in states if t == bad.tid] == ["pending", "launched", "failed"]
    label = next(k for k in loaded.executors if not k.startswith("_"))
    bindings = [b for b in _extras(caplog, "parsl.task", "parsl.executor") if b[0] == first.tid]
    assert bindings == [(first.tid, label)]  # exactly one record binds the task to it
    own = dict(_extras(caplog, "parsl.task", "parsl.executor_task"))
    if isinstance(loaded.executors[label], HighThroughputExecutor):  # its ids, from 1
        assert own[first.tid] == 1 and own[second.tid] > 1
    else:  # a thread pool has no ids of its own
        assert first.tid not in own


def test_task_log_records_show_retries_as_parsl(
    make_config: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    with conveyor.load(make_config(retries=1)):
        fut = fails()
        fut.exception(timeout=60)
    states = [s for t, s in _extras(caplog, "parsl.task", "parsl.task_state") if t == fut.tid]
    assert states == ["pending", "launched", "fail_retryable", "pending", "launched", "failed"]


def test_task_log_records_only_when_someone_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    from conveyor.kernel import tasklog

    assert tasklog.wanted()  # pytest's capture handlers sit on the root logger
    monkeypatch.setattr(logging.root, "handlers", [])
    assert not tasklog.wanted()


def test_add_executors_to_a_running_kernel(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")

    @python_app(executors=["late"])
    def on_late() -> str:
        import threading

        return threading.current_thread().name

    config = Config(executors=[ThreadPoolExecutor(label="early")], run_dir=str(tmp_path))
    with conveyor.load(config) as dfk:
        assert isinstance(on_late().exception(timeout=60), ConfigurationError)
        dfk.add_executors([ThreadPoolExecutor(label="late")])
        assert on_late().result(timeout=60)
        with pytest.raises(ConfigurationError, match="already loaded"):
            dfk.add_executors([ThreadPoolExecutor(label="late")])
    kinds = set(_extras(caplog, "parsl.executor.label", "parsl.executor.type"))
    assert ("early", "parsl.executors.threads.ThreadPoolExecutor") in kinds
    assert ("late", "parsl.executors.threads.ThreadPoolExecutor") in kinds


def test_parsl_style_executor_with_argumentless_shutdown(tmp_path: Path) -> None:
    from concurrent.futures import Future

    from conveyor.executors.base import Executor

    class Immediate(Executor):
        label = "immediate"
        shut = False

        def submit(self, func: Any, resource_specification: Any, *args: Any, **kwargs: Any) -> Any:
            fut: Future[Any] = Future()
            fut.set_result(func(*args, **kwargs))
            return fut

        def shutdown(self) -> None:  # type: ignore[override]  # as Parsl's ParslExecutor
            Immediate.shut = True

    with conveyor.load(Config(executors=[Immediate()], run_dir=str(tmp_path))):
        assert depends(1).result(timeout=60) == 1
    assert Immediate.shut
