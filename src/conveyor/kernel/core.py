"""KernelCore: the kernel's decisions, synchronous and thread-free.

Data path position: the DataFlowKernel shell feeds each event to ``handle`` under its
kernel lock (in the thread where the event arose) and carries out the returned
instructions. Only this class holds TaskRecords; only ``transition`` writes
their state. Tests drive it directly, without threads or executors::

    Submitted -> [PENDING] -(deps done)-> [READY] -(memo hit)-> MEMO_DONE
                                            | launch
                                        [LAUNCHED] -(value)-> EXEC_DONE | JOINING -> EXEC_DONE/FAILED
                                            | error: retry -> PENDING -> READY ... | give up -> FAILED
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conveyor.elaborations.base import Memoizer
from conveyor.elaborations.dependencies import DependencyResolver, gather_call, unwrap_call
from conveyor.elaborations.joins import combine, interpret
from conveyor.elaborations.memoization import filters_uncached
from conveyor.elaborations.retries import Retry, RetryPolicy
from conveyor.elaborations.routing import Router
from conveyor.errors import (
    ConfigurationError,
    DependencyError,
    InternalError,
    JoinError,
    RemoteDependencyFailed,
)
from conveyor.kernel import tasklog
from conveyor.kernel.events import (
    AttemptFinished,
    DependencyDone,
    Event,
    Instruction,
    Launch,
    LaunchFailed,
    ResolveAppFuture,
    Submitted,
    WatchFutures,
)
from conveyor.kernel.observe import TaskObserver
from conveyor.kernel.record import Attempt
from conveyor.kernel.refs import referable_label, unwrap_done
from conveyor.kernel.states import TERMINAL, TaskState
from conveyor.kernel.transitions import (
    StoryEntry,
    TaskRecord,
    last_state,
    record_entry,
    transition,
)

__all__ = ["CorePolicies", "KernelCore"]

logger = logging.getLogger(__name__)
S = TaskState
INTERNAL_LABEL = "_parsl_internal"


@dataclass(frozen=True, slots=True)
class CorePolicies:
    """The elaborations the core consults, in the order built by ``kernel/pipeline.py``."""

    resolver: DependencyResolver
    retry: RetryPolicy
    router: Router
    #: builds the callable sent to the executor (bash runner, walltime, wrappers)
    prepare: Callable[[TaskRecord], Callable[..., Any]]
    memoizer: Memoizer | None = None
    garbage_collect: bool = True
    validate: bool = False
    #: executors that take a task's ``walltime`` in its resource specification
    walltime_labels: frozenset[str] = frozenset()
    #: executors that take unfinished dependencies as references (kernel/refs.py)
    ref_labels: frozenset[str] = frozenset()
    #: whether launches need no run-side wrappers (staging adds some)
    plain_run: Callable[[], bool] = lambda: True


class KernelCore:
    """Owns every task record; turns events into state transitions and instructions."""

    def __init__(self, policies: CorePolicies) -> None:
        self.p = policies
        self.tasks: dict[int, TaskRecord] = {}
        #: told of every transition while monitoring is on (kernel/observe.py)
        self.observer: TaskObserver | None = None
        #: whether per-task log records are wanted (checked once per event: tasklog.py)
        self._log = False
        #: tasks finished so far, per terminal state (live ones are counted on demand)
        self.ended: Counter[TaskState] = Counter(dict.fromkeys(TERMINAL, 0))
        memoizer = policies.memoizer
        #: the memoizer wants every task, not only those of apps with cache=True
        self._memo_all = memoizer is not None and not filters_uncached(memoizer)

    def handle(self, event: Event) -> list[Instruction]:
        """Apply one event; return what the shell must do next."""
        self._log = tasklog.wanted()
        rec = self.tasks.get(event.task_id) if not isinstance(event, Submitted) else None
        if isinstance(event, Submitted):
            rec = TaskRecord(event.task_id, event.call)
            out = self._submitted(rec, event.refused)
        elif rec is None:
            logger.warning("event %r for unknown or finished task; ignored", event)
            return []
        elif isinstance(event, DependencyDone):
            out = self._dependency_done(rec)
        elif isinstance(event, AttemptFinished):
            out = self._attempt_finished(rec, event)
        elif isinstance(event, LaunchFailed):
            out = (
                self._attempt_failed(rec, event.error, "LaunchFailed")
                if self._current(rec, event.try_id)
                else []
            )
        else:
            out = self._join_part_done(rec)
        if self.p.validate:
            self._validate(rec)
        return out

    def story(self, task_id: int) -> list[StoryEntry]:
        """The transitions of a live task (finished tasks carry theirs on the AppFuture)."""
        rec = self.tasks.get(task_id)
        return rec.story if rec else []

    def counts(self) -> Counter[TaskState]:
        """Live tasks per state (computed on demand: kept off the hot path)."""
        return Counter(rec.state for rec in list(self.tasks.values()))

    def state(self, task_id: int) -> TaskState | None:
        """The state of a live task, or None once it has been collected."""
        rec = self.tasks.get(task_id)
        return rec.state if rec else None

    # --- event handlers -------------------------------------------------------------

    def _submitted(self, rec: TaskRecord, refused: BaseException | None) -> list[Instruction]:
        if rec.id in self.tasks:
            raise InternalError(f"task {rec.id} submitted twice")
        self.tasks[rec.id] = rec
        record_entry(rec, None, S.PENDING, "Submitted")
        if self.observer is not None:
            self.observer.moved(rec, S.PENDING)
        if refused is not None:  # a bad call: its future fails, the call itself did not
            self._move(rec, S.FAILED, "SubmitRefused")
            return self._finish(rec, None, refused)
        deps = gather_call(self.p.resolver, rec.call.args, rec.call.kwargs)
        if self._log:
            tasklog.submitted(rec.id, rec.call.func_name, deps)
        if not deps:  # nothing to unwrap: the call's own arguments go to the executor
            rec.args, rec.kwargs = rec.call.args, rec.call.kwargs
            self._move(rec, S.READY, "DepsResolved")
            return self._memo_or_launch(rec)
        pending = tuple(f for f in deps if not f.done())
        if pending:
            label = referable_label(self.p, self.tasks, rec, deps, self._memoized(rec))
            if label is not None:
                rec.args, rec.kwargs = unwrap_done(rec.call.args, rec.call.kwargs)
                self._move(rec, S.READY, "DepsReferenced")
                return self._launch(rec, label, refs=True)
        return self._await(rec, pending)

    def _await(self, rec: TaskRecord, pending: tuple[Any, ...]) -> list[Instruction]:
        """Watch the unfinished dependencies, or resolve them all now when there are none."""
        if pending:
            rec.waiting = len(pending)
            return [WatchFutures(rec.id, pending)]
        return self._deps_resolved(rec)

    def _references_refused(self, rec: TaskRecord) -> list[Instruction]:
        """The executor will not run a task sent with references: resolve it here instead.

        A failed dependency then fails it with DependencyError, as on the ordinary path;
        otherwise it waits for what is unfinished and launches again with the values.
        """
        self._close_attempt(rec, "dependency references refused by the executor")
        self._move(rec, S.PENDING, "DepsReferenceRefused")
        deps = gather_call(self.p.resolver, rec.call.args, rec.call.kwargs)
        return self._await(rec, tuple(f for f in deps if not f.done()))

    def _dependency_done(self, rec: TaskRecord) -> list[Instruction]:
        rec.waiting -= 1
        return self._deps_resolved(rec) if rec.waiting == 0 else []

    def _deps_resolved(self, rec: TaskRecord) -> list[Instruction]:
        unwrapped = unwrap_call(self.p.resolver, rec.call.args, rec.call.kwargs)
        if unwrapped.failures:
            return self._failed(
                rec, DependencyError(unwrapped.failures, rec.id), "DependencyFailed"
            )
        rec.args, rec.kwargs = unwrapped.args, unwrapped.kwargs
        self._move(rec, S.READY, "DepsResolved")
        return self._memo_or_launch(rec)

    def _memo_or_launch(self, rec: TaskRecord) -> list[Instruction]:
        memoizer = self.p.memoizer
        if memoizer is not None and self._memoized(rec):
            try:
                hit = memoizer.check_memo(rec.view())
            except Exception as exc:  # noqa: BLE001 - e.g. an argument with no memo key
                return self._failed(rec, exc, "MemoRefused")
            hashsum = getattr(memoizer, "hashsum", None)
            if callable(hashsum):
                rec.hashsum = hashsum(rec.id)
            if hit is not None:
                rec.from_memo = True
                error = hit.exception()
                if error is not None:  # a cached failure fails again, as a failed attempt
                    return self._failed(rec, error, "MemoHit")
                self._move(rec, S.MEMO_DONE, "MemoHit")
                value = hit.result()
                self._remember(rec, value)  # re-recorded into this run's checkpoint
                return self._finish(rec, value, None)
        return self._launch(rec)

    def _launch(
        self, rec: TaskRecord, label: str | None = None, refs: bool = False
    ) -> list[Instruction]:
        call = rec.call
        try:
            if label is None:
                label = (
                    INTERNAL_LABEL
                    if call.options.kind == "join"
                    else self.p.router.choose(call.options.executors)
                )
            func = self.p.prepare(rec)
        except (ConfigurationError, TypeError, ValueError) as exc:
            return self._failed(rec, exc, "LaunchRefused")
        rec.executor = label
        try_id = len(rec.attempts)
        rec.attempts = (*rec.attempts, Attempt(try_id, label, time.time()))
        self._move(rec, S.LAUNCHED, "Launched")
        spec = call.resource_spec
        walltime = rec.kwargs.get("walltime")
        if walltime is not None and label in self.p.walltime_labels:
            spec = {**spec, "walltime": walltime}
        return [Launch(rec.id, try_id, label, func, rec.args, rec.kwargs, spec, refs)]

    def _attempt_finished(self, rec: TaskRecord, ev: AttemptFinished) -> list[Instruction]:
        if not self._current(rec, ev.try_id):
            return []
        value = ev.value
        if not ev.ok:
            if type(value) is RemoteDependencyFailed:
                return self._references_refused(rec)
            return self._attempt_failed(rec, value, "AttemptFailed")
        self._close_attempt(rec, None)
        if rec.call.options.kind == "join":
            return self._start_join(rec, value)
        self._move(rec, S.EXEC_DONE, "AttemptSucceeded")
        self._remember(rec, value)
        return self._finish(rec, value, None)

    def _attempt_failed(
        self, rec: TaskRecord, error: BaseException, cause: str
    ) -> list[Instruction]:
        self._close_attempt(rec, repr(error))
        return self._failed(rec, error, cause)

    def _failed(self, rec: TaskRecord, error: BaseException, cause: str) -> list[Instruction]:
        """A failure (attempt, launch, memo or dependency): count it, then retry or give up.

        As Parsl: ``fail_count`` already counts this failure when the retry_handler sees
        the task; a DependencyError is never retried; the handler's own error fails the task.
        """
        rec.fail_count += 1
        rec.fail_history = (*rec.fail_history, repr(error))
        decision = self.p.retry.judge(rec.view(), error)
        rec.fail_cost += decision.cost
        if isinstance(decision, Retry):
            self._move(rec, S.PENDING, f"{cause}: retry")
            self._move(rec, S.READY, "DepsResolved")
            return self._memo_or_launch(rec)
        error = decision.error
        dep_failed = isinstance(error, DependencyError) and rec.state is S.PENDING
        self._move(rec, S.DEP_FAILED if dep_failed else S.FAILED, cause)
        return self._finish_failed(rec, error)

    def _start_join(self, rec: TaskRecord, value: Any) -> list[Instruction]:
        try:
            rec.join = interpret(value)
        except TypeError as exc:
            self._move(rec, S.FAILED, "JoinRefused")
            return self._finish_failed(rec, exc)
        self._move(rec, S.JOINING, "AttemptSucceeded")
        pending = tuple(f for f in rec.join.futures if not f.done())
        if pending:
            rec.waiting = len(pending)
            return [WatchFutures(rec.id, pending, join=True)]
        return self._join_complete(rec)

    def _join_part_done(self, rec: TaskRecord) -> list[Instruction]:
        rec.waiting -= 1
        return self._join_complete(rec) if rec.waiting == 0 else []

    def _join_complete(self, rec: TaskRecord) -> list[Instruction]:
        assert rec.join is not None
        try:
            value = combine(rec.join, rec.id)
        except JoinError as exc:
            self._move(rec, S.FAILED, "JoinFailed")
            return self._finish_failed(rec, exc)
        self._move(rec, S.EXEC_DONE, "JoinSucceeded")
        self._remember(rec, value)
        return self._finish(rec, value, None)

    # --- helpers --------------------------------------------------------------------

    def _memoized(self, rec: TaskRecord) -> bool:
        """Whether the memoizer looks at this task (every task, or apps with cache=True)."""
        return self.p.memoizer is not None and (self._memo_all or rec.call.options.cache)

    def _move(self, rec: TaskRecord, to: TaskState, cause: str) -> None:
        start = rec.state
        transition(rec, to, cause)
        if self._log:
            tasklog.moved(rec.id, start, to)
        if self.observer is not None:
            self.observer.moved(rec, to)

    def _current(self, rec: TaskRecord, try_id: int) -> bool:
        ok = rec.state is S.LAUNCHED and try_id == len(rec.attempts) - 1
        if not ok:
            logger.warning(
                "stale completion of task %s try %s ignored (state %s)", rec.id, try_id, rec.state
            )
        return ok

    def _close_attempt(self, rec: TaskRecord, error: str | None) -> None:
        *done, last = rec.attempts
        closed = Attempt(last.try_id, last.executor, last.time_launched, time.time(), error)
        rec.attempts = (*done, closed)

    def _finish_failed(self, rec: TaskRecord, error: BaseException) -> list[Instruction]:
        """Tell the memoizer about the failure (as Parsl, for every failed task), then finish."""
        memoizer = self.p.memoizer
        if memoizer is not None and self._memoized(rec):
            try:
                memoizer.update_memo_exception(rec.view(), error)
            except Exception:  # noqa: BLE001 - the task failed anyway; only caching failed
                logger.exception("could not memoize the failure of task %s", rec.id)
        return self._finish(rec, None, error)

    def _remember(self, rec: TaskRecord, value: Any) -> None:
        if self.p.memoizer is not None and self._memoized(rec):
            try:
                self.p.memoizer.update_memo_result(rec.view(), value)
            except Exception:  # noqa: BLE001 - the task succeeded; only caching failed
                logger.exception("could not memoize the result of task %s", rec.id)

    def _finish(
        self, rec: TaskRecord, value: Any, error: BaseException | None
    ) -> list[Instruction]:
        rec.time_returned = time.time()
        self.ended[rec.state] += 1
        if self.p.garbage_collect:
            del self.tasks[rec.id]
        return [ResolveAppFuture(rec.id, value, error, rec.log, rec.hashsum)]

    def _validate(self, rec: TaskRecord | None) -> None:
        if rec is None:
            return
        live = self.tasks.get(rec.id)
        if rec.state.terminal and self.p.garbage_collect and live is not None:
            raise InternalError(f"terminal task {rec.id} was not collected")
        if rec.waiting < 0:
            raise InternalError(f"task {rec.id} waits on {rec.waiting} futures")
        if rec.state in (S.LAUNCHED, S.JOINING) and not rec.attempts:
            raise InternalError(f"task {rec.id} is {rec.state} without an attempt")
        if rec.state is not last_state(rec.log):
            raise InternalError(f"task {rec.id}: state {rec.state} disagrees with its story")
