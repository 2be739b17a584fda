"""When a task may leave before its dependencies finish, carrying references to them.

An executor that ``accepts_references`` (HTEX) can hold a task until the tasks it
depends on, running on it too, finish, and hand it their results next to the data: no
round trip through this process per dependency. The kernel allows this only where
nothing of its own must happen between the dependencies' end and the launch:

- the shallow dependency resolver (the executor replaces futures where it looks);
- no retries and no retry handler (a retried dependency would change its id);
- no memoization for the task (the memo key needs the arguments' values);
- a plain ``python`` app without a ``walltime`` and no run-side wrappers (staging);
- every unfinished dependency an AppFuture of a ``python``/``bash`` task launched on
  the same executor, with its id there (``AppFuture.executor_ref``); finished ones
  must have succeeded (their values are put in now).

Everything else takes the ordinary path; so does a task the executor gives back
(RemoteDependencyFailed): the kernel then resolves its dependencies itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from conveyor.elaborations.dependencies import SHALLOW_DEPENDENCY_RESOLVER
from conveyor.errors import ConfigurationError
from conveyor.execution.refs import map_call
from conveyor.futures import AppFuture
from conveyor.kernel.states import TaskState

if TYPE_CHECKING:
    from conveyor.kernel.core import CorePolicies
    from conveyor.kernel.transitions import TaskRecord

__all__ = ["referable_label", "unwrap_done"]


def referable_label(
    p: CorePolicies,
    tasks: Mapping[int, TaskRecord],
    rec: TaskRecord,
    deps: Sequence[Future[Any]],
    memoized: bool,
) -> str | None:
    """The executor label to launch ``rec`` on with references, or None for the usual path."""
    call = rec.call
    if (
        not p.ref_labels
        or p.resolver is not SHALLOW_DEPENDENCY_RESOLVER
        or p.retry.retries
        or p.retry.handler is not None
        or memoized
        or call.options.kind != "python"
        or "walltime" in call.kwargs
        or not p.plain_run()
    ):
        return None
    try:
        label = p.router.choose(call.options.executors)
    except ConfigurationError:
        return None
    if label not in p.ref_labels:
        return None
    return label if all(_referable(f, tasks, label) for f in deps) else None


def _referable(f: Future[Any], tasks: Mapping[int, TaskRecord], label: str) -> bool:
    if f.done():
        return not f.cancelled() and f.exception() is None
    if type(f) is not AppFuture or f.executor_ref is None:
        return False
    dep = tasks.get(f.tid)
    return (
        dep is not None
        and dep.state is TaskState.LAUNCHED
        and dep.executor == label
        and dep.call.options.kind in ("python", "bash")
    )


def unwrap_done(
    args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Finished futures replaced by their values where the shallow resolver looks."""
    return map_call(args, kwargs, _value_if_done)


def _value_if_done(v: Any) -> Any:
    return v.result() if isinstance(v, Future) and v.done() else v
