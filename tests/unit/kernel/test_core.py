"""KernelCore driven by events alone: no threads, no executors."""

from concurrent.futures import Future
from typing import Any

import pytest

from conveyor.app.call import AppCall, AppOptions
from conveyor.elaborations.base import Memoizer
from conveyor.elaborations.dependencies import (
    DEEP_DEPENDENCY_RESOLVER,
    SHALLOW_DEPENDENCY_RESOLVER,
    describe_future,
)
from conveyor.elaborations.memoization import BasicMemoizer, filters_uncached
from conveyor.elaborations.retries import RetryPolicy
from conveyor.elaborations.routing import Router
from conveyor.errors import BadStdStreamFile, DependencyError, JoinError
from conveyor.files import File
from conveyor.futures import AppFuture, DataFuture
from conveyor.kernel.core import CorePolicies, KernelCore
from conveyor.kernel.events import (
    AttemptFinished,
    DependencyDone,
    JoinPartDone,
    Launch,
    LaunchFailed,
    ResolveAppFuture,
    Submitted,
    WatchFutures,
)
from conveyor.kernel.parsl_records import state_counts
from conveyor.kernel.states import States, TaskState
from conveyor.kernel.transitions import story_names


def make_core(
    retries: int = 0,
    handler: Any = None,
    deep: bool = False,
    gc: bool = True,
    memoizer: Any = None,
) -> KernelCore:
    return KernelCore(
        CorePolicies(
            resolver=DEEP_DEPENDENCY_RESOLVER if deep else SHALLOW_DEPENDENCY_RESOLVER,
            retry=RetryPolicy(retries, handler),
            router=Router(["a", "b"]),
            prepare=lambda rec: rec.call.func,
            garbage_collect=gc,
            validate=True,
            memoizer=memoizer,
        )
    )


def call(*args: Any, kind: str = "python", **kwargs: Any) -> AppCall:
    return AppCall(max, args, kwargs, AppOptions(kind=kind), func_name="max")  # type: ignore[arg-type]


def done(value: Any = None, error: BaseException | None = None) -> Future[Any]:
    f: Future[Any] = Future()
    if error is not None:
        f.set_exception(error)
    else:
        f.set_result(value)
    return f


def transitions(resolve: ResolveAppFuture) -> list[tuple[str, str]]:
    return [(a, b) for a, b, _, _ in story_names(resolve.story)]


def test_task_without_dependencies_launches_then_completes() -> None:
    core = make_core()
    (launch,) = core.handle(Submitted(0, call(1, 2)))
    assert isinstance(launch, Launch) and launch.args == (1, 2) and launch.executor in ("a", "b")
    (resolve,) = core.handle(AttemptFinished.of(0, 0, done(2)))
    assert isinstance(resolve, ResolveAppFuture) and resolve.value == 2 and resolve.error is None
    assert transitions(resolve) == [
        ("NEW", "PENDING"),
        ("PENDING", "READY"),
        ("READY", "LAUNCHED"),
        ("LAUNCHED", "EXEC_DONE"),
    ]
    assert core.tasks == {}


def test_dependencies_are_watched_then_unwrapped() -> None:
    core = make_core()
    dep: Future[int] = Future()
    (watch,) = core.handle(Submitted(1, call(dep, inputs=[5])))
    assert isinstance(watch, WatchFutures) and watch.futures == (dep,)
    dep.set_result(10)
    (launch,) = core.handle(DependencyDone(1))
    assert isinstance(launch, Launch) and launch.args == (10,)


def test_inputs_futures_are_dependencies() -> None:
    core = make_core()
    dep: Future[int] = Future()
    (watch,) = core.handle(Submitted(1, call(inputs=[dep])))
    assert isinstance(watch, WatchFutures)
    dep.set_result(3)
    (launch,) = core.handle(DependencyDone(1))
    assert isinstance(launch, Launch) and launch.kwargs["inputs"] == [3]


def test_deep_resolver_finds_nested_futures_shallow_does_not() -> None:
    nested: Future[int] = Future()
    deep = make_core(deep=True)
    (watch,) = deep.handle(Submitted(1, call({"k": [nested]})))
    assert isinstance(watch, WatchFutures)
    nested.set_result(4)
    (launch,) = deep.handle(DependencyDone(1))
    assert isinstance(launch, Launch) and launch.args == ({"k": [4]},)
    (launch2,) = make_core().handle(Submitted(2, call({"k": [nested]})))
    assert isinstance(launch2, Launch) and launch2.args == ({"k": [nested]},)


def test_failed_dependency_fails_without_launch() -> None:
    core = make_core(retries=3)
    (resolve,) = core.handle(Submitted(3, call(done(error=ValueError("dep")))))
    assert isinstance(resolve, ResolveAppFuture)
    assert isinstance(resolve.error, DependencyError)
    assert isinstance(resolve.error.dependent_exceptions_tids[0][0], ValueError)
    assert transitions(resolve)[-1] == ("PENDING", "DEP_FAILED")


