"""A live progress bar on the terminal, without monitoring: ``conveyor.progress()``.

Position: beside the kernel, never on the task path. A daemon thread
(``conveyor-progress``) looks at the kernel a few times per second and redraws; the kernel
does no work for it. Each look reads, without locks or copies of task data:

- ``DataFlowKernel.task_count`` (tasks submitted);
- the kernel core's live records (state and app of every unfinished task), as a list
  snapshot of the record dict;
- the core's ``ended`` counter (finished tasks per terminal state), when it has one.

Totals are exact. Per-app done/failed counts come from records seen alive at one look and
gone at the next; a task that starts and ends between two looks is counted in the totals
only, so with tasks much shorter than the interval the per-app lines undercount (the
top line says how many finished tasks it could not attribute). On a stream that is not a
terminal nothing is drawn.

``conveyor run --progress script.py`` wraps a script in :func:`run_with_progress`. (The
module is ``progress_bar`` so that ``conveyor.progress`` stays the function.)
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import IO, Any, Self

__all__ = ["AppProgress", "Progress", "ProgressState", "progress", "render", "run_with_progress"]

#: conveyor state value -> the column it is shown in
_COLUMN = {
    "pending": "pending",
    "ready": "pending",
    "launched": "running",
    "joining": "running",
    "exec_done": "done",
    "memo_done": "done",
    "failed": "failed",
    "dep_failed": "failed",
}
#: seconds of history the rate is computed over
RATE_WINDOW = 5.0


@dataclass(slots=True)
class AppProgress:
    """One app's counts (done/failed as seen; pending/running exact at the last look)."""

    app: str
    done: int = 0
    failed: int = 0
    running: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        """Tasks of this app seen so far."""
        return self.done + self.failed + self.running + self.pending


@dataclass(slots=True)
class ProgressState:
    """What one frame shows."""

    submitted: int = 0
    done: int = 0
    failed: int = 0
    running: int = 0
    pending: int = 0
    #: finished tasks per second over the last :data:`RATE_WINDOW` seconds
    rate: float = 0.0
    #: seconds until the submitted tasks finish at the current rate (None: unknown)
    eta: float | None = None
    #: finished tasks no look saw alive (not in any app's line)
    unattributed: int = 0
    apps: dict[str, AppProgress] = field(default_factory=dict)


class Tally:
    """Turns successive looks at a kernel into :class:`ProgressState` (pure; no thread)."""

    def __init__(self) -> None:
        self.state = ProgressState()
        self._alive: dict[int, Any] = {}
        #: app -> finished tasks seen leaving the live records, per column
        self._gone: dict[str, Counter[str]] = {}
        self._history: deque[tuple[float, int]] = deque()

    def look(
        self, submitted: int, records: Sequence[Any], ended: Counter[Any] | None, now: float
    ) -> ProgressState:
        """Update from one look: the submitted count, live records, the ended counter."""
        alive = {rec.id: rec for rec in records}
        for tid, rec in self._alive.items():
            if tid not in alive:  # finished since the last look: its record shows how
                column = "failed" if _COLUMN.get(rec.state.value) == "failed" else "done"
                self._gone.setdefault(rec.call.func_name, Counter())[column] += 1
        self._alive = alive
        now_counts: dict[str, Counter[str]] = {}
        for rec in records:
            column = _COLUMN.get(rec.state.value, "running")
            now_counts.setdefault(rec.call.func_name, Counter())[column] += 1
        st = self.state
        st.apps = {
            app: _app_progress(app, self._gone.get(app, Counter()) + now_counts.get(app, Counter()))
            for app in sorted(set(self._gone) | set(now_counts))
        }
        live = sum(now_counts.values(), Counter())
        if ended is not None:
            st.failed = sum(n for s, n in ended.items() if _COLUMN.get(s.value) == "failed")
            st.done = sum(ended.values()) - st.failed
        else:  # no ended counter: everything not live is finished; failures as seen
            st.failed = sum(a.failed for a in st.apps.values())
            st.done = max(submitted - len(records) - st.failed, 0) + live["done"]
        st.submitted, st.running, st.pending = submitted, live["running"], live["pending"]
        attributed = sum(a.done + a.failed for a in st.apps.values())
        st.unattributed = max(st.done + st.failed - attributed, 0)
        self._rate(now, st.done + st.failed)
        return st

    def _rate(self, now: float, finished: int) -> None:
        hist, st = self._history, self.state
        hist.append((now, finished))
        while len(hist) > 2 and now - hist[0][0] > RATE_WINDOW:
            hist.popleft()
        span = now - hist[0][0]
        st.rate = (finished - hist[0][1]) / span if span > 0 else 0.0
        remaining = st.submitted - finished
        st.eta = remaining / st.rate if st.rate > 0 else (0.0 if remaining == 0 else None)


def _app_progress(app: str, c: Counter[str]) -> AppProgress:
    return AppProgress(app, c["done"], c["failed"], c["running"], c["pending"])


