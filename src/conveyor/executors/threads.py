"""ThreadPoolExecutor: runs tasks on threads of the user's process (Parsl's name and options).

Data path position: kernel ``Launch`` -> ``submit`` -> a named pool thread runs ``fn``.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any

from conveyor.errors import ConfigurationError
from conveyor.executors.base import Executor, ExecutorStatistics, Outcome
from conveyor.monitoring.link import MonitoringLink

__all__ = ["ThreadPoolExecutor"]


class ThreadPoolExecutor(Executor):
    """Run tasks on up to ``max_threads`` threads in this process."""

    def __init__(
        self,
        label: str = "threads",
        max_threads: int | None = 2,
        thread_name_prefix: str = "",
        storage_access: list[Any] | None = None,
        working_dir: str | None = None,
        remote_monitoring_radio: Any = None,
    ) -> None:
        super().__init__()
        if max_threads is not None and (not isinstance(max_threads, int) or max_threads < 1):
            raise ConfigurationError(
                f"ThreadPoolExecutor.max_threads must be an int >= 1, got {max_threads!r}"
            )
        if not isinstance(label, str) or not label:
            raise ConfigurationError("ThreadPoolExecutor.label must be a non-empty str")
        self.label = label
        self.max_threads = max_threads
        self.thread_name_prefix = thread_name_prefix or f"conveyor-{label}"
        self.storage_access = storage_access
        self.working_dir = working_dir
        self._pool: cf.ThreadPoolExecutor | None = None
        self._closed = False
        self._submitted = 0
        #: set by the kernel before start when a MonitoringHub is configured
        self.monitoring: MonitoringLink | None = None

    def start(self) -> None:
        """Create the thread pool (threads start lazily, on demand)."""
        if self._pool is None and not self._closed:
            self._pool = cf.ThreadPoolExecutor(self.max_threads, self.thread_name_prefix)

    def submit(
        self,
        func: Callable[..., Any],
        resource_specification: Mapping[str, Any],
        *args: Any,
        **kwargs: Any,
    ) -> Future[Any]:
        """Run ``func(*args, **kwargs)`` on a pool thread."""
        if self._closed:
            raise RuntimeError(f"cannot submit to executor {self.label!r} after shutdown")
        if resource_specification:
            from conveyor.errors import InvalidResourceSpecification

            allowed = {"priority"}
            bad = set(resource_specification) - allowed
            if bad:
                raise InvalidResourceSpecification(
                    bad, f"ThreadPoolExecutor does not support resource keys {sorted(bad)}"
                )
        if self._pool is None:
            self.start()
        assert self._pool is not None
        self._submitted += 1
        return self._pool.submit(func, *args, **kwargs)

    def submit_outcome(
        self,
        done: Outcome,
        func: Callable[..., Any],
        resource_specification: Mapping[str, Any],
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
        refs: bool = False,
    ) -> int | None:
        """As the base class; with monitoring on, the try's running times are recorded."""
        if self.monitoring is not None:
            func = self.monitoring.timed(func, done)
        return super().submit_outcome(done, func, resource_specification, args, kwargs, refs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop accepting tasks; optionally wait for running ones. Idempotent."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)

    def statistics(self) -> ExecutorStatistics:
        """Counters of this executor."""
        return ExecutorStatistics(
            label=self.label,
            completed=0,
            connected_workers=self.max_threads or 0,
            extra={"submitted": self._submitted},
        )