def test_retry_goes_back_to_pending_and_relaunches() -> None:
    core = make_core(retries=1)
    core.handle(Submitted(4, call(1)))
    (relaunch,) = core.handle(AttemptFinished.of(4, 0, done(error=OSError("x"))))
    assert isinstance(relaunch, Launch) and relaunch.try_id == 1
    (resolve,) = core.handle(AttemptFinished.of(4, 1, done(error=OSError("y"))))
    assert isinstance(resolve, ResolveAppFuture) and isinstance(resolve.error, OSError)
    assert ("LAUNCHED", "PENDING") in transitions(resolve)
    assert transitions(resolve)[-1] == ("LAUNCHED", "FAILED")


def test_retry_handler_cost_and_view() -> None:
    seen = []

    def handler(exc: BaseException, task: Any) -> float:
        seen.append(
            (task["id"], task["func_name"], task["fail_count"], task["fail_cost"], task["args"])
        )
        return 2.0

    core = make_core(retries=3, handler=handler)
    core.handle(Submitted(5, call(7)))
    (relaunch,) = core.handle(AttemptFinished.of(5, 0, done(error=OSError())))
    assert isinstance(relaunch, Launch)
    (resolve,) = core.handle(AttemptFinished.of(5, 1, done(error=OSError())))
    assert isinstance(resolve, ResolveAppFuture) and resolve.error is not None
    # fail_count already counts the failure the handler is told about (as Parsl)
    assert seen == [(5, "max", 1, 0.0, (7,)), (5, "max", 2, 2.0, (7,))]


def test_launch_failure_counts_as_attempt_failure() -> None:
    core = make_core()
    core.handle(Submitted(6, call(1)))
    (resolve,) = core.handle(LaunchFailed(6, 0, RuntimeError("executor refused")))
    assert isinstance(resolve, ResolveAppFuture) and isinstance(resolve.error, RuntimeError)


def test_stale_attempt_completion_is_ignored() -> None:
    core = make_core(retries=1)
    core.handle(Submitted(7, call(1)))
    core.handle(AttemptFinished.of(7, 0, done(error=OSError())))
    assert core.handle(AttemptFinished.of(7, 0, done(1))) == []


def test_join_app_waits_for_inner_futures() -> None:
    core = make_core()
    core.handle(Submitted(8, call(kind="join")))
    inner: list[Future[int]] = [Future(), Future()]
    (watch,) = core.handle(AttemptFinished.of(8, 0, done(inner)))
    assert isinstance(watch, WatchFutures) and watch.join
    inner[0].set_result(1)
    assert core.handle(JoinPartDone(8)) == []
    inner[1].set_result(2)
    (resolve,) = core.handle(JoinPartDone(8))
    assert isinstance(resolve, ResolveAppFuture) and resolve.value == [1, 2]
    assert ("LAUNCHED", "JOINING") in transitions(resolve)


def test_join_inner_failure_is_join_error() -> None:
    core = make_core()
    core.handle(Submitted(9, call(kind="join")))
    (resolve,) = core.handle(AttemptFinished.of(9, 0, done(done(error=KeyError("inner")))))
    assert isinstance(resolve, ResolveAppFuture) and isinstance(resolve.error, JoinError)


def test_join_returning_non_future_fails_clearly() -> None:
    core = make_core()
    core.handle(Submitted(10, call(kind="join")))
    (resolve,) = core.handle(AttemptFinished.of(10, 0, done(42)))
    assert isinstance(resolve, ResolveAppFuture) and isinstance(resolve.error, TypeError)
    assert "join_app" in str(resolve.error)


def test_unknown_executor_label_fails_task() -> None:
    core = make_core()
    bad = AppCall(max, (1,), {}, AppOptions(executors=("nope",)), func_name="max")
    (resolve,) = core.handle(Submitted(11, bad))
    assert isinstance(resolve, ResolveAppFuture) and "nope" in str(resolve.error)


def test_without_garbage_collection_records_stay() -> None:
    core = make_core(gc=False)
    core.handle(Submitted(12, call(1)))
    core.handle(AttemptFinished.of(12, 0, done(1)))
    assert core.state(12) is not None and core.state(12).terminal  # type: ignore[union-attr]


@pytest.mark.parametrize("event", [DependencyDone(99), JoinPartDone(99)])
def test_events_for_unknown_tasks_are_ignored(event: Any) -> None:
    assert make_core().handle(event) == []


# --- Parsl 2026.10 semantics: failures, retries, memoization ---------------------------


def test_handler_runs_with_retries_zero_and_sees_the_failure_counted() -> None:
    seen: list[tuple[str, int]] = []

    def handler(exc: BaseException, task: Any) -> float:
        seen.append((type(exc).__name__, task["fail_count"]))
        return 1.0

    core = make_core(retries=0, handler=handler)
    core.handle(Submitted(1, call(1)))
    (resolve,) = core.handle(AttemptFinished.of(1, 0, done(error=OSError())))
    assert isinstance(resolve, ResolveAppFuture) and isinstance(resolve.error, OSError)
    assert seen == [("OSError", 1)]


