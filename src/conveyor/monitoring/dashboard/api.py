"""The dashboard's JSON answers: one function per ``/api/...`` path.

Position: called by ``conveyor.monitoring.dashboard.server`` with an open reader and the
query parameters; returns JSON-ready dicts. Each call reads the database afresh, so the
page shows a running workflow as it moves.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from conveyor.monitoring.commands import task_detail
from conveyor.monitoring.reader import MonitoringReader, RunRow, TaskRow
from conveyor.monitoring.summary import (
    node_resources,
    run_summary,
    task_resources,
    timeline,
)

__all__ = ["ROUTES", "NotFound", "histogram"]

Query = Mapping[str, str]
#: filters of the task table: query parameter -> TaskRow field
FILTERS = ("state", "app", "executor", "block")


class NotFound(LookupError):
    """The path names nothing (an unknown task): the server answers 404."""


def _run(reader: MonitoringReader, q: Query) -> RunRow:
    return reader.run(q.get("run") or None, q.get("rundir") or None)


def runs(reader: MonitoringReader, q: Query) -> Any:
    """Every workflow in the database, newest last."""
    return [asdict(r) for r in reader.runs()]


def histogram(values: tuple[float, ...], bins: int = 16) -> dict[str, Any]:
    """Counts of ``values`` in ``bins`` equal bins from 0 to their maximum."""
    top = max(values, default=0.0) or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(int(v / top * bins), bins - 1)] += 1
    return {"max": top, "counts": counts}


def summary(reader: MonitoringReader, q: Query) -> Any:
    """Header counts, per-app stats and histograms, states over time, blocks and nodes."""
    run = _run(reader, q)
    now = time.time()
    s = run_summary(reader, run, now)
    changes = reader.state_changes(run.run_id)
    first, last = (changes[0][0], changes[-1][0]) if changes else (now, now)
    start = run.began if run.began is not None else first
    end = run.completed if run.completed is not None else max(now, last)
    data = s.as_json()
    for app, stats in zip(data["apps"], s.apps, strict=True):
        app["histogram"] = histogram(stats.run_times)
    data["timeline"] = timeline(changes, start, max(end, start + 1.0))
    data["block_rows"] = [asdict(b) for b in reader.blocks(run.run_id)]
    data["node_rows"] = [asdict(n) for n in reader.nodes(run.run_id)]
    data["now"] = now
    return data


def _matches(row: TaskRow, q: Query) -> bool:
    for key in FILTERS:
        wanted = q.get(key)
        if not wanted:
            continue
        actual = getattr(row, key)
        if key == "state" and actual == "running_ended":
            actual = "running"
        if actual != wanted:
            return False
    return True


def tasks(reader: MonitoringReader, q: Query) -> Any:
    """The task table: filtered rows (newest first, paged) and the values each filter offers."""
    rows = reader.tasks(_run(reader, q).run_id)
    facets = {
        key: sorted({str(getattr(r, key)) for r in rows if getattr(r, key) is not None})
        for key in FILTERS
    }
    picked = [r for r in rows if _matches(r, q)]
    picked.reverse()
    offset, limit = int(q.get("offset", 0)), int(q.get("limit", 200))
    return {
        "total": len(picked),
        "offset": offset,
        "rows": [asdict(r) for r in picked[offset : offset + limit]],
        "facets": facets,
    }


def task(reader: MonitoringReader, q: Query) -> Any:
    """One task's page: story, tries, error, streams and resource samples."""
    run = _run(reader, q)
    try:
        task_id = int(q.get("id", ""))
    except ValueError as e:
        raise NotFound("a task id is a number") from e
    detail = task_detail(reader, run.run_id, task_id)
    if detail is None:
        raise NotFound(f"no task {task_id} in run {run.run_id}")
    detail["resources"] = task_resources(reader.resources(run.run_id, task_id))
    detail["run"] = asdict(run)
    return detail


def resources(reader: MonitoringReader, q: Query) -> Any:
    """CPU % and resident memory per node over time."""
    run = _run(reader, q)
    return {"nodes": node_resources(reader.resources(run.run_id))}


ROUTES: Mapping[str, Callable[[MonitoringReader, Query], Any]] = {
    "/api/runs": runs,
    "/api/summary": summary,
    "/api/tasks": tasks,
    "/api/task": task,
    "/api/resources": resources,
}
