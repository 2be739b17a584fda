"""ParslPoolExecutor: a ``concurrent.futures.Executor`` whose tasks are conveyor python apps.

Code written against the standard executor interface (``submit``, ``map``, ``shutdown``,
``with``) runs its calls through a dataflow kernel: the futures it gets back are
AppFutures, so they can be passed to other apps as dependencies.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent import futures
from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING, Any, Literal

from conveyor.app.app import App
from conveyor.config import Config
from conveyor.errors import NoDataFlowKernelError

if TYPE_CHECKING:
    from conveyor.futures import AppFuture
    from conveyor.kernel.kernel import DataFlowKernel

__all__ = ["ParslPoolExecutor"]


class ParslPoolExecutor(Executor):
    """Run callables as python apps on a kernel.

    Give ``config`` to load a kernel for this executor (released again by ``shutdown``),
    or ``dfk`` to use a running kernel (left running): exactly one of them, as in Parsl.
    ``executors`` restricts the executor labels the tasks may run on.
    """

    def __init__(
        self,
        config: Config | None = None,
        dfk: DataFlowKernel | None = None,
        executors: Sequence[str] | Literal["all"] = "all",
    ) -> None:
        from conveyor.kernel import current

        if config is not None and dfk is not None:
            raise ValueError("Specify only one of config or dfk")
        self._owns_dfk = config is not None
        if config is not None:
            self._dfk = current.load(config)
        elif dfk is not None:
            self._dfk = dfk
        else:
            raise ValueError("Must specify one of config or dfk")
        self._executors = executors
        self._apps: dict[Any, App] = {}
        self._lock = threading.Lock()
        self._pending: set[Future[Any]] = set()
        self._shut = False

    @property
    def dfk(self) -> DataFlowKernel:
        """The kernel the tasks run on."""
        return self._dfk

    @property
    def app_count(self) -> int:
        """Number of functions made into apps so far (Parsl's attribute)."""
        return len(self._apps)

    def get_app(self, fn: Callable[..., Any]) -> App:
        """The python app running ``fn`` (made once per function)."""
        try:
            app = self._apps.get(fn)
        except TypeError:  # unhashable callable: no caching
            return App(fn, "python", self._dfk, self._executors)
        if app is None:
            app = self._apps[fn] = App(fn, "python", self._dfk, self._executors)
        return app

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> AppFuture:
        """Run ``fn(*args, **kwargs)`` as a python app; return its AppFuture."""
        with self._lock:
            if self._shut:
                raise RuntimeError("Executor has been shut down.")
            fut = self.get_app(fn)(*args, **kwargs)
            self._pending.add(fut)
        fut.add_done_callback(self._forget)
        return fut

    def _forget(self, fut: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(fut)

    def map(
        self,
        fn: Callable[..., Any],
        *iterables: Iterable[Any],
        timeout: float | None = None,
        chunksize: int = 1,
    ) -> Iterator[Any]:
        """Submit ``fn`` over the zipped iterables at once; yield results in order.

        Raises TimeoutError if a result is not ready ``timeout`` seconds after the call;
        ``chunksize`` is accepted and ignored (each call is one task).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        submitted = [self.submit(fn, *args) for args in zip(*iterables, strict=False)]
        return _results_in_order(submitted, deadline)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new tasks; optionally wait for outstanding ones; release an owned kernel.

        As in Parsl, tasks cannot be cancelled: ``cancel_futures=True`` only warns.
        """
        with self._lock:
            self._shut = True
            pending = list(self._pending)
        if cancel_futures:
            warnings.warn("Canceling on-going tasks is not supported in Parsl", stacklevel=2)
        if wait:
            futures.wait(pending)
        if self._owns_dfk:
            self._owns_dfk = False
            _release(self._dfk)


def _release(dfk: DataFlowKernel) -> None:
    """Clear ``dfk`` if it is still the current kernel, else just clean it up."""
    from conveyor.kernel import current

    try:
        is_current = current.dfk() is dfk
    except NoDataFlowKernelError:
        is_current = False
    if is_current:
        current.clear()
    else:
        dfk.cleanup()


def _results_in_order(submitted: list[AppFuture], deadline: float | None) -> Iterator[Any]:
    remaining = submitted[::-1]
    try:
        while remaining:
            fut = remaining[-1]
            if deadline is None:
                value = fut.result()
            else:
                value = fut.result(max(0.0, deadline - time.monotonic()))
            remaining.pop()
            yield value
    finally:
        for fut in remaining:
            fut.cancel()
