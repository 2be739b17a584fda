"""The one place where elaboration order lives.

Order, and why:

1. submit-time rewriters (``StdStreams``, the checks ``StreamSpecCheck`` and
   ``ResourceSpecCheck``, then staging's ``Stager``) — they change the call before any
   dependency is looked at, so separate-task stage-ins become dependencies. As in Parsl,
   errors of a user's ``std_autopath`` or of staging reach the caller; a rewriter with
   ``refuses_task = True`` (the checks) fails the task through its future instead;
2. dependencies — the memo key needs resolved argument values;
3. memoization — a hit must skip routing and launching;
4. routing, then the run-side wrappers (bash runner / walltime, then FunctionWrappers:
   in-task staging, which ``Stager`` adds the first time a call carries a File),
   innermost first;
5. after an attempt: retry policy on error, join interpretation on success.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from conveyor.app.bash import run_bash_app, run_with_walltime
from conveyor.app.call import AppCall
from conveyor.config import Config
from conveyor.elaborations.base import FunctionWrapper, Memoizer, SubmitRewriter
from conveyor.elaborations.dependencies import SHALLOW_DEPENDENCY_RESOLVER, DependencyResolver
from conveyor.elaborations.retries import RetryPolicy
from conveyor.elaborations.routing import Router
from conveyor.elaborations.std_streams import ResourceSpecCheck, StdStreams, StreamSpecCheck
from conveyor.errors import DataFlowException
from conveyor.futures import AppFuture
from conveyor.kernel.core import CorePolicies
from conveyor.kernel.transitions import TaskRecord
from conveyor.staging.elaboration import Stager
from conveyor.staging.manager import DataManager

__all__ = ["Pipeline", "build_pipeline", "parsl_type_name"]


@dataclass(slots=True)
class Pipeline:
    """Everything the kernel runs around a task, in order."""

    rewriters: list[SubmitRewriter]
    #: FunctionWrappers applied just before Launch (staging adds to this slot)
    wrappers: list[FunctionWrapper] = field(default_factory=list)
    policies: CorePolicies | None = None
    #: gives a new AppFuture its DataFutures (staging's ``Stager.attach_outputs``)
    attach_outputs: Callable[[AppCall, AppFuture, int], None] | None = None
    data_manager: DataManager | None = None

    def add_executors(self, executors: Sequence[Any], policies: CorePolicies) -> CorePolicies:
        """Route to and stage for executors added to a running kernel; the new policies."""
        router, dm = policies.router, self.data_manager
        router.labels = (*router.labels, *(ex.label for ex in executors))
        if dm is not None:
            for ex in executors:
                dm.executors[ex.label] = ex
                dm.labels.append(ex.label)
        timed = frozenset(ex.label for ex in executors if getattr(ex, "accepts_walltime", False))
        refs = frozenset(ex.label for ex in executors if getattr(ex, "accepts_references", False))
        return replace(
            policies,
            walltime_labels=policies.walltime_labels | timed,
            ref_labels=policies.ref_labels | refs,
        )


def _prepare_factory(
    wrappers: Sequence[FunctionWrapper],
) -> Callable[[TaskRecord], Callable[..., Any]]:
    def prepare(rec: TaskRecord) -> Callable[..., Any]:
        call = rec.call
        func: Callable[..., Any] = call.func
        if call.options.kind == "bash":
            func = functools.partial(run_bash_app, func)
        else:
            walltime = rec.kwargs.get("walltime")
            if walltime is not None:
                func = functools.partial(run_with_walltime, func, float(walltime))
        if wrappers:
            view = rec.view()
            for wrapper in wrappers:
                func = wrapper.wrap(view, func)
        return func

    return prepare


def _live(kernel: Callable[[], Any]) -> Any:
    """The kernel behind a weak reference (staging's ``dm.dfk``), or a clear error."""
    found = kernel()
    if found is None:
        raise DataFlowException("staging needs a running DataFlowKernel")
    return found


def build_pipeline(
    config: Config,
    run_dir: str,
    labels: Sequence[str],
    memoizer: Memoizer | None,
    *,
    kernel: Callable[[], Any] = lambda: None,
    validate: bool = False,
) -> Pipeline:
    """Assemble the rewriters and core policies for one kernel."""
    resolver: DependencyResolver = config.dependency_resolver or SHALLOW_DEPENDENCY_RESOLVER
    pipeline = Pipeline(
        rewriters=[StdStreams(run_dir, config.std_autopath), StreamSpecCheck(), ResourceSpecCheck()]
    )
    executors = {ex.label: ex for ex in config.executors_tuple}
    dm = DataManager(executors, run_dir, functools.partial(_live, kernel))
    pipeline.data_manager = dm
    stager = Stager(dm, pipeline.wrappers)
    pipeline.rewriters.append(stager)
    pipeline.attach_outputs = stager.attach_outputs
    pipeline.policies = CorePolicies(
        resolver=resolver,
        retry=RetryPolicy(config.retries, config.retry_handler),
        router=Router(labels),
        prepare=_prepare_factory(pipeline.wrappers),
        memoizer=memoizer,
        garbage_collect=config.garbage_collect,
        validate=validate,
        walltime_labels=frozenset(k for k, ex in executors.items() if ex.accepts_walltime),
        ref_labels=frozenset(k for k, ex in executors.items() if ex.accepts_references),
        plain_run=lambda: not pipeline.wrappers,
    )
    return pipeline


def parsl_type_name(kind: type) -> str:
    """The Parsl name of a class (longest Parsl module serving it), else its own name.

    ``ThreadPoolExecutor`` -> ``parsl.executors.threads.ThreadPoolExecutor``, as Parsl logs it.
    """
    from conveyor.compat import MODULES

    target = f"{kind.__module__}:{kind.__qualname__}"
    found = [
        f"{module}.{name}"
        for module, names in MODULES.items()
        if isinstance(names, Mapping)
        for name, where in names.items()
        if where == target
    ]
    return max(found, key=len) if found else f"{kind.__module__}.{kind.__qualname__}"
