"""Parsl's introductory tutorial code runs unmodified through `conveyor run`, also on HTEX."""

import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).parent.parent / "data" / "parsl_scripts"
SCRIPT = SCRIPTS / "tutorial_first_steps.py"


def test_tutorial_first_steps_run_unmodified(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "conveyor", "run", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "True",
        "Hello World (Python)",
        "Hello World (Bash)",
        "total 10",
        "squares 285",
        "done True",
    ]
    # relative paths of std streams and Files resolve in the user's working directory
    assert (tmp_path / "hello-stdout").read_text() == "Hello World (Bash)\n"
    assert (tmp_path / "all-numbers.txt").read_text().split() == ["0", "1", "2", "3", "4"]
    assert (tmp_path / "runinfo" / "000" / "parsl.log").exists()


def test_htex_workers_serve_parsl_imports_from_conveyor(tmp_path: Path) -> None:
    script = SCRIPTS / "htex_imports_parsl.py"
    proc = subprocess.run(
        [sys.executable, "-m", "conveyor", "run", str(script), str(tmp_path / "runinfo")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["conveyor.files"]
