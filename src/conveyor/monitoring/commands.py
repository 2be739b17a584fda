"""The monitoring subcommands' bodies (registered by ``conveyor.monitoring.cli``).

Each function takes the parsed arguments and returns the exit code; it may raise
``MonitoringDatabaseError``, which the CLI turns into a one-line message.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from typing import Any

from conveyor.monitoring.reader import MonitoringReader, RunRow, locate, open_reader
from conveyor.monitoring.text import format_event, format_show, format_status, format_tasks

__all__ = ["dashboard", "show", "status", "tail", "task_detail", "tasks"]


def _emit(ns: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, indent=1, default=str) if ns.json else text)


def _run(ns: argparse.Namespace, reader: MonitoringReader, rundir: str | None) -> RunRow:
    return reader.run(ns.run, rundir)


def status(ns: argparse.Namespace) -> int:
    from conveyor.monitoring.summary import run_summary

    path, rundir = locate(ns.db)
    with open_reader(path) as reader:
        summary = run_summary(reader, _run(ns, reader, rundir))
    _emit(ns, summary.as_json(), format_status(summary))
    return 0


def tasks(ns: argparse.Namespace) -> int:
    path, rundir = locate(ns.db)
    with open_reader(path) as reader:
        rows = reader.tasks(_run(ns, reader, rundir).run_id)
    wanted = {"state": ns.state, "app": ns.app, "executor": ns.executor, "block": ns.block}
    for field, value in wanted.items():
        if value is not None:
            rows = [r for r in rows if _matches(field, getattr(r, field), value)]
    _emit(ns, [asdict(r) for r in rows], format_tasks(rows))
    return 0


def _matches(field: str, actual: str | None, wanted: str) -> bool:
    if field == "state" and wanted == "running":
        return actual in ("running", "running_ended")
    return actual == wanted


def show(ns: argparse.Namespace) -> int:
    path, rundir = locate(ns.db)
    with open_reader(path) as reader:
        detail = task_detail(reader, _run(ns, reader, rundir).run_id, ns.task_id)
    if detail is None:
        print(f"conveyor show: no task {ns.task_id} in this run", file=sys.stderr)
        return 1
    _emit(ns, detail, format_show(detail))
    return 0


def task_detail(reader: MonitoringReader, run_id: str, task_id: int) -> dict[str, Any] | None:
    """Everything known about one task, JSON-ready (also the dashboard's task page)."""
    row = reader.task(run_id, task_id)
    if row is None:
        return None
    fields = reader.task_fields(run_id, task_id)
    tries = [asdict(t) for t in reader.tries(run_id, task_id)]
    errors = [t["fail_history"] for t in tries if t["fail_history"]]
    return {
        **asdict(row),
        "depends": fields.get("task_depends") or "",
        "stdout": fields.get("task_stdout"),
        "stderr": fields.get("task_stderr"),
        "memoize": fields.get("task_memoize"),
        "story": [asdict(e) for e in reader.story(run_id, task_id)],
        "tries": tries,
        "error": errors[-1] if errors else None,
    }


def tail(ns: argparse.Namespace) -> int:
    path, rundir = locate(ns.db)
    with open_reader(path) as reader:
        run = _run(ns, reader, rundir)
        apps = {t.task_id: t.app for t in reader.tasks(run.run_id)}
        events = reader.events(run.run_id)
    seq = _print_events(ns, events[-ns.lines :] if ns.lines > 0 else [], apps)
    seq = max(seq, events[-1].seq if events else 0)
    finished = run.completed is not None
    while not ns.no_follow and not finished:
        time.sleep(ns.interval)
        with open_reader(path) as reader:
            finished = reader.run(run.run_id).completed is not None
            new = reader.events(run.run_id, after=seq)
            if any(e.task_id not in apps for e in new):
                apps = {t.task_id: t.app for t in reader.tasks(run.run_id)}
        seq = max(seq, _print_events(ns, new, apps))
    return 0


def _print_events(ns: argparse.Namespace, events: list[Any], apps: dict[int, str]) -> int:
    for e in events:
        if ns.json:
            print(json.dumps({**asdict(e), "app": apps.get(e.task_id)}), flush=True)
        else:
            print(format_event(e, apps.get(e.task_id, "?")), flush=True)
    return events[-1].seq if events else 0


def dashboard(ns: argparse.Namespace) -> int:
    from conveyor.monitoring.dashboard.server import serve

    path, rundir = locate(ns.db or ns.target)
    with open_reader(path):  # refuse a bad file before serving; a workflow may come later
        pass
    return serve(path, ns.host, ns.port, rundir)
