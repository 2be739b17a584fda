"""``/metrics``: the newest run (or ``?run=``) in Prometheus' text exposition format 0.0.4.

Gauges for tasks by app and state, blocks by state, workers and nodes; a histogram of the
successful tasks' run times per app; ``conveyor_tasks_queued`` counts tasks handed to an
executor that no worker has started yet (waiting in the interchange or a pool), the queue
depth the database can tell.
"""

from __future__ import annotations

from collections import Counter

from conveyor.monitoring.reader import MonitoringReader, RunRow
from conveyor.monitoring.summary import display_state, run_summary

__all__ = ["BUCKETS", "CONTENT_TYPE", "render_metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: upper bounds (seconds) of the run-time histogram's buckets
BUCKETS: tuple[float, ...] = (0.001, 0.01, 0.1, 0.5, 1.0, 5.0, 10.0, 60.0, 300.0, 3600.0)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


class _Page:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str) -> None:
        self.lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]

    def sample(self, name: str, value: float, **labels: str) -> None:
        shown = repr(float(value)) if isinstance(value, float) else str(value)
        self.lines.append(f"{name}{_labels(**labels) if labels else ''} {shown}")


def _histogram(page: _Page, run: str, app: str, times: tuple[float, ...]) -> None:
    name = "conveyor_task_run_seconds"
    for bound in BUCKETS:
        page.sample(
            f"{name}_bucket", sum(t <= bound for t in times), run_id=run, app=app, le=str(bound)
        )
    page.sample(f"{name}_bucket", len(times), run_id=run, app=app, le="+Inf")
    page.sample(f"{name}_sum", float(sum(times)), run_id=run, app=app)
    page.sample(f"{name}_count", len(times), run_id=run, app=app)


def render_metrics(reader: MonitoringReader, run: RunRow) -> str:
    """The metrics page for ``run``."""
    s = run_summary(reader, run)
    rid, page = run.run_id, _Page()
    page.family("conveyor_tasks", "gauge", "Tasks per app and current state.")
    for app in s.apps:
        for state, n in app.states.items():
            page.sample("conveyor_tasks", n, run_id=rid, app=app.app, state=state)
    page.family("conveyor_task_run_seconds", "histogram", "Run time of successful tasks' last try.")
    for app in s.apps:
        _histogram(page, rid, app.app, app.run_times)
    queued = sum(1 for t in reader.tasks(rid) if display_state(t.state) == "launched")
    page.family("conveyor_tasks_queued", "gauge", "Tasks launched that no worker has started.")
    page.sample("conveyor_tasks_queued", queued, run_id=rid)
    page.family("conveyor_blocks", "gauge", "Blocks per executor and latest state.")
    blocks = Counter((b.executor, b.status) for b in reader.blocks(rid))
    for (executor, status), n in sorted(blocks.items()):
        page.sample("conveyor_blocks", n, run_id=rid, executor=executor, state=status)
    nodes = reader.nodes(rid)
    page.family("conveyor_nodes", "gauge", "Worker pools (nodes) that are connected.")
    page.sample("conveyor_nodes", sum(n.active for n in nodes), run_id=rid)
    page.family("conveyor_workers", "gauge", "Workers of the connected pools.")
    page.sample("conveyor_workers", s.workers, run_id=rid)
    page.family("conveyor_workflow_elapsed_seconds", "gauge", "Time since the workflow began.")
    page.sample("conveyor_workflow_elapsed_seconds", float(s.elapsed or 0.0), run_id=rid)
    page.family("conveyor_workflow_finished", "gauge", "1 once the workflow has completed.")
    page.sample("conveyor_workflow_finished", int(s.finished), run_id=rid)
    return "\n".join(page.lines) + "\n"
