"""Large payloads, before and after a change: alternating runs, MB/s and CPU time per task.

    python bench/payload_ab.py BEFORE_SRC [--sizes 1,16] [--reps 3]

BEFORE_SRC is the ``src`` folder of another checkout (``git worktree add /tmp/base
<commit>``), put first on PYTHONPATH for the "before" runs; "after" is this tree, and
ProcessPoolExecutor(2) runs beside them as the floor. The three alternate, so a busy
machine hurts each about equally. Besides MB/s (payload_case.py) it reports the CPU time
of the whole run, every process included (``perf stat -e task-clock`` follows forks),
which a shared machine disturbs less than wall time; it includes the start-up (about a
second for an HTEX, measured with --tasks-zero). Nothing is written.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from run import CONVEYOR_PY, HERE

#: tasks per size (MiB)
TASKS = {1: 400, 16: 40, 256: 3}


def one_run(side: str, before_src: str, mib: int, n: int) -> tuple[float, float]:
    """(MB/s, CPU ms) of one run of payload_case.py."""
    env = dict(os.environ, PYTHONPATH=before_src if side == "before" else "")
    run_dir = tempfile.mkdtemp(prefix=f"payload-ab-{side}-")
    case = [f"{'pool' if side == 'pool' else 'htex'}:{mib}", str(n), "0", run_dir]
    script = str(HERE / "payload_case.py")
    cmd = [str(CONVEYOR_PY), script] if side == "pool" else [str(CONVEYOR_PY), "-m", "conveyor"]
    if side != "pool":
        cmd += ["run", script]
    stat = os.path.join(run_dir, "task-clock.csv")
    proc = subprocess.run(
        ["perf", "stat", "-x,", "-e", "task-clock", "-o", stat, "--", *cmd, *case],
        env=env,
        cwd=run_dir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise RuntimeError(f"{side} {mib} MiB failed:\n{proc.stderr[-2000:]}")
    with open(stat) as f:
        cpu_ms = float(next(ln for ln in f if "task-clock" in ln).split(",")[0])
    return json.loads(lines[-1])["mb_per_s"], cpu_ms


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("before_src")
    ap.add_argument("--sizes", default="1,16")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--tasks-zero", action="store_true", help="n=1: the start-up cost alone")
    ns = ap.parse_args()
    sides = ("before", "after", "pool")
    runs: dict[tuple[str, int], list[tuple[float, float]]] = {}
    for rep in range(ns.reps):
        for mib in (int(s) for s in ns.sizes.split(",")):
            n = 1 if ns.tasks_zero else TASKS.get(mib, 3)
            for side in sides:
                got = one_run(side, ns.before_src, mib, n)
                runs.setdefault((side, mib), []).append(got)
                print(rep, side, mib, "MiB:", [round(v) for v in got], file=sys.stderr)
    print("| payload | side | MB/s (median) | CPU ms per run (median) | runs (MB/s, CPU ms) |")
    print("|---|---|---|---|---|")
    for (side, mib), got in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        rate = statistics.median(g[0] for g in got)
        cpu = statistics.median(g[1] for g in got)
        cells = ", ".join(f"{r:.0f}/{c:.0f}" for r, c in got)
        print(f"| {mib} MiB | {side} | {rate:,.0f} | {cpu:,.0f} | {cells} |")


if __name__ == "__main__":
    main()
