"""The kernel's observer point: where task transitions are reported while monitoring is on.

``KernelCore.observer`` is None unless a monitoring hub is configured, so with monitoring
off a transition costs one attribute test. With it on, the core (under the kernel lock)
appends at most three small tuples per task to a deque (:class:`TransitionObserver`); naming, rows and SQL
happen on the monitoring writer's thread, in batches. The story the kernel keeps anyway
(``TaskRecord.log``: every transition with its time) is what carries the details, so the
observer never formats anything. The events (told apart by their length):

- ``(task_id, facts, time)`` when a task is submitted (``time`` is its first story entry's;
  ``facts`` is :func:`call_facts` of its call);
- ``(task_id, try_id, time, executor)`` when an attempt is launched (the entry's time);
- ``(task_id, story, executor, fail_history, fail_count, fail_cost, hashsum, inputs)`` when
  the task ends, ``story`` being the encoded story (``transitions.decode_story``) with every
  transition, ``hashsum`` its memo key (or None) and ``inputs`` ``str()`` of its ``inputs``
  once futures among them were replaced by their values (None when nothing was replaced:
  the submission's facts stand), as Parsl's task row shows them at the end.

The tuples hold only numbers, strings and bytes: the garbage collector stops tracking them
at its next pass, so the events waiting in the deque do not make its full passes longer.
"""

from __future__ import annotations

import os
import struct
from collections import deque
from typing import Any, Protocol

from conveyor.kernel.states import TERMINAL, TaskState
from conveyor.kernel.transitions import TaskRecord

__all__ = ["TaskObserver", "TransitionObserver", "call_facts"]

_LAUNCHED = TaskState.LAUNCHED
_PENDING = TaskState.PENDING
_TERMINAL = frozenset(TERMINAL)


class TaskObserver(Protocol):
    """What the kernel core calls after every transition (under the kernel lock)."""

    def moved(self, rec: TaskRecord, to: TaskState) -> None:
        """``rec`` has just moved to ``to``; must be cheap and must not raise."""


class TransitionObserver:
    """Appends the events described in the module docstring to ``events`` (a deque)."""

    __slots__ = ("events",)

    def __init__(self, events: deque[tuple[Any, ...]]) -> None:
        self.events = events

    def moved(self, rec: TaskRecord, to: TaskState) -> None:
        """Record a submission, a launch or an end; other transitions travel in the story."""
        if to is _LAUNCHED:
            log = rec.log
            try_id = len(rec.attempts) - 1
            self.events.append((rec.id, try_id, _time_at(log, len(log) - 8), rec.executor))
        elif to in _TERMINAL:
            self.events.append(
                (rec.id, rec.log, rec.executor, rec.fail_history, rec.fail_count, rec.fail_cost)
                + (rec.hashsum, _resolved_inputs(rec))
            )
        elif to is _PENDING and len(rec.log) == ENTRY_SIZE:
            self.events.append((rec.id, call_facts(rec.call), _time_at(rec.log, 4)))


#: a story entry is ``<BBHd``: from, to, cause, time (see kernel/transitions.py)
ENTRY_SIZE = 12
_TIME = struct.Struct("<d")


def _time_at(log: bytes, offset: int) -> float:
    return _TIME.unpack_from(log, offset)[0]  # type: ignore[no-any-return]


def _resolved_inputs(rec: TaskRecord) -> str | None:
    """``str()`` of the inputs after dependency resolution, if it replaced them; else None."""
    inputs = rec.kwargs.get("inputs")
    if inputs is None or inputs is rec.call.kwargs.get("inputs"):
        return None
    return _text(inputs)


def _text(value: Any) -> str:
    """``str(value)``, or a placeholder when the user's object cannot say (never raises)."""
    try:
        return str(value)
    except Exception as exc:  # noqa: BLE001 - an observer must not raise
        return f"<not representable: {type(exc).__name__}>"


def call_facts(call: Any) -> tuple[str | None, ...]:
    """Parsl's task columns from ``task_depends`` to ``task_stderr`` for one app call.

    Written as Parsl writes them: ``str()`` of inputs and outputs (``"None"`` when absent),
    stdin as given, stdout and stderr as the file name (a File's URL, ``""`` for none).
    """
    args, kwargs = call.args, call.kwargs
    name = call.func_name or getattr(call.func, "__name__", "?")
    memoize = "True" if call.options.cache else "False"
    if not args and not kwargs:
        return (None, name, memoize, None, "None", "None", None, "", "")
    get = kwargs.get
    stdin = get("stdin")
    return (
        _depends(args, kwargs),
        name,
        memoize,
        None,
        _text(get("inputs")),
        _text(get("outputs")),
        None if stdin is None else _text(stdin),
        _stream_name(get("stdout")),
        _stream_name(get("stderr")),
    )


def _depends(args: tuple[Any, ...], kwargs: Any) -> str | None:
    """Comma-separated ids of the tasks whose futures are among the arguments."""
    inputs = kwargs.get("inputs")
    extra = inputs if isinstance(inputs, list) else ()
    ids = [str(a.tid) for a in (*args, *kwargs.values(), *extra) if hasattr(a, "tid")]
    return ",".join(ids) if ids else None


def _stream_name(spec: Any) -> str:
    """A std stream specification's file name, as Parsl's monitoring records it."""
    if spec is None:
        return ""
    url = getattr(spec, "url", None)  # a File (or a DataFuture of one): its URL
    if isinstance(url, str):
        return url
    if isinstance(spec, tuple) and spec:
        spec = spec[0]
    try:
        path = os.fspath(spec)
    except TypeError:
        return str(spec)
    return path.decode() if isinstance(path, bytes) else path