def test_handler_sees_dependency_errors_which_are_never_retried() -> None:
    seen: list[str] = []

    def handler(exc: BaseException, task: Any) -> float:
        seen.append(type(exc).__name__)
        return 0.0  # even a free failure does not retry a dependency failure

    core = make_core(retries=5, handler=handler)
    (resolve,) = core.handle(Submitted(2, call(done(error=ValueError("up")))))
    assert isinstance(resolve, ResolveAppFuture) and isinstance(resolve.error, DependencyError)
    assert seen == ["DependencyError"]
    assert transitions(resolve)[-1] == ("PENDING", "DEP_FAILED")


def test_raising_handler_error_becomes_the_task_error_without_retry() -> None:
    def handler(exc: BaseException, task: Any) -> float:
        raise KeyError("handler")

    core = make_core(retries=5, handler=handler)
    core.handle(Submitted(3, call(1)))
    (resolve,) = core.handle(AttemptFinished.of(3, 0, done(error=OSError())))
    assert isinstance(resolve, ResolveAppFuture) and isinstance(resolve.error, KeyError)
    (dep,) = core.handle(Submitted(4, call(done(error=ValueError()))))
    assert isinstance(dep, ResolveAppFuture) and isinstance(dep.error, KeyError)
    assert transitions(dep)[-1] == ("PENDING", "FAILED")


def test_refused_submission_fails_without_launch() -> None:
    core = make_core()
    error = BadStdStreamFile("bad")
    (resolve,) = core.handle(Submitted(5, call(1), error))
    assert isinstance(resolve, ResolveAppFuture) and resolve.error is error
    assert transitions(resolve) == [("NEW", "PENDING"), ("PENDING", "FAILED")]
    assert core.ended[TaskState.FAILED] == 1


class _Every(Memoizer):
    def __init__(self) -> None:
        self.checked: list[int] = []
        self.failed: list[int] = []

    def check_memo(self, task: Any) -> Future[Any] | None:
        self.checked.append(task["id"])
        if task["id"] == 7:
            hit: Future[Any] = Future()
            hit.set_exception(RuntimeError("cached failure"))
            return hit
        return None

    def update_memo_result(self, task: Any, r: Any) -> None:
        return None

    def update_memo_exception(self, task: Any, e: BaseException) -> None:
        self.failed.append(task["id"])


def test_memoizer_sees_uncached_tasks_and_a_cached_failure_fails_again() -> None:
    memo = _Every()
    core = make_core(memoizer=memo)
    (launch,) = core.handle(Submitted(6, call(1)))
    assert isinstance(launch, Launch)
    (resolve,) = core.handle(Submitted(7, call(2)))
    assert isinstance(resolve, ResolveAppFuture) and isinstance(resolve.error, RuntimeError)
    assert transitions(resolve)[-1] == ("READY", "FAILED")
    assert memo.checked == [6, 7] and memo.failed == [7]


def test_basic_memoizer_filters_itself_so_the_kernel_may_skip_it() -> None:
    class Custom(BasicMemoizer):
        def check_memo(self, task: Any) -> Future[Any] | None:
            return None

    assert filters_uncached(BasicMemoizer())
    assert not filters_uncached(Custom())
    assert not filters_uncached(_Every())


def test_dependency_error_text_and_descriptions() -> None:
    fut = AppFuture(3)
    data = DataFuture(fut, File("/x"), tid=3)
    inner = DependencyError([(ValueError("root"), "task 1")], 2)
    outer = DependencyError([(inner, "task 2"), (OSError(), "DataFuture from task 3")], 4)
    assert outer.__cause__ is inner.__cause__
    assert isinstance(outer.__cause__, ValueError)
    assert str(outer) == (
        "Dependency failure for task 4. The representative cause is via task 2 (+ others) <- task 1"
    )
    joined = JoinError([(ValueError(), "task 9")], 10)
    assert str(joined).startswith("Join failure for task 10.")
    assert describe_future(fut) == "task 3"
    assert describe_future(data) == "DataFuture from task 3"
    plain: Future[Any] = Future()
    assert describe_future(plain) == repr(plain)


def test_state_counts_use_parsl_states() -> None:
    counts = state_counts(
        {TaskState.READY: 2, TaskState.PENDING: 1, TaskState.LAUNCHED: 1},
        {TaskState.DEP_FAILED: 3, TaskState.MEMO_DONE: 1},
    )
    assert counts[States.pending] == 3 and counts[States.launched] == 1
    assert counts[States.dep_fail] == 3 and counts[States.memo_done] == 1
    assert set(counts) == set(States) and counts[States.running] == 0
