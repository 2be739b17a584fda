"""Aggregations over a monitoring database: counts, per-app durations, timelines, resources.

Position: between ``conveyor.monitoring.reader`` (rows) and its three consumers, the CLI
(``conveyor status``), the dashboard's JSON API and its ``/metrics`` page. Everything
here is a pure function of reader rows, so the three always agree.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from conveyor.monitoring.reader import MonitoringReader, RunRow, TaskRow
from conveyor.monitoring.schema import FINAL_FAILURE_STATUSES, FINAL_STATUSES

__all__ = [
    "AppStats",
    "RunSummary",
    "app_stats",
    "display_state",
    "node_resources",
    "run_summary",
    "state_counts",
    "task_resources",
    "timeline",
]

#: the order states are shown in (unknown names come after these)
STATE_ORDER: tuple[str, ...] = (
    "pending",
    "launched",
    "running",
    "joining",
    "fail_retryable",
    "exec_done",
    "memo_done",
    "failed",
    "dep_fail",
)


def display_state(state: str) -> str:
    """The state a task is shown in (``running_ended`` is still running to a user)."""
    return "running" if state == "running_ended" else state


def state_counts(tasks: Iterable[TaskRow]) -> dict[str, int]:
    """Tasks per display state, in :data:`STATE_ORDER`."""
    counts = Counter(display_state(t.state) for t in tasks)
    ordered = {s: counts.pop(s) for s in STATE_ORDER if s in counts}
    return ordered | dict(sorted(counts.items()))


@dataclass(frozen=True, slots=True)
class AppStats:
    """One app's tasks: counts per state and the run times of its successful tasks."""

    app: str
    total: int
    states: dict[str, int]
    done: int
    failed: int
    mean: float | None
    median: float | None
    max: float | None
    run_times: tuple[float, ...]


def app_stats(tasks: Sequence[TaskRow]) -> list[AppStats]:
    """Per-app counts and run-time statistics, apps by name."""
    by_app: dict[str, list[TaskRow]] = defaultdict(list)
    for t in tasks:
        by_app[t.app].append(t)
    out = []
    for app, rows in sorted(by_app.items()):
        times = tuple(t.run_time for t in rows if t.run_time is not None and t.state == "exec_done")
        out.append(
            AppStats(
                app=app,
                total=len(rows),
                states=state_counts(rows),
                done=sum(t.state in FINAL_STATUSES - FINAL_FAILURE_STATUSES for t in rows),
                failed=sum(t.state in FINAL_FAILURE_STATUSES for t in rows),
                mean=statistics.fmean(times) if times else None,
                median=statistics.median(times) if times else None,
                max=max(times) if times else None,
                run_times=times,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What ``conveyor status`` prints and the dashboard's header shows."""

    run: RunRow
    total: int
    states: dict[str, int]
    apps: list[AppStats]
    blocks: dict[str, int]
    workers: int
    elapsed: float | None
    finished: bool

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (run times are left out: they can be long)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["run"] = asdict(self.run)
        data["apps"] = [
            {f.name: getattr(a, f.name) for f in fields(a) if f.name != "run_times"}
            for a in self.apps
        ]
        return data


def run_summary(reader: MonitoringReader, run: RunRow, now: float | None = None) -> RunSummary:
    """Counts per state and per app, blocks per state, active workers and elapsed time."""
    tasks = reader.tasks(run.run_id)
    blocks = Counter(b.status for b in reader.blocks(run.run_id))
    workers = sum(n.worker_count for n in reader.nodes(run.run_id) if n.active)
    end = run.completed if run.completed is not None else (now or time.time())
    return RunSummary(
        run=run,
        total=len(tasks),
        states=state_counts(tasks),
        apps=app_stats(tasks),
        blocks=dict(sorted(blocks.items())),
        workers=workers,
        elapsed=end - run.began if run.began is not None else None,
        finished=run.completed is not None,
    )


def timeline(
    changes: Sequence[tuple[float, int, str]], start: float, end: float, points: int = 60
) -> dict[str, Any]:
    """Tasks per display state at ``points`` evenly spaced times from ``start`` to ``end``.

    ``changes`` are ``(time, task_id, state)`` in time order
    (:meth:`~conveyor.monitoring.reader.MonitoringReader.state_changes`). A task that
    reached a final state stays there even if a worker's later-stamped ``running_ended``
    row comes after it.
    """
    step = max(end - start, 1e-6) / max(points - 1, 1)
    times = [start + i * step for i in range(points)]
    current: dict[int, str] = {}
    counts: Counter[str] = Counter()
    series: dict[str, list[int]] = defaultdict(lambda: [0] * points)
    i, n_changes = 0, len(changes)
    for k, t in enumerate(times):
        while i < n_changes and changes[i][0] <= t:
            _, task_id, state = changes[i]
            i += 1
            old = current.get(task_id)
            if old in FINAL_STATUSES:
                continue
            if old is not None:
                counts[old] -= 1
            new = "running" if state == "running_ended" else state
            current[task_id] = new
            counts[new] += 1
        for state, n in counts.items():
            if n:
                series[state][k] = n
    order = [s for s in STATE_ORDER if s in series] + sorted(set(series) - set(STATE_ORDER))
    return {"times": times, "series": {s: series[s] for s in order}}


def _cpu_points(samples: Sequence[dict[str, Any]]) -> list[tuple[float, float | None, float]]:
    """(time, cpu % or None for a process's first sample, rss MiB) per sample.

    CPU % is the change in the process's CPU time over the change in wall time.
    """
    last: dict[tuple[Any, Any, Any], tuple[float, float]] = {}
    out: list[tuple[float, float | None, float]] = []
    for s in samples:
        key, t = (s["task_id"], s["try_id"], s["pid"]), s["time"]
        if t is None:
            continue
        cpu_time = (s["user"] or 0.0) + (s["system"] or 0.0)
        prev = last.get(key)
        last[key] = (t, cpu_time)
        pct = 100.0 * (cpu_time - prev[1]) / (t - prev[0]) if prev and t > prev[0] else None
        out.append((t, max(pct, 0.0) if pct is not None else None, (s["rss"] or 0.0) / 2**20))
    return out


def task_resources(samples: Sequence[dict[str, Any]]) -> dict[str, list[float]]:
    """One task's resident memory (MiB) and CPU % over time (CPU from its second sample)."""
    points = _cpu_points(samples)
    cpu = [(p[0], p[1]) for p in points if p[1] is not None]
    return {
        "times": [p[0] for p in points],
        "rss": [round(p[2], 1) for p in points],
        "cpu_times": [c[0] for c in cpu],
        "cpu": [round(c[1], 1) for c in cpu],
    }


def node_resources(samples: Sequence[dict[str, Any]]) -> dict[str, dict[str, list[float]]]:
    """Per node: its tasks' resident memory (MiB) and CPU %, each summed per second."""
    rss: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    cpu: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    hosts = [s["host"] or "?" for s in samples if s["time"] is not None]
    for host, (t, pct, mib) in zip(hosts, _cpu_points(samples), strict=True):
        rss[host][int(t)] += mib
        if pct is not None:
            cpu[host][int(t)] += pct
    return {
        host: {
            "times": [float(k) for k in sorted(rss[host])],
            "rss": [round(rss[host][k], 1) for k in sorted(rss[host])],
            "cpu_times": [float(k) for k in sorted(cpu[host])],
            "cpu": [round(cpu[host][k], 1) for k in sorted(cpu[host])],
        }
        for host in sorted(rss)
    }
