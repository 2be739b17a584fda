"""Terminal text for the monitoring CLI: tables that fit the terminal's width.

Pure functions from summaries and rows to strings (``conveyor.monitoring.cli`` prints them).
"""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Sequence
from typing import Any

from conveyor.monitoring.reader import StatusEvent, TaskRow
from conveyor.monitoring.summary import RunSummary

__all__ = [
    "clock",
    "duration",
    "format_event",
    "format_show",
    "format_status",
    "format_tasks",
    "table",
]


def clock(t: float | None, with_date: bool = False) -> str:
    """A local time as ``HH:MM:SS.mmm`` (with the date if asked); ``-`` for none."""
    if t is None:
        return "-"
    fmt = "%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S.%f"
    text = datetime.datetime.fromtimestamp(t).strftime(fmt)
    return text if with_date else text[:-3]


def duration(seconds: float | None) -> str:
    """``0.42s``, ``12.3s``, ``4m05s``, ``2h03m``; ``-`` for none."""
    if seconds is None:
        return "-"
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    return f"{minutes // 60}h{minutes % 60:02d}m"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], width: int | None = None) -> str:
    """Columns aligned (numbers right), cut to ``width`` (default: the terminal's)."""
    width = width or shutil.get_terminal_size((100, 24)).columns
    cells = [[str(c) for c in header]] + [["-" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    numeric = [all(_numberish(r[i]) for r in cells[1:]) and rows for i in range(len(header))]
    lines = []
    for r in cells:
        parts = [
            c.rjust(w) if numeric[i] else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        line = "  ".join(parts).rstrip()
        lines.append(line if len(line) <= width else line[: max(width - 1, 1)] + "…")
    return "\n".join(lines)


def _numberish(text: str) -> bool:
    return text == "-" or text.replace(".", "", 1).rstrip("s").isdigit()


def _counts(counts: dict[str, int]) -> str:
    return "  ".join(f"{name} {n}" for name, n in counts.items()) or "none"


def format_status(s: RunSummary) -> str:
    """``conveyor status``: the run, its counts per state and per app, blocks, workers."""
    run = s.run
    name = f' "{run.name}"' if run.name else ""
    state = "finished" if s.finished else "running"
    head = [
        f"run {run.run_id}{name}  {state}, elapsed {duration(s.elapsed)}"
        f"  (started {clock(run.began, True)} on {run.host} by {run.user})",
        f"tasks {s.total}: {_counts(s.states)}",
        "",
    ]
    rows = [
        (
            a.app,
            a.total,
            a.done,
            a.failed,
            a.states.get("launched", 0),
            a.states.get("running", 0) + a.states.get("joining", 0),
            a.states.get("pending", 0) + a.states.get("fail_retryable", 0),
            duration(a.mean),
            duration(a.max),
        )
        for a in s.apps
    ]
    cols = ("app", "tasks", "done", "failed", "launched", "running", "pending", "mean", "max")
    tail = [f"blocks: {_counts(s.blocks)}    workers: {s.workers}"]
    return "\n".join([*head, table(cols, rows), "", *tail])


def format_tasks(rows: Sequence[TaskRow]) -> str:
    """``conveyor tasks``: one line per task."""
    if not rows:
        return "no tasks match"
    body = [
        (
            r.task_id,
            r.app,
            r.state,
            r.fail_count,
            r.executor,
            r.block,
            r.hostname,
            duration(r.run_time),
        )
        for r in rows
    ]
    cols = ("id", "app", "state", "fails", "executor", "block", "host", "run time")
    return table(cols, body)


def format_event(e: StatusEvent, app: str) -> str:
    """``conveyor tail``: one state change."""
    return f"{clock(e.time)}  task {e.task_id:<6} {app:<20} try {e.try_id}  {e.state}"


def format_show(d: dict[str, Any]) -> str:
    """``conveyor show``: one task's story, tries and error."""
    lines = [
        f"task {d['task_id']}  {d['app']}  {d['state']}  "
        f"(fails {d['fail_count']}, executor {d['executor'] or '-'}, block {d['block'] or '-'},"
        f" host {d['hostname'] or '-'})",
        f"invoked {clock(d['invoked'])}  returned {clock(d['returned'])}"
        f"  run time {duration(d['run_time'])}",
    ]
    lines += [f"{k:<8}{d[k]}" for k in ("depends", "stdout", "stderr") if d.get(k)]
    start = d["story"][0]["time"] if d["story"] else None
    lines += ["", "story:"]
    for e in d["story"]:
        offset = e["time"] - start if e["time"] is not None and start is not None else None
        lines.append(
            f"  {clock(e['time'])}  +{duration(offset):<7} try {e['try_id']}  {e['state']}"
        )
    lines += ["", "tries:"]
    rows = [
        (
            t["try_id"],
            t["executor"],
            t["block"],
            t["hostname"],
            clock(t["launched"]),
            clock(t["running"]),
            clock(t["returned"]),
            t["fail_history"] or "",
        )
        for t in d["tries"]
    ]
    cols = ("try", "executor", "block", "host", "launched", "running", "returned", "error")
    lines.append(table(cols, rows) if rows else "  none")
    if d.get("error"):
        lines += ["", f"error: {d['error']}"]
    return "\n".join(lines)
