"""Run Parsl 2026.10.26's own test suite against conveyor (``make conformance``).

The wheel is downloaded on first use into ``build/conformance/`` (git-ignored) and its
``parsl/tests/`` extracted; every other ``parsl.*`` name comes from conveyor's import hook
(see ``conformance_plugin.py``). Each config runs in its own pytest process, as Parsl's
Makefile runs them. Prints ``N passed, M failed`` per config and in total, and exits
non-zero when the total number of passes is below the floor in ``floor.txt``.

``--reference`` runs the same selection with the real Parsl instead (in a venv made under
``build/conformance/parsl-venv``), to measure what Parsl itself passes.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import exclusions

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BUILD = REPO / "build" / "conformance"
PARSL_SPEC = "parsl==2026.10.26"
WHEEL_NAME = "parsl-2026.10.26-py3-none-any.whl"
EXCLUDED = HERE / "excluded.txt"
FLOOR = HERE / "floor.txt"
#: config name -> the --config argument, relative to the folder holding ``parsl/``
CONFIGS = {
    "local_threads": "parsl/tests/configs/local_threads.py",
    "htex_local": "parsl/tests/configs/htex_local.py",
    "local": "local",
}
#: a config's whole pytest run is stopped after this long (it then counts what finished)
CONFIG_TIMEOUT = 540
TEST_TIMEOUT = 40
#: no test finishing for this long means pytest hangs (beyond what pytest-timeout can stop)
STALL = TEST_TIMEOUT + 30
MAX_ROUNDS = 8
#: Parsl's conftest uses pytest hook arguments that pytest 9 removed; some of its tests
#: import typeguard (to name the error they expect) or sqlalchemy (to read the monitoring
#: database) themselves, as Parsl's CI has them
PYTEST_SPEC = ["pytest>=8,<9", "pytest-timeout", "typeguard", "sqlalchemy>=2"]
INI = """[pytest]
timeout = {timeout}
faulthandler_timeout = {faulthandler}
addopts = -p no:cacheprovider -p conformance_plugin -q --no-header -rN --continue-on-collection-errors
"""


def fetch_tests() -> Path:
    """Download the wheel (once) and extract ``parsl/tests``; return the folder holding it."""
    wheel = BUILD / "wheel" / WHEEL_NAME
    if not wheel.exists():
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", PARSL_SPEC]
        subprocess.run([*cmd, "-d", str(wheel.parent)], check=True, stdin=subprocess.DEVNULL)
    root = BUILD / "src"
    marker = root / ".extracted"
    if not marker.exists():
        with zipfile.ZipFile(wheel) as zf:
            members = [n for n in zf.namelist() if n.startswith("parsl/tests/")]
            zf.extractall(root, members)
        # makes pytest name the test modules parsl.tests.*; conveyor's hook serves `parsl`
        (root / "parsl" / "__init__.py").write_text("")
        marker.write_text(WHEEL_NAME)
    return root


def pytest8() -> Path:
    """pytest 8 installed (once) into a folder put first on the runs' PYTHONPATH."""
    target = BUILD / "pytest8"
    stamp = target / ".installed"
    if not stamp.exists() or stamp.read_text() != " ".join(PYTEST_SPEC):
        cmd = [sys.executable, "-m", "pip", "install", "-q", "--upgrade", "--target", str(target)]
        subprocess.run([*cmd, *PYTEST_SPEC], check=True, stdin=subprocess.DEVNULL)
        stamp.write_text(" ".join(PYTEST_SPEC))
    return target


