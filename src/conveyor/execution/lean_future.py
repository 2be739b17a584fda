"""LeanFuture: a ``concurrent.futures.Future`` without a Condition of its own.

A stock Future builds a ``threading.Condition`` (an RLock, a deque of waiters and five
bound methods: about 700 bytes) when it is created, although almost every future in a
workflow completes without anybody blocking on it. With a million tasks in flight that
is most of the submitter's memory. A LeanFuture borrows one of ``STRIPES`` shared
Conditions, chosen by its id, and waits in a loop, so a wake-up meant for another
future on the same stripe is harmless. Its list of ``wait``/``as_completed`` waiters is
made only when one of those functions asks for it. Everything else (callbacks, ``wait``,
``as_completed``, cancellation) is the stock implementation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from concurrent.futures._base import CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED, PENDING
from concurrent.futures._base import LOGGER as _LOGGER
from typing import Any, TypeVar

__all__ = ["STRIPES", "LeanFuture"]

T = TypeVar("T")

#: number of shared Conditions; a power of two spreads ids (multiples of 16) evenly
STRIPES = 64
_CONDITIONS = [threading.Condition() for _ in range(STRIPES)]
_ENDED = (CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED)
#: iterated by Future._invoke_callbacks like an empty list; never appended to
_NO_CALLBACKS: tuple[Any, ...] = ()


class LeanFuture(Future[T]):
    """A Future that shares its Condition with others (see the module docstring)."""

    __slots__ = ("_done_callbacks", "_exception", "_result", "_state", "_w")

    def __init__(self) -> None:  # noqa: D107 - same contract as Future()
        # deliberately not calling Future.__init__: it would build a private Condition
        self._state = PENDING
        self._result: Any = None
        self._exception: BaseException | None = None
        #: waiters of concurrent.futures.wait / as_completed; None until one asks
        self._w: list[Any] | None = None
        # a shared empty tuple until the first callback is added (see add_done_callback)
        self._done_callbacks: list[Any] = _NO_CALLBACKS  # type: ignore[assignment]

    @property
    def _condition(self) -> threading.Condition:  # type: ignore[override]
        """The shared Condition of this future's stripe."""
        return _CONDITIONS[(id(self) >> 4) % STRIPES]

    @property
    def _waiters(self) -> list[Any]:  # type: ignore[override]
        """Made on first use; callers (the stock wait, as_completed, cancel) hold the lock."""
        waiters = self._w
        if waiters is None:
            waiters = self._w = []
        return waiters

    def done(self) -> bool:
        """As ``Future.done`` (reading the state needs no lock)."""
        return self._state in _ENDED

    def add_done_callback(self, fn: Callable[[Future[T]], object]) -> None:
        """As ``Future.add_done_callback``; takes the stripe's lock directly (no Condition call)."""
        with self._condition._lock:  # type: ignore[attr-defined]
            if self._state not in _ENDED:
                if isinstance(self._done_callbacks, list):
                    self._done_callbacks.append(fn)
                else:
                    self._done_callbacks = [fn]
                return
        try:
            fn(self)
        except Exception:
            _LOGGER.exception("exception calling callback for %r", self)

    def set_result(self, result: T) -> None:
        """As ``Future.set_result``."""
        self._finish(result, None)

    def set_exception(self, exception: BaseException | None) -> None:
        """As ``Future.set_exception``."""
        self._finish(None, exception)

    def _finish(self, result: Any, exception: BaseException | None) -> None:
        cond = self._condition
        with cond._lock:  # type: ignore[attr-defined]
            if self._state in _ENDED:
                raise InvalidStateError(f"{self._state}: {self!r}")
            self._result, self._exception = result, exception
            self._state = FINISHED
            for waiter in self._w or ():
                if exception is None:
                    waiter.add_result(self)
                else:
                    waiter.add_exception(self)
            if cond._waiters:  # type: ignore[attr-defined]
                cond.notify_all()
        self._invoke_callbacks()  # type: ignore[attr-defined]

    def _wait_ended(self, timeout: float | None) -> None:
        """Block until this future ends or ``timeout`` passes; caller holds the condition."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._state not in _ENDED:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return
            self._condition.wait(left)

    def result(self, timeout: float | None = None) -> T:
        """As ``Future.result``."""
        with self._condition:
            self._wait_ended(timeout)
        return super().result(timeout=0)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """As ``Future.exception``."""
        with self._condition:
            self._wait_ended(timeout)
        return super().exception(timeout=0)
