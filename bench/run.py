"""Run conveyor, Parsl and the floor side by side on the same cases; print a table of ratios.

The floor is ProcessPoolExecutor(2) running the same case functions (floor.py), measured
unencrypted only.

    python bench/run.py [--quick] [--only conveyor|parsl] [--case NAME] [--no-write]

Parsl is installed by this script into bench/.parsl-venv on first use; if that fails,
conveyor is reported alone. Results are written to bench/RESULTS.md.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PARSL_VENV = HERE / ".parsl-venv"
PARSL_SPEC = "parsl==2026.10.*"
CONVEYOR_PY = ROOT / ".venv" / "bin" / "python"

# case -> (full N, quick N, metric, better: "high" or "low")
CASES = {
    "throughput": (10_000, 2_000, "tasks_per_s", "high"),
    "cpu": (10_000, 2_000, "cpu_us_per_task", "low"),
    "latency": (500, 100, "median_us", "low"),
    "latency_p99": (500, 100, "p99_us", "low"),
    "chain": (1_000, 200, "seconds", "low"),
    "fanout": (5_000, 1_000, "seconds", "low"),
    "startup": (1, 1, "seconds", "low"),
    "memory": (20_000, 5_000, "bytes_per_task", "low"),
    "payload": (200, 50, "tasks_per_s", "high"),
}
# the case script that produces each metric
SOURCE = {"cpu": "throughput", "latency_p99": "latency"}


def parsl_python() -> Path | None:
    """The Parsl venv's python, creating the venv if needed; None if Parsl cannot be installed."""
    py = PARSL_VENV / "bin" / "python"
    if (
        py.exists()
        and subprocess.run([py, "-c", "import parsl"], capture_output=True).returncode == 0
    ):
        return py
    print(f"installing {PARSL_SPEC} into {PARSL_VENV} ...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PARSL_VENV)], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", PARSL_SPEC], check=True, timeout=900)
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"Parsl could not be installed ({exc}); reporting conveyor alone", file=sys.stderr)
        return None
    return py


def select_systems(
    only: str | None, find_parsl: Callable[[], Path | None] = parsl_python
) -> dict[str, Path]:
    """The interpreters to measure: conveyor's, and Parsl's where it can be had (``--only``)."""
    systems: dict[str, Path] = {}
    if only != "parsl":
        systems["conveyor"] = CONVEYOR_PY
    if only != "conveyor":
        py = find_parsl()
        if py is not None:
            systems["parsl"] = py
    return systems


def case_command(system: str, py: Path, script_name: str, args: list[str]) -> list[str]:
    """How one system runs a case script: conveyor through ``conveyor run``, the floor
    through floor.py (which runs the case script's functions on ProcessPoolExecutor)."""
    script = str(HERE / script_name)
    if system == "conveyor":
        return [str(py), "-m", "conveyor", "run", script, *args]
    if system == "floor":
        return [str(py), str(HERE / "floor.py"), *args]
    return [str(py), script, *args]


def run_case(
    system: str, py: Path, case: str, n: int, encrypted: bool, script_name: str = "cases.py"
) -> dict | None:
    run_dir = tempfile.mkdtemp(prefix=f"bench-{system}-{case}-")
    args = [case, str(n), "1" if encrypted else "0", run_dir]
    cmd = case_command(system, py, script_name, args)
    env = dict(os.environ, PATH=f"{py.parent}:{os.environ.get('PATH', '')}")
    out_path, err_path = Path(run_dir) / "case.stdout", Path(run_dir) / "case.stderr"
    with out_path.open("w") as out_f, err_path.open("w") as err_f:
        # files, not pipes: processes a case leaves behind must not keep the runner waiting
        proc = subprocess.Popen(
            cmd, stdout=out_f, stderr=err_f, text=True, cwd=run_dir, env=env, start_new_session=True
        )
        try:
            proc.wait(timeout=600)
        except subprocess.TimeoutExpired:
            pass
        finally:
            # the case runs in its own session: whatever it left behind goes with it
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            kill_leftovers(run_dir)
    out, err = out_path.read_text(), err_path.read_text()
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    if not lines:
        sys.stderr.write(f"{system} {case} failed:\n{err[-2000:]}\n")
        return None
    return json.loads(lines[-1])


def kill_leftovers(run_dir: str) -> None:
    """Kill processes that left the case's session but name its run_dir (e.g. Parsl's pools)."""
    import psutil

    doomed: list[psutil.Process] = []
    for p in psutil.process_iter(["cmdline"]):
        if run_dir in " ".join(p.info["cmdline"] or []) and p.pid != os.getpid():
            with contextlib.suppress(psutil.Error):
                doomed += [p, *p.children(recursive=True)]
    for p in doomed:
        with contextlib.suppress(psutil.Error):
            p.kill()


