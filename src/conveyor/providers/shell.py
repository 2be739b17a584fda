"""Run a batch-system command with a timeout and capture what it said.

Data path position: SlurmProvider / BatchProvider submit, status, cancel
-> ``CommandRunner._run(argv)`` -> ``provider.execute_wait(command line)`` -> ``/bin/sh``
-> sbatch, squeue, qsub, bjobs, ...

``execute_wait(cmd, timeout=None) -> (retcode, stdout, stderr)`` is Parsl's provider hook: a
provider runs every scheduler command through it, so a subclass (or a test) replacing it
sees and answers each command. The command line is built from an argument list with
``shlex.join``, so no argument is ever re-interpreted by the shell.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["NOT_RUN", "CommandResult", "CommandRunner", "command_line", "execute_wait"]

logger = logging.getLogger(__name__)

#: exit codes of a command that did not run: timed out (-1), no such program (127, sh's)
NOT_RUN = (-1, 127)


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


def command_line(argv: Sequence[str], stdin_path: str | None = None) -> str:
    """``argv`` as one shell command line, stdin redirected from ``stdin_path`` if given."""
    line = shlex.join(argv)
    return f"{line} < {shlex.quote(stdin_path)}" if stdin_path else line


def execute_wait(cmd: str, walltime: float | None = None) -> tuple[int, str, str]:
    """Run the command line ``cmd`` with ``/bin/sh``; ``(exit code, stdout, stderr)``.

    Parsl's ``parsl.utils.execute_wait``. stdin is ``/dev/null``; the command runs in its
    own process group. After ``walltime`` seconds that group is killed and
    ``subprocess.TimeoutExpired`` is raised, as Parsl raises it.
    """
    with subprocess.Popen(
        ["/bin/sh", "-c", cmd],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    ) as proc:
        try:
            out, err = proc.communicate(timeout=walltime)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise
    return proc.returncode, out, err


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        logger.warning("command %s left output pipes open after being killed", proc.args)


class CommandRunner:
    """A provider's way of running scheduler commands (mixed into each batch provider)."""

    #: seconds each scheduler command may take
    cmd_timeout: int = 60

    def execute_wait(self, cmd: str, timeout: float | None = None) -> tuple[int, str, str]:
        """Run one command line; ``(retcode, stdout, stderr)``, as Parsl's providers.

        ``timeout`` defaults to the provider's ``cmd_timeout``.
        """
        return execute_wait(cmd, self.cmd_timeout if timeout is None else timeout)

    def _run(self, argv: Sequence[str], stdin_path: str | None = None) -> CommandResult:
        try:
            code, out, err = self.execute_wait(command_line(argv, stdin_path))
        except subprocess.TimeoutExpired as exc:
            code, out, err = -1, "", f"timed out after {exc.timeout} s"
        result = CommandResult(tuple(argv), code, out, err)
        if not result.ok:
            logger.debug("%s", result.describe())
        return result
