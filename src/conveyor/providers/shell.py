"""Run a batch-system command with a timeout and capture what it said.

Data path position: SlurmProvider.submit/status/cancel -> ``run_command(argv)`` -> sbatch,
squeue, sacct, scancel. No shell is involved: arguments go to the program as a list.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["CommandResult", "run_command"]


@dataclass(frozen=True, slots=True)
class CommandResult:
    """Exit code and text output of one command."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        """True when the command exited with 0."""
        return self.returncode == 0

    def describe(self) -> str:
        """One line naming the command, its exit code and its stderr."""
        said = self.stderr.strip() or self.stdout.strip() or "no output"
        return f"`{' '.join(self.argv)}` exited with {self.returncode}: {said}"


def run_command(
    argv: Sequence[str], timeout: float, stdin_path: str | None = None
) -> CommandResult:
    """Run ``argv``, stdin from ``stdin_path``; no program or a timeout gives returncode -1."""
    try:
        with open(stdin_path or os.devnull, "rb") as stdin:
            proc = subprocess.run(
                list(argv),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                stdin=stdin,
            )
    except FileNotFoundError:
        return CommandResult(tuple(argv), -1, "", f"{argv[0]}: command not found")
    except subprocess.TimeoutExpired:
        return CommandResult(tuple(argv), -1, "", f"timed out after {timeout} s")
    return CommandResult(tuple(argv), proc.returncode, proc.stdout, proc.stderr)
