"""KernelCore's launches with dependency references (kernel/refs.py), driven by events."""

from concurrent.futures import Future
from typing import Any

from conveyor.app.call import AppCall, AppOptions
from conveyor.elaborations.dependencies import DEEP_DEPENDENCY_RESOLVER, SHALLOW_DEPENDENCY_RESOLVER
from conveyor.elaborations.retries import RetryPolicy
from conveyor.elaborations.routing import Router
from conveyor.errors import DependencyError, RemoteDependencyFailed
from conveyor.futures import AppFuture
from conveyor.kernel.core import CorePolicies, KernelCore
from conveyor.kernel.events import (
    AttemptFinished,
    DependencyDone,
    Launch,
    ResolveAppFuture,
    Submitted,
    WatchFutures,
)
from conveyor.kernel.transitions import story_names


def make_core(retries: int = 0, deep: bool = False, refs: bool = True) -> KernelCore:
    return KernelCore(
        CorePolicies(
            resolver=DEEP_DEPENDENCY_RESOLVER if deep else SHALLOW_DEPENDENCY_RESOLVER,
            retry=RetryPolicy(retries),
            router=Router(["htex"]),
            prepare=lambda rec: rec.call.func,
            validate=True,
            ref_labels=frozenset({"htex"} if refs else ()),
        )
    )


def call(*args: Any, kind: str = "python", **kwargs: Any) -> AppCall:
    return AppCall(max, args, kwargs, AppOptions(kind=kind), func_name="max")  # type: ignore[arg-type]


def launched_dep(core: KernelCore, tid: int = 1) -> AppFuture:
    """A task launched on htex, with its id there recorded on its future."""
    (launch,) = core.handle(Submitted(tid, call(1)))
    assert isinstance(launch, Launch) and not launch.refs
    fut = AppFuture(tid)
    fut.executor_ref = 100 + tid
    return fut


def test_a_task_on_a_running_dependency_launches_at_once_with_references() -> None:
    core = make_core()
    dep = launched_dep(core)
    (launch,) = core.handle(Submitted(2, call(dep, 5, inputs=[dep])))
    assert isinstance(launch, Launch) and launch.refs and launch.executor == "htex"
    assert launch.args == (dep, 5) and launch.kwargs == {"inputs": [dep]}
    (resolve,) = core.handle(AttemptFinished(2, 0, True, 7))
    assert isinstance(resolve, ResolveAppFuture) and resolve.value == 7


def test_finished_dependencies_are_put_in_and_running_ones_referred_to() -> None:
    core = make_core()
    dep = launched_dep(core)
    finished: Future[Any] = Future()
    finished.set_result(3)
    (launch,) = core.handle(Submitted(2, call(dep, finished)))
    assert isinstance(launch, Launch) and launch.refs and launch.args == (dep, 3)


def test_the_ordinary_path_when_references_are_not_allowed() -> None:
    for core in (make_core(retries=1), make_core(deep=True), make_core(refs=False)):
        dep = launched_dep(core)
        (watch,) = core.handle(Submitted(2, call(dep)))
        assert isinstance(watch, WatchFutures)
    core = make_core()
    plain: Future[Any] = Future()  # not an AppFuture of this kernel's executor
    (watch,) = core.handle(Submitted(2, call(plain)))
    assert isinstance(watch, WatchFutures)
    dep = launched_dep(core, 3)
    (watch,) = core.handle(Submitted(4, call(dep, kind="bash")))
    assert isinstance(watch, WatchFutures)


def test_a_failed_dependency_reported_by_the_executor_gives_dependency_error() -> None:
    core = make_core()
    dep = launched_dep(core)
    core.handle(Submitted(2, call(dep)))
    core.handle(AttemptFinished(1, 0, False, ValueError("bad")))
    dep.set_exception(ValueError("bad"))  # the shell resolves the future
    (resolve,) = core.handle(AttemptFinished(2, 0, False, RemoteDependencyFailed(False)))
    assert isinstance(resolve, ResolveAppFuture) and isinstance(resolve.error, DependencyError)
    assert "task 1" in str(resolve.error)
    names = [to for _, to, _, _ in story_names(resolve.story)]
    assert names[-2:] == ["PENDING", "DEP_FAILED"]


def test_a_dependency_the_executor_did_not_hold_is_resolved_here_and_relaunched() -> None:
    core = make_core()
    dep = launched_dep(core)
    core.handle(Submitted(2, call(dep, 1)))
    (watch,) = core.handle(AttemptFinished(2, 0, False, RemoteDependencyFailed(True)))
    assert isinstance(watch, WatchFutures) and watch.futures == (dep,)
    core.handle(AttemptFinished(1, 0, True, 4))
    dep.set_result(4)
    (launch,) = core.handle(DependencyDone(2))
    assert isinstance(launch, Launch) and not launch.refs and launch.try_id == 1
    assert launch.args == (4, 1)
    (resolve,) = core.handle(AttemptFinished(2, 1, True, 4))
    assert isinstance(resolve, ResolveAppFuture) and resolve.error is None
