"""`conveyor run` runs an unmodified Parsl script; `conveyor --version` works."""

import subprocess
import sys
from pathlib import Path

from conveyor.version import VERSION

SCRIPTS = Path(__file__).parent.parent / "data" / "parsl_scripts"


def conveyor(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conveyor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_version(tmp_path: Path) -> None:
    proc = conveyor("--version", cwd=tmp_path)
    assert proc.returncode == 0 and VERSION in proc.stdout


def test_run_unmodified_parsl_script(tmp_path: Path) -> None:
    proc = conveyor("run", str(SCRIPTS / "chain.py"), "7", str(tmp_path / "runinfo"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["chain 7", "bash exit 3"]
    assert (tmp_path / "runinfo" / "000" / "parsl.log").exists()


def test_run_missing_script_is_clear(tmp_path: Path) -> None:
    proc = conveyor("run", str(tmp_path / "nope.py"), cwd=tmp_path)
    assert proc.returncode != 0 and "no such script" in proc.stderr