def measure(systems: dict[str, Path], cases: list[str], quick: bool) -> dict:
    results: dict = {}
    for encrypted in (False, True):
        for case in cases:
            full, small, _, _ = CASES[case]
            if case in SOURCE or (encrypted and case == "memory"):
                continue
            n = small if quick else full
            runs = {**systems, "floor": CONVEYOR_PY} if not encrypted else systems
            for system, py in runs.items():
                print(
                    f"  {system:9s} {case:10s} n={n} encrypted={encrypted}",
                    file=sys.stderr,
                    flush=True,
                )
                results[(system, case, encrypted)] = run_case(system, py, case, n, encrypted)
    return results


def table(results: dict, systems: dict[str, Path], cases: list[str]) -> str:
    rows = [
        "| case | metric | encrypted | conveyor | Parsl | floor: ProcessPoolExecutor(2)"
        " | conveyor advantage | conveyor / floor |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for encrypted in (False, True):
        for case in cases:
            _, _, metric, better = CASES[case]
            if encrypted and case == "memory":
                continue
            src = SOURCE.get(case, case)
            values = {}
            for system in (*systems, "floor"):
                data = results.get((system, src, encrypted))
                values[system] = data.get(metric) if data else None
            c, p, f = values.get("conveyor"), values.get("parsl"), values.get("floor")
            shown = _fmt(f) if not encrypted else "-"
            rows.append(
                f"| {case} | {metric} | {'on' if encrypted else 'off'} | {_fmt(c)} | {_fmt(p)}"
                f" | {shown} | {_advantage(c, p, better)} | {_over(c, f, better)} |"
            )
    return "\n".join(rows)


def _advantage(c: float | None, p: float | None, better: str) -> str:
    """How many times better conveyor is than Parsl (rates: c/p; times and sizes: p/c)."""
    if not (c and p):
        return "n/a"
    return f"{c / p:.1f}x" if better == "high" else f"{p / c:.1f}x"


def _over(c: float | None, f: float | None, better: str) -> str:
    """conveyor against the floor, as 'x times the floor's cost' (< 1 beats the floor)."""
    if not (c and f):
        return "-"
    return f"{f / c:.2f}x" if better == "high" else f"{c / f:.2f}x"


def _fmt(v: float | None) -> str:
    if v is None:
        return "failed"
    return f"{v:,.0f}" if v >= 100 else f"{v:.3g}"


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "?")
    mem = next((ln.split()[1] for ln in meminfo if ln.startswith("MemTotal")), "0")
    return f"{cpu}, {os.cpu_count()} cores, {int(mem) // 2**20} GiB RAM, Linux {platform.release()}, Python {platform.python_version()}"


def versions(systems: dict[str, Path]) -> str:
    out = []
    for system, py in systems.items():
        mod = "conveyor" if system == "conveyor" else "parsl"
        code = f"import {mod}, zmq; print({mod}.__version__, zmq.__version__)"
        res = subprocess.run([str(py), "-c", code], capture_output=True, text=True)
        v, z = (res.stdout.split() + ["?", "?"])[:2]
        out.append(f"{system} {v} (pyzmq {z})")
    return ", ".join(out)


#: where the sections written by hand begin in RESULTS.md (kept when the table is rewritten)
HAND_SECTIONS = "## Other benchmarks"


def hand_sections() -> str:
    """The hand-written part of the current RESULTS.md, from HAND_SECTIONS on ('' if none)."""
    path = HERE / "RESULTS.md"
    text = path.read_text() if path.exists() else ""
    start = text.find(HAND_SECTIONS)
    return "\n" + text[start:] if start >= 0 else ""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["conveyor", "parsl"])
    ap.add_argument("--case", action="append", choices=list(CASES))
    ap.add_argument("--no-write", action="store_true")
    ns = ap.parse_args()
    systems = select_systems(ns.only)
    cases = ns.case or list(CASES)
    results = measure(systems, cases, ns.quick)
    text = table(results, systems, cases)
    print(text)
    if not ns.no_write:
        head = f"# Benchmark results\n\nDate: {datetime.date.today()}  \nMachine: {machine()}  \nVersions: {versions(systems)}  \nMode: {'quick' if ns.quick else 'full'}; one LocalProvider block, max_workers_per_node=2, loopback; produced by `make bench`.\n\n"
        (HERE / "RESULTS.md").write_text(head + text + "\n" + hand_sections())


if __name__ == "__main__":
    main()
