"""A scratch virtualenv with Parsl 2026.10.26 and its visualization extras, from PyPI.

Built once (about a minute) into ``<repo>/.venv-visualize`` and reused: a ``.complete``
stamp is written only after pip succeeded, so an interrupted build is redone. Tests use it
to run Parsl's own code (``parsl-visualize``, ``parsl.monitoring.db_manager``) against
conveyor's database. Run as a script to build it ahead of the tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-visualize"
STAMP = VENV / ".complete"
REQUIREMENT = "parsl[visualization,monitoring]==2026.10.26"


def build() -> None:
    """Create the venv if it is not complete; raise CalledProcessError if pip fails."""
    if STAMP.exists():
        return
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [str(VENV / "bin/python"), "-m", "pip", "install", "-q", REQUIREMENT],
        check=True,
        timeout=900,
    )
    STAMP.write_text(REQUIREMENT + "\n")


def parsl_python() -> Path:
    """The venv's interpreter; skips (or fails under CI) when the venv cannot be built."""
    try:
        build()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        reason = f"cannot build {VENV} with {REQUIREMENT} (no PyPI access?): {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)
    return VENV / "bin/python"


if __name__ == "__main__":
    build()
    print(VENV)
