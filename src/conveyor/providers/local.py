"""LocalProvider: blocks are process groups on this machine.

Data path position: BlockManager -> ``submit(command)`` -> a bash job script (worker_init
+ the launcher's rendering of the pool command) started in its own session, output in
``script_dir``; ``cancel`` signals the whole process group.

Blocks run in the submitting process's working directory, as Parsl's do: relative paths in
bash apps, ``File``s and std streams resolve where the user started the workflow.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Sequence
from typing import Any

from conveyor.errors import BadLauncher, ConfigurationError, SubmitException
from conveyor.launchers.base import Launcher
from conveyor.launchers.simple import SingleNodeLauncher
from conveyor.providers.base import ExecutionProvider
from conveyor.providers.states import JobState, JobStatus

__all__ = ["LocalProvider", "check_blocks", "check_walltime"]

_WALLTIME = re.compile(r"^(\d+:)?\d{1,2}:\d{2}$|^\d+$")


def check_walltime(walltime: str) -> str:
    """Accept ``HH:MM:SS``, ``MM:SS`` or minutes; ConfigurationError otherwise."""
    if not isinstance(walltime, str) or not _WALLTIME.match(walltime):
        raise ConfigurationError(f"walltime must look like 'HH:MM:SS', got {walltime!r}")
    return walltime


def check_blocks(init_blocks: int, min_blocks: int, max_blocks: int, parallelism: float) -> None:
    """ConfigurationError unless 0 <= min <= init... <= max and 0 <= parallelism <= 1."""
    for name, value in (
        ("init_blocks", init_blocks),
        ("min_blocks", min_blocks),
        ("max_blocks", max_blocks),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigurationError(f"{name} must be an int >= 0, got {value!r}")
    if min_blocks > max_blocks:
        raise ConfigurationError(f"min_blocks ({min_blocks}) > max_blocks ({max_blocks})")
    if not 0 <= parallelism <= 1:
        raise ConfigurationError(f"parallelism must be between 0 and 1, got {parallelism!r}")


class LocalProvider(ExecutionProvider):
    """Run blocks as local process groups."""

    def __init__(
        self,
        nodes_per_block: int = 1,
        launcher: Launcher | None = None,
        init_blocks: int = 1,
        min_blocks: int = 0,
        max_blocks: int = 1,
        worker_init: str = "",
        cmd_timeout: int = 30,
        parallelism: float = 1,
        move_files: bool | None = None,
    ) -> None:
        launcher = launcher if launcher is not None else SingleNodeLauncher()
        if not isinstance(launcher, Launcher):
            raise BadLauncher(launcher)
        check_blocks(init_blocks, min_blocks, max_blocks, parallelism)
        if nodes_per_block < 1:
            raise ConfigurationError("nodes_per_block must be >= 1")
        self.label = "local"
        self.nodes_per_block = nodes_per_block
        self.launcher = launcher
        self.init_blocks, self.min_blocks, self.max_blocks = init_blocks, min_blocks, max_blocks
        self.parallelism = parallelism
        self.worker_init = worker_init
        self.cmd_timeout = cmd_timeout
        self.walltime = "00:15:00"
        self._jobs: dict[str, subprocess.Popen[bytes]] = {}
        self._paths: dict[str, tuple[str, str]] = {}
        self._cancelled: set[str] = set()

    def submit(self, command: str, tasks_per_node: int, job_name: str = "conveyor.auto") -> str:
        """Start a block; return its job id (the process group id)."""
        script_dir = os.path.abspath(self.script_dir)
        os.makedirs(script_dir, exist_ok=True)
        base = os.path.join(script_dir, f"{job_name}.{time.time_ns()}")
        body = self.launcher(command, tasks_per_node, self.nodes_per_block, script_dir)
        with open(f"{base}.sh", "w") as f:
            f.write(
                f"#!/bin/bash\nexport JOBNAME={job_name}\n"
                f"export CONVEYOR_SCRIPT_DIR={shlex.quote(script_dir)}\n"
                f"{self.worker_init}\n{body}\n"
            )
        try:
            with open(f"{base}.stdout", "wb") as out, open(f"{base}.stderr", "wb") as err:
                proc = subprocess.Popen(
                    ["/bin/bash", f"{base}.sh"],
                    stdout=out,
                    stderr=err,
                    start_new_session=True,
                )
        except OSError as exc:
            raise SubmitException(job_name, f"could not start the block: {exc}") from exc
        job_id = str(proc.pid)
        self._jobs[job_id] = proc
        self._paths[job_id] = (f"{base}.stdout", f"{base}.stderr")
        return job_id

    def status(self, job_ids: Sequence[Any]) -> list[JobStatus]:
        """State of each block, from its process."""
        return [self._status(str(j)) for j in job_ids]

    def _status(self, job_id: str) -> JobStatus:
        proc = self._jobs.get(job_id)
        if proc is None:
            return JobStatus(JobState.MISSING, "unknown job id")
        code = proc.poll()
        if job_id in self._cancelled:
            return JobStatus(JobState.CANCELLED, exit_code=code)
        if code is None:
            return JobStatus(JobState.RUNNING)
        out, err = self._paths[job_id]
        if code == 0:
            return JobStatus(JobState.COMPLETED, exit_code=0, stdout_path=out, stderr_path=err)
        message = f"block exited with code {code}"
        return JobStatus(JobState.FAILED, message, code, stdout_path=out, stderr_path=err)

    def cancel(self, job_ids: Sequence[Any]) -> list[bool]:
        """SIGTERM each block's process group, then SIGKILL what is left after 2 s."""
        results = []
        for job_id in map(str, job_ids):
            proc = self._jobs.get(job_id)
            if proc is None:
                results.append(False)
                continue
            self._cancelled.add(job_id)
            _signal_group(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=2)
            _signal_group(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
            results.append(True)
        return results

    @property
    def status_polling_interval(self) -> float:
        """Local status is cheap."""
        return 1.0


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
