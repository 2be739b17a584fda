"""Monitoring's cost: conveyor and Parsl side by side, monitoring off, hub only, and resources.

    python bench/monitoring.py [--quick] [--only conveyor|parsl] [--repeat N] [--no-write]
                               [--conveyor-tasks N]

Each system runs ``monitoring_case.py`` (HTEX, 2 workers, no-op tasks) three times:
without a MonitoringHub, with one (resource monitoring off), and with resource monitoring
every 1 s, ``--repeat`` times (default 3, interleaved; the median run is reported, since a
shared machine's numbers move a lot). The table gives each mode's throughput as a fraction of the same system's
monitoring-off throughput (issue 12's goal: >= 0.9 for conveyor with resources on), and
how many tasks the database holds afterwards (proof that monitoring really wrote them).
"With cleanup" counts until ``cleanup()`` returned, when the database holds everything:
a writer that lags behind the tasks shows there.
Parsl needs ``parsl[monitoring]`` (SQLAlchemy): the Parsl at /opt/parslvenv is used when it
has it, else bench/.parsl-venv gets it. Results go to bench/MONITORING.md.
"""

import argparse
import datetime
import subprocess
import sys
from pathlib import Path

from run import HERE, machine, parsl_python, run_case, select_systems, versions

MODES = ("off", "hub", "resources")
#: tasks per run, per system and mode (Parsl with resource monitoring is ~30x slower)
TASKS = {
    "conveyor": {"off": 50_000, "hub": 50_000, "resources": 50_000},
    "parsl": {"off": 3_000, "hub": 3_000, "resources": 300},
}
SYSTEM_PARSL = Path("/opt/parslvenv/bin/python")
MONITORING_SPEC = "parsl[monitoring]==2026.10.26"


def parsl_with_monitoring() -> Path | None:
    """A Parsl interpreter that can import its monitoring database manager."""
    for py in (SYSTEM_PARSL, parsl_python()):
        if py is not None and py.exists() and _has_sqlalchemy(py):
            return py
    py = parsl_python()
    if py is None:
        return None
    try:
        subprocess.run([py, "-m", "pip", "install", "-q", MONITORING_SPEC], check=True, timeout=900)
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"cannot install {MONITORING_SPEC} ({exc}); conveyor alone", file=sys.stderr)
        return None
    return py


def _has_sqlalchemy(py: Path) -> bool:
    probe = subprocess.run([py, "-c", "import sqlalchemy, parsl"], capture_output=True)
    return probe.returncode == 0


def measure(
    systems: dict[str, Path], quick: bool, repeat: int
) -> dict[tuple[str, str], dict | None]:
    """Each (system, mode) ``repeat`` times, interleaved; the run with the median rate."""
    runs: dict[tuple[str, str], list[dict]] = {}
    for round_ in range(repeat):
        for mode in MODES:
            for system, py in systems.items():
                n = TASKS[system][mode] // (5 if quick else 1)
                print(f"  {round_ + 1}/{repeat} {system:9s} {mode:9s} n={n}", file=sys.stderr)
                data = run_case(system, py, mode, n, False, script_name="monitoring_case.py")
                if data:
                    runs.setdefault((system, mode), []).append(data)
    results: dict[tuple[str, str], dict | None] = {}
    for key, found in runs.items():
        found.sort(key=lambda d: d["tasks_per_s"])
        results[key] = {**found[len(found) // 2], "runs": [d["tasks_per_s"] for d in found]}
    return results


def table(results: dict[tuple[str, str], dict | None], systems: dict[str, Path]) -> str:
    rows = [
        "| system | monitoring | tasks | tasks_per_s (median) | all runs | fraction of monitoring off "
        "| with cleanup: tasks_per_s, fraction | tasks in the database |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for system in systems:
        base = results.get((system, "off")) or {}
        off, off_all = base.get("tasks_per_s"), base.get("tasks_per_s_with_cleanup")
        for mode in MODES:
            data = results.get((system, mode))
            if not data:
                rows.append(f"| {system} | {_label(mode)} | | failed | | | | |")
                continue
            rate = data["tasks_per_s"]
            fraction = f"{rate / off:.2f}" if off else "n/a"
            stored = data["recorded"] if mode != "off" else "-"
            every = ", ".join(f"{r:,.0f}" for r in data["runs"])
            whole = data["tasks_per_s_with_cleanup"]
            whole_fraction = f"{whole / off_all:.2f}" if off_all else "n/a"
            rows.append(
                f"| {system} | {_label(mode)} | {data['tasks']:,} | {rate:,.0f} | {every} "
                f"| {fraction} | {whole:,.0f}, {whole_fraction} | {stored} |"
            )
    return "\n".join(rows)


def _label(mode: str) -> str:
    return {"off": "off", "hub": "hub, no resources", "resources": "resources every 1 s"}[mode]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["conveyor", "parsl"])
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="runs per system and mode")
    ap.add_argument(
        "--conveyor-tasks",
        type=int,
        help="tasks per conveyor run (default 50,000; more shows a sustained rate: the "
        "writer holds back for at most 10 s)",
    )
    ns = ap.parse_args()
    if ns.conveyor_tasks:
        TASKS["conveyor"] = dict.fromkeys(MODES, ns.conveyor_tasks)
    systems = select_systems(ns.only, parsl_with_monitoring)
    text = table(measure(systems, ns.quick, ns.repeat), systems)
    print(text)
    if not ns.no_write:
        head = (
            f"# Monitoring benchmark\n\nDate: {datetime.date.today()}  \nMachine: {machine()}  \n"
            f"Versions: {versions(systems)}  \nMode: {'quick' if ns.quick else 'full'}, "
            f"{ns.repeat} runs each (median shown); HTEX, "
            "one LocalProvider block, max_workers_per_node=2, loopback, no-op tasks; produced "
            "by `python bench/monitoring.py`.\n\n"
        )
        (HERE / "MONITORING.md").write_text(head + text + "\n")


if __name__ == "__main__":
    main()
