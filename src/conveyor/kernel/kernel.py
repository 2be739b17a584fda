"""DataFlowKernel: the thin shell around KernelCore that owns threads, executors and futures.

Data path position::

    App.__call__ -> submit(call)     (user thread: rewriters, AppFuture,
                                      core.handle(Submitted) -> Launch -> submit_outcome)
    executor's thread: the outcome -> core.handle(AttemptFinished) -> ResolveAppFuture
    kernel thread: DependencyDone / JoinPartDone / LaunchFailed events from its queue

Every stimulus becomes an event handled by ``KernelCore.handle`` under one kernel lock,
so the transition table stays the only writer of task state. A submission and an
attempt's outcome are handled at once in the thread where they arise: a task with
nothing to wait for reaches the executor, and its result its AppFuture, without waking
the kernel thread (two thread hand-offs fewer per round trip). Events raised by future
callbacks go through the kernel thread's queue instead, so a long chain of dependent
tasks never recurses through callbacks. The lock is held only while the core decides;
instructions are carried out after it is released. ``cleanup()`` stops everything this
kernel started, in reverse order.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import queue
import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import wait
from contextlib import ExitStack
from types import TracebackType
from typing import Any, Self

from conveyor.app.call import AppCall
from conveyor.config import Config
from conveyor.elaborations.base import Memoizer
from conveyor.errors import ConfigurationError, DataFlowException, NoDataFlowKernelError
from conveyor.executors.base import Executor
from conveyor.executors.threads import ThreadPoolExecutor
from conveyor.futures import AppFuture
from conveyor.kernel import tasklog
from conveyor.kernel.core import INTERNAL_LABEL, KernelCore
from conveyor.kernel.events import (
    AttemptFinished,
    DependencyDone,
    Event,
    Instruction,
    JoinPartDone,
    Launch,
    LaunchFailed,
    ResolveAppFuture,
    Submitted,
    WatchFutures,
)
from conveyor.kernel.pipeline import build_pipeline, parsl_type_name
from conveyor.kernel.queries import KernelQueries
from conveyor.log_utils import make_rundir
from conveyor.logconfigs import start_run_logging
from conveyor.monitoring.hub import MonitoringRun, start_monitoring

__all__ = ["DataFlowKernel"]

logger = logging.getLogger(__name__)
_STOP = object()
_LIVE: weakref.WeakSet[DataFlowKernel] = weakref.WeakSet()


class DataFlowKernel(KernelQueries):
    """Runs apps: tracks each task from submission to its AppFuture's result.

    What it answers about its tasks (stories, counts, ``tasks``, ``run_id``) is in
    :class:`~conveyor.kernel.queries.KernelQueries`.
    """

    def __init__(self, config: Config | None = None, *, validate: bool = False) -> None:
        self.config = config if config is not None else Config()
        self._stack = ExitStack()
        self._closed = False
        self.run_dir = make_rundir(self.config.run_dir)
        self._start_logging()
        self.monitoring: MonitoringRun | None = None
        self.executors: dict[str, Executor] = {}
        try:
            self.monitoring = self._start_monitoring()
            self._start_executors()
            self.memoizer = self._start_memoizer()
        except BaseException:
            self._stack.close()  # e.g. BadCheckpoint: stop what has started already
            raise
        self._start_core(validate)
        self._ids = itertools.count()
        self._futures: dict[int, AppFuture] = {}
        # bound once: every AppFuture points at these two instead of a fresh pair
        self._story_fn, self._status_fn = self.story, self._status
        #: bound once too: every task's outcome callable holds it
        self._handle_fn = self._handle
        self._submitted = 0
        self._events: queue.SimpleQueue[Any] = queue.SimpleQueue()
        #: serializes core.handle (re-entrant: user code the core calls may submit apps)
        self._lock = threading.RLock()
        self._thread = threading.Thread(target=self._run, name="conveyor-kernel", daemon=True)
        self._thread.start()
        self._stack.callback(self._stop_thread)
        _LIVE.add(self)
        logger.info(
            "DataFlowKernel started: run_dir=%s executors=%s", self.run_dir, list(self.executors)
        )

    # --- start-up -----------------------------------------------------------------

    def _start_core(self, validate: bool) -> None:
        """The elaboration pipeline, and the core deciding with its policies."""
        self._pipeline = build_pipeline(
            self.config,
            self.run_dir,
            self._user_labels(),
            self.memoizer,
            kernel=weakref.ref(self),
            validate=validate,
        )
        assert self._pipeline.policies is not None
        self._core = KernelCore(self._pipeline.policies)
        if self.monitoring is not None:
            self._core.observer = self.monitoring.observer

    def _start_logging(self) -> None:
        self._stack.callback(start_run_logging(self.config.initialize_logging, self.run_dir))

    def _start_executors(self) -> None:
        internal = ThreadPoolExecutor(
            INTERNAL_LABEL, max_threads=self.config.internal_tasks_max_threads
        )
        for ex in (*self.config.executors_tuple, internal):
            self._start_executor(ex)

    def _start_executor(self, ex: Executor) -> None:
        kind = parsl_type_name(type(ex))
        logger.info(
            "Adding executor %s of type %s",
            ex.label,
            kind,
            extra={"parsl.executor.label": ex.label, "parsl.executor.type": kind},
        )
        ex.run_dir = self.run_dir
        ex.run_id = self.run_dir.rsplit("/", 1)[-1]
        _apply_block_config(ex, self.config)
        if self.monitoring is not None and hasattr(ex, "monitoring"):
            ex.monitoring = self.monitoring.link
        ex.start()
        self.executors[ex.label] = ex
        # Parsl's cleanup: threads finish what runs; HTEX tasks are not waited for.
        # A user's Parsl-style executor may define shutdown() without arguments.
        waits = getattr(ex, "waits_at_cleanup", None)
        if waits is None:
            self._stack.callback(ex.shutdown)
        else:
            self._stack.callback(ex.shutdown, wait=waits)

    def add_executors(self, executors: Sequence[Executor]) -> None:
        """Start more executors in this running kernel (Parsl's ``dfk.add_executors``)."""
        for ex in executors:
            if ex.label in self.executors:
                raise ConfigurationError(f"an executor labelled {ex.label!r} is already loaded")
            self._start_executor(ex)
        self._core.p = self._pipeline.add_executors(executors, self._core.p)

    def _start_monitoring(self) -> MonitoringRun | None:
        config = self.config
        run = start_monitoring(
            config.monitoring, self.run_dir, config.run_dir, config.initialize_logging
        )
        if run is None:
            return None
        self._stack.callback(run.close)  # after the executors: their last reports count
        return run

    def _start_memoizer(self) -> Memoizer:
        memoizer = self.config.memoizer
        if memoizer is None:
            from conveyor.elaborations.memoization import BasicMemoizer

            memoizer = BasicMemoizer()
        memoizer.start(run_dir=self.run_dir, config_run_dir=self.config.run_dir)
        self._stack.callback(memoizer.close)
        return memoizer

    def _user_labels(self) -> list[str]:
        return [label for label in self.executors if label != INTERNAL_LABEL]

    # --- submission -----------------------------------------------------------------

    def submit(self, call: AppCall) -> AppFuture:
        """Accept one app call; return its AppFuture at once. Thread-safe."""
        if self._closed:
            raise NoDataFlowKernelError("Cannot submit to a DFK that has been cleaned up")
        tid = next(self._ids)
        refused: BaseException | None = None
        for rewriter in self._pipeline.rewriters:
            try:
                call = rewriter.rewrite(call, tid)
            except Exception as exc:
                if not getattr(rewriter, "refuses_task", False):
                    raise  # e.g. a user's std_autopath, or a File no provider can stage
                refused = exc  # the task fails through its future (Parsl's behaviour)
                break
        fut = AppFuture(tid, story=self._story_fn, status=self._status_fn, func=call.func)
        attach = self._pipeline.attach_outputs
        if call.kwargs and refused is None and attach is not None:
            attach(call, fut, tid)  # DataFutures; a provider's stage_out error reaches us
        self._futures[tid] = fut
        self._submitted += 1
        self._handle(Submitted(tid, call, refused))
        return fut

    def submit_internal(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> AppFuture:
        """Run ``func`` as a task on the internal executor (used by staging)."""
        from conveyor.app.call import AppOptions

        options = AppOptions(kind="python", executors=(INTERNAL_LABEL,))
        call = AppCall(func, args, kwargs, options, func_name=getattr(func, "__name__", "internal"))
        return self.submit(call)

    # --- the kernel thread ---------------------------------------------------------

    def _run(self) -> None:
        get, handle = self._events.get, self._handle
        while True:
            event = get()
            if event is _STOP:
                return
            handle(event)

    def _handle(self, event: Event) -> None:
        """Let the core decide under the kernel lock, then carry out its instructions."""
        try:
            with self._lock:
                instructions = self._core.handle(event)
            self._execute(instructions)
        except Exception:  # noqa: BLE001 - a kernel bug must not kill its caller silently
            logger.exception("kernel failed handling %r", event)
            self._fail_task(event, "internal error handling this task; see parsl.log")

    def _execute(self, instructions: list[Instruction]) -> None:
        for ins in instructions:
            if isinstance(ins, Launch):
                self._launch(ins)
            elif isinstance(ins, ResolveAppFuture):
                self._resolve(ins)
            else:
                self._watch(ins)

    def _launch(self, ins: Launch) -> None:
        tid, try_id = ins.task_id, ins.try_id
        done = _AttemptDone(self._handle_fn, tid, try_id)
        executor, spec = self.executors[ins.executor], ins.resource_spec
        try:
            if ins.refs:
                ref = executor.submit_outcome(done, ins.func, spec, ins.args, ins.kwargs, True)
            else:
                ref = executor.submit_outcome(done, ins.func, spec, ins.args, ins.kwargs)
        except Exception as exc:  # noqa: BLE001 - becomes the attempt's error
            self._events.put(LaunchFailed(tid, try_id, exc))
            return
        if tasklog.wanted():
            tasklog.launched(tid, try_id, ins.executor, ref)
        if ref is not None:  # later tasks may refer to this one on that executor
            fut = self._futures.get(tid)
            if fut is not None:
                fut.executor_ref = ref

    def _watch(self, ins: WatchFutures) -> None:
        event: Event = JoinPartDone(ins.task_id) if ins.join else DependencyDone(ins.task_id)
        put = self._events.put
        for f in ins.futures:
            f.add_done_callback(lambda _f: put(event))

    def _resolve(self, ins: ResolveAppFuture) -> None:
        fut = self._futures.pop(ins.task_id, None)
        if fut is None or fut.done():
            return
        fut.final_story = ins.story  # the kernel forgets the task; its future keeps the story
        if ins.hashsum is not None:  # only memoized tasks pay for keeping their memo key
            fut._hashsum = ins.hashsum
        if ins.error is not None:
            fut.set_exception(ins.error)
        else:
            fut.set_result(ins.value)

    def _fail_task(self, event: Any, reason: str) -> None:
        fut = self._futures.pop(getattr(event, "task_id", -1), None)
        if fut is not None and not fut.done():
            fut.set_exception(DataFlowException(reason))

    # --- lifecycle ------------------------------------------------------------------

    def wait_for_current_tasks(self, timeout: float | None = None) -> None:
        """Block until every task submitted so far has finished."""
        wait(list(self._futures.values()), timeout=timeout)

    def checkpoint(self) -> None:
        """Write pending checkpoint entries now (``checkpoint_mode='manual'``)."""
        self.memoizer.checkpoint()

    def cleanup(self) -> None:
        """Stop executors, the kernel thread and the memoizer; fail tasks still pending."""
        if self._closed:
            return
        self._closed = True
        logger.info("DataFlowKernel cleanup: %d tasks outstanding", len(self._futures))
        self.log_task_states()
        try:
            self._stack.close()
        finally:
            self._fail_outstanding()
            _LIVE.discard(self)
            from conveyor.kernel import current

            current.forget(self)

    def _stop_thread(self) -> None:
        self._events.put(_STOP)
        self._thread.join()

    def _fail_outstanding(self) -> None:
        for tid, fut in list(self._futures.items()):
            if not fut.done():
                fut.set_exception(
                    DataFlowException(
                        f"task {tid} did not finish before the DataFlowKernel was cleaned up "
                        "(cleanup does not wait for running tasks: wait for their futures "
                        "first, or use Config(exit_mode='wait'))"
                    )
                )
        self._futures.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        mode = self.config.exit_mode
        if mode == "skip":
            return
        if mode == "wait" and exc_type is None:
            self.wait_for_current_tasks()
        self.cleanup()


def _apply_block_config(ex: Executor, config: Config) -> None:
    configure = getattr(ex, "configure_scaling", None)
    if configure is not None:
        configure(
            strategy=config.strategy,
            strategy_period=config.strategy_period,
            max_idletime=config.max_idletime,
        )


@atexit.register
def _cleanup_at_exit() -> None:
    for dfk in list(_LIVE):
        try:
            dfk.cleanup()
        except Exception:  # noqa: BLE001 - best effort at interpreter exit
            logger.exception("cleanup at exit failed")


class _AttemptDone:
    """The attempt's Outcome for the executor: handles AttemptFinished in the reporting thread.

    (A slotted object is smaller than a closure; one exists per task in flight.)
    """

    __slots__ = ("handle", "task_id", "try_id")

    def __init__(self, handle: Callable[[Event], None], task_id: int, try_id: int) -> None:
        self.handle, self.task_id, self.try_id = handle, task_id, try_id

    def __call__(self, ok: bool, value: Any) -> None:
        self.handle(AttemptFinished(self.task_id, self.try_id, ok, value))