def reference_python() -> tuple[Path, Path]:
    """A venv with the real Parsl and pytest: (its python, the folder holding parsl/)."""
    venv = BUILD / "parsl-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        # Parsl's CI installs the monitoring extra for these tests; so does this venv
        pkgs = [PARSL_SPEC.replace("parsl", "parsl[monitoring]"), *PYTEST_SPEC]
        subprocess.run([str(python), "-m", "pip", "install", "-q", *pkgs], check=True)
    found = subprocess.run(
        [
            str(python),
            "-c",
            "import parsl, os; print(os.path.dirname(os.path.dirname(parsl.__file__)))",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return python, Path(found.stdout.strip())


def _environment(mode: str, python: Path, root: Path, results: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Parsl starts its interchange and pools as console scripts of its venv
    env["PATH"] = os.pathsep.join([str(python.parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(
        [str(HERE)] + ([str(pytest8())] if mode == "conveyor" else [])
    )
    env["CONFORMANCE_EXCLUDED"] = str(EXCLUDED)
    env["CONFORMANCE_RESULTS"] = str(results)
    env.pop("CONFORMANCE_TESTS_ROOT", None)
    if mode == "conveyor":
        env["CONFORMANCE_TESTS_ROOT"] = str(root)
    return env


def run_config(
    mode: str, name: str, python: Path, root: Path, limit: float
) -> dict[str, dict[str, str]]:
    """Run one config's tests; return {nodeid: {outcome, error, ...}}.

    A test that stops all progress (hangs past its timeout, for example in a fixture's
    teardown) fails as hung; pytest is then started again with the finished tests and the
    hung one deselected, until every test ran or ``limit`` seconds passed.
    """
    out = BUILD / f"{mode}-{name}"
    out.mkdir(parents=True, exist_ok=True)
    ini = out / "pytest.ini"
    ini.write_text(INI.format(timeout=TEST_TIMEOUT, faulthandler=TEST_TIMEOUT + 30))
    config = CONFIGS[name] if name == "local" else str(root / CONFIGS[name])
    cmd = [str(python), "-m", "pytest", "-c", str(ini), "--rootdir", str(root)]
    cmd += [str(root / "parsl" / "tests"), "--config", config]
    files = {k: out / f"{k}.txt" for k in ("results", "current", "skip")}
    files["results"] = out / "results.json"
    files["skip"].write_text("")
    merged: dict[str, dict[str, str]] = {}
    deadline = time.monotonic() + limit
    for attempt in range(MAX_ROUNDS):
        env = _environment(mode, python, root, files["results"])
        env["CONFORMANCE_CURRENT"], env["CONFORMANCE_SKIP"] = (
            str(files["current"]),
            str(files["skip"]),
        )
        status = _one_round(cmd, out, env, out / f"pytest-{attempt}.log", deadline)
        merged.update(_load(files["results"]))
        if status != "stalled":
            break
        hung = files["current"].read_text().strip() if files["current"].exists() else ""
        if hung:
            merged[hung] = {"outcome": "error", "error": f"[hung] no progress for {STALL} s"}
        files["skip"].write_text("\n".join(merged) + "\n")
    if status != "finished" or not merged:
        why = {"limit": f"stopped at the {limit:.0f} s limit", "stalled": "too many hangs"}
        text = why.get(status, "pytest wrote no results")
        merged[f"<{name}>"] = {"outcome": "error", "error": f"{text}; see {out}"}
    return merged


def _load(path: Path) -> dict[str, dict[str, str]]:
    loaded: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
    path.unlink(missing_ok=True)
    return loaded


def _one_round(cmd: list[str], cwd: Path, env: dict[str, str], log: Path, deadline: float) -> str:
    """Run pytest once: "finished", "stalled" (no test progress for STALL s) or "limit"."""
    progress = Path(env["CONFORMANCE_CURRENT"])
    progress.unlink(missing_ok=True)
    started = time.monotonic()
    with open(log, "w") as stream:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        status = "finished"
        while proc.poll() is None:
            time.sleep(1)
            last = progress.stat().st_mtime if progress.exists() else 0.0
            idle = time.time() - last if last else time.monotonic() - started
            if time.monotonic() > deadline:
                status = "limit"
            elif idle > STALL:
                status = "stalled"
            else:
                continue
            stream.write(f"\nconformance: {status}; stopping this pytest run\n")
            break
        _kill_group(proc.pid)
        _kill_marked(env["CONFORMANCE_RESULTS"])
        proc.wait()
    return status


def _kill_marked(marker: str) -> None:
    """Stop processes of this run that left its session: their environment names ``marker``."""
    needle = f"CONFORMANCE_RESULTS={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue  # gone already, or not ours to read


def _kill_group(pgid: int) -> None:
    """Stop whatever the pytest process left behind in its session (pools, interchanges)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        time.sleep(1)


def count(results: dict[str, dict[str, str]]) -> dict[str, int]:
    """Outcome -> how many tests had it."""
    counts: dict[str, int] = {}
    for entry in results.values():
        counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
    return counts


def line(label: str, counts: dict[str, int]) -> str:
    """``label: N passed, M failed (...)`` where failed counts failures and errors."""
    failed = sum(counts.get(k, 0) for k in ("failed", "error", "collect-error"))
    extra = ", ".join(f"{counts[k]} {k}" for k in sorted(counts) if k not in ("passed", "failed"))
    text = f"{label}: {counts.get('passed', 0)} passed, {failed} failed"
    return f"{text} ({extra})" if extra else text


def main(argv: list[str] | None = None) -> int:
    """Run the selected configs; print counts; check the floor (conveyor mode)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", action="store_true", help="run the real Parsl instead")
    parser.add_argument("--config", action="append", choices=sorted(CONFIGS))
    parser.add_argument("--no-floor", action="store_true", help="report only; do not check")
    parser.add_argument("--limit", type=float, default=CONFIG_TIMEOUT, help="seconds per config")
    parser.add_argument("--jobs", type=int, default=len(CONFIGS), help="configs run at once")
    ns = parser.parse_args(argv)
    mode = "parsl" if ns.reference else "conveyor"
    if ns.reference:
        python, root = reference_python()
    else:
        python, root = Path(sys.executable), fetch_tests()
    names = ns.config or list(CONFIGS)
    if not ns.reference:
        pytest8()  # once, before the configs start side by side
    # the configs run side by side: most of their time is spent waiting (polls, timeouts)
    with ThreadPoolExecutor(max_workers=ns.jobs) as pool:
        runs = pool.map(lambda n: run_config(mode, n, python, root, ns.limit), names)
        every = dict(zip(names, runs, strict=True))
    keep = exclusions.read(EXCLUDED).keep  # a reference run made before the list changed
    every = {name: keep(results) for name, results in every.items()}
    totals: dict[str, int] = {}
    for name in names:
        counts = count(every[name])
        print(line(f"{mode} {name}", counts), flush=True)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    print(line(f"{mode} total", totals), flush=True)
    summary = BUILD / f"{mode}-summary.json"
    earlier = json.loads(summary.read_text()) if summary.exists() and ns.config else {}
    summary.write_text(json.dumps({**earlier, **every}, indent=1, sort_keys=True))
    if ns.reference or ns.no_floor or ns.config:
        return 0
    floor = int(FLOOR.read_text().split()[0])
    if totals.get("passed", 0) < floor:
        print(f"conformance: {totals.get('passed', 0)} passed is below the floor of {floor}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
