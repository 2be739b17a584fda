"""KernelCore driven by events alone: no threads, no executors."""

from concurrent.futures import Future
from typing import Any

import pytest

from conveyor.app.call import AppCall, AppOptions
from conveyor.elaborations.dependencies import DEEP_DEPENDENCY_RESOLVER, SHALLOW_DEPENDENCY_RESOLVER
from conveyor.elaborations.retries import RetryPolicy
from conveyor.elaborations.routing import Router
from conveyor.errors import DependencyError, JoinError
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
from conveyor.kernel.transitions import story_names


def make_core(
    retries: int = 0, handler: Any = None, deep: bool = False, gc: bool = True
) -> KernelCore:
    return KernelCore(
        CorePolicies(
            resolver=DEEP_DEPENDENCY_RESOLVER if deep else SHALLOW_DEPENDENCY_RESOLVER,
            retry=RetryPolicy(retries, handler),
            router=Router(["a", "b"]),
            prepare=lambda rec: rec.call.func,
            garbage_collect=gc,
            validate=True,
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