def _bar(fraction: float, width: int) -> str:
    width = max(width, 4)
    full = int(fraction * width)
    return "█" * full + "░" * (width - full)


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    s = int(seconds + 0.5)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def render(st: ProgressState, width: int, max_apps: int = 8) -> list[str]:
    """The frame's lines, each at most ``width - 1`` characters (so nothing wraps)."""
    finished = st.done + st.failed
    frac = finished / st.submitted if st.submitted else 0.0
    counts = (
        f"{finished}/{st.submitted} done {st.done} failed {st.failed}"
        f" running {st.running} pending {st.pending}"
    )
    tail = f"{st.rate:.1f}/s ETA {_clock(st.eta)}"
    note = f"  ({st.unattributed} not seen per app)" if st.unattributed else ""
    room = width - 1 - len("conveyor  100%    ") - len(counts) - len(tail) - len(note)
    lines = [f"conveyor {_bar(frac, min(30, room))} {frac:4.0%}  {counts}  {tail}{note}"]
    apps = sorted(st.apps.values(), key=lambda a: (-(a.running + a.pending), a.app))[:max_apps]
    name_width = min(max((len(a.app) for a in apps), default=0), 24)
    for a in sorted(apps, key=lambda a: a.app):
        afrac = (a.done + a.failed) / a.total if a.total else 0.0
        lines.append(
            f"  {a.app[:name_width]:<{name_width}} {_bar(afrac, 12)} done {a.done}"
            f" failed {a.failed} running {a.running} pending {a.pending}"
        )
    return [line[: max(width - 1, 10)] for line in lines]


def _kernel_look(dfk: Any) -> tuple[int, list[Any], Counter[Any] | None]:
    """Read the kernel: submitted count, live records (a list snapshot), ended counter.

    Reads the core's dict and counter without a lock: ``list(d.values())`` is one C call,
    and the counts are plain ints, so a look may be a moment stale but never torn.
    """
    core = dfk._core  # noqa: SLF001 - read-only, see the module docstring
    return dfk.task_count, list(core.tasks.values()), getattr(core, "ended", None)


class Progress:
    """The drawing thread. Use :func:`progress` to start one."""

    def __init__(
        self, dfk: Any = None, stream: IO[str] | None = None, interval: float = 0.25
    ) -> None:
        self._dfk, self._stream, self._interval = dfk, stream or sys.stderr, interval
        self._tally, self._drawn = Tally(), 0
        self._kernel: Any = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="conveyor-progress", daemon=True)
        self.is_terminal = _isatty(self._stream)

    def start(self) -> Self:
        """Start drawing (returns self)."""
        self._thread.start()
        return self

    def stop(self) -> ProgressState:
        """Draw the final frame, stop the thread; return the last state."""
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()
        return self._tally.state

    def _run(self) -> None:
        pause = self._interval
        while not self._stop.wait(pause):
            began = time.perf_counter()
            self._frame()
            # a look costs time proportional to the live tasks: keep it under ~5 % of a core
            pause = max(self._interval, 20 * (time.perf_counter() - began))
        self._frame()
        if self._drawn and self.is_terminal:
            self._stream.write("\n")
            self._stream.flush()

    def _current(self) -> Any:
        if self._dfk is not None:
            return self._dfk
        from conveyor.kernel import current

        kernel = current._current  # noqa: SLF001 - follow whichever kernel is loaded
        if kernel is not None and kernel is not self._kernel:
            self._tally = Tally()  # a new kernel: start counting afresh
        self._kernel = kernel if kernel is not None else self._kernel
        return self._kernel

    def _frame(self) -> None:
        dfk = self._current()
        if dfk is None:
            return
        state = self._tally.look(*_kernel_look(dfk), time.monotonic())
        if self.is_terminal:
            self._draw(render(state, _width(self._stream)))

    def _draw(self, lines: list[str]) -> None:
        up = f"\x1b[{self._drawn - 1}A" if self._drawn > 1 else ""
        text = "\r" + up + "\n".join(f"{line}\x1b[K" for line in lines)
        if len(lines) < self._drawn:  # fewer lines than last time: clear the rest
            text += "\x1b[J"
        self._stream.write(text)
        self._stream.flush()
        self._drawn = len(lines)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _width(stream: IO[str]) -> int:
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = shutil.get_terminal_size().columns
    return columns if columns >= 20 else 80  # a pty nobody sized reports 0


def progress(dfk: Any = None, *, stream: IO[str] | None = None, interval: float = 0.25) -> Progress:
    """Start a live progress bar for ``dfk`` (default: whichever kernel is loaded).

    Draws on ``stream`` (default ``sys.stderr``) only if it is a terminal. Stop it with
    ``.stop()`` or use it as a context manager; it also stops at interpreter exit.
    """
    bar = Progress(dfk, stream, interval).start()
    import atexit

    atexit.register(bar.stop)
    return bar


def run_with_progress(
    run: Callable[[str, Sequence[str]], None], script: str, args: Sequence[str]
) -> int:
    """``conveyor run --progress``: run the script with a progress bar on stderr."""
    bar = progress()
    try:
        run(script, args)
    finally:
        bar.stop()
    return 0
