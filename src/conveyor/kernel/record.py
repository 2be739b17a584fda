"""What the world outside the kernel may see of a task: frozen :class:`TaskView` snapshots.

The kernel keeps its own mutable record (kernel-private). Elaborations, observers and the
user's ``retry_handler`` receive a ``TaskView``. It also answers Parsl's task-record keys
(``view["id"]``, ``view["fail_count"]``, ...) so retry handlers written for Parsl work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from conveyor.app.call import AppOptions
from conveyor.kernel.states import TaskState

__all__ = ["Attempt", "TaskView"]


@dataclass(slots=True)  # two per task: not frozen (see kernel/events.py); never written
class Attempt:
    """One try at running a task on an executor."""

    try_id: int
    executor: str
    time_launched: float
    time_returned: float | None = None
    #: repr of the error if the attempt failed
    error: str | None = None


# Parsl task-record key -> TaskView attribute
_PARSL_KEYS: Mapping[str, str] = {
    "id": "id",
    "func_name": "func_name",
    "func": "func",
    "args": "args",
    "kwargs": "kwargs",
    "status": "state",
    "executor": "executor",
    "fail_count": "fail_count",
    "fail_cost": "fail_cost",
    "fail_history": "fail_history",
    "try_id": "try_id",
    "memoize": "memoize",
    "ignore_for_cache": "ignore_for_cache",
    "join": "join",
    "resource_specification": "resource_spec",
    "time_invoked": "time_invoked",
    "time_returned": "time_returned",
    "from_memo": "from_memo",
    "hashsum": "hashsum",
}


@dataclass(frozen=True, slots=True)
class TaskView(Mapping[str, Any]):
    """A read-only snapshot of one task, taken by the kernel when it calls out."""

    id: int
    func_name: str
    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    state: TaskState
    options: AppOptions = field(default_factory=AppOptions)
    executor: str = ""
    fail_count: int = 0
    fail_cost: float = 0.0
    fail_history: tuple[str, ...] = ()
    attempts: tuple[Attempt, ...] = ()
    resource_spec: Mapping[str, Any] = field(default_factory=dict)
    time_invoked: float = 0.0
    time_returned: float | None = None
    from_memo: bool = False
    #: memo key, once the memoizer has computed it
    hashsum: str | None = None

    @property
    def try_id(self) -> int:
        """Number of the current attempt (0 for the first)."""
        return len(self.attempts) - 1 if self.attempts else 0

    @property
    def memoize(self) -> bool:
        """Whether the app asked for caching (``cache=True``)."""
        return self.options.cache

    @property
    def ignore_for_cache(self) -> tuple[str, ...]:
        """Keyword arguments left out of the memo key."""
        return self.options.ignore_for_cache

    @property
    def join(self) -> bool:
        """True for join apps."""
        return self.options.kind == "join"

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, _PARSL_KEYS[key])
        except KeyError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(_PARSL_KEYS)

    def __len__(self) -> int:
        return len(_PARSL_KEYS)
