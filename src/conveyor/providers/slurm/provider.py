"""SlurmProvider: blocks are Slurm batch jobs (sbatch / squeue / sacct / scancel).

    BlockManager -> submit(command) -> job script in script_dir -> sbatch --parsable -> job id
                 -> status(ids)     -> squeue --states=all; ids squeue forgot -> sacct, if enabled
                 -> cancel(ids)     -> scancel

A job sbatch has accepted but that neither squeue nor sacct shows yet is PENDING for
``_GRACE`` seconds (accounting lags), then MISSING.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from typing import Any

from conveyor.errors import SubmitException
from conveyor.providers.base import ExecutionProvider, job_record
from conveyor.providers.shell import NOT_RUN, CommandRunner
from conveyor.providers.slurm import commands as cmd
from conveyor.providers.slurm.options import SlurmOptions
from conveyor.providers.slurm.template import JobScript, render_job_script
from conveyor.providers.states import JobState, JobStatus

__all__ = ["SlurmProvider"]

logger = logging.getLogger(__name__)

_GRACE = 30.0
_NO_ACCOUNTING = "accounting storage is disabled"


class SlurmProvider(CommandRunner, ExecutionProvider):
    """Start blocks as Slurm jobs.

    Takes Parsl's keyword arguments (``partition=``, ``nodes_per_block=``, ``walltime=``,
    ``launcher=`` ...) or one :class:`SlurmOptions`.
    """

    def __init__(self, partition: str | SlurmOptions | None = None, **kwargs: Any) -> None:
        if isinstance(partition, SlurmOptions):
            self.options = partition
        else:
            self.options = SlurmOptions(partition=partition, **kwargs)
        opts = self.options
        self.label = "slurm"
        self.nodes_per_block = opts.nodes_per_block
        self.init_blocks, self.min_blocks, self.max_blocks = (
            opts.init_blocks,
            opts.min_blocks,
            opts.max_blocks,
        )
        self.parallelism = opts.parallelism
        self.walltime = opts.walltime
        self.cores_per_node = opts.cores_per_node
        self.mem_per_node = opts.mem_per_node
        self.launcher = opts.launcher
        self.worker_init = opts.worker_init
        self.cmd_timeout = opts.cmd_timeout
        self._jobs: dict[str, tuple[float, str, str]] = {}
        self._last: dict[str, JobStatus] = {}
        self._sacct: bool | None = None

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        """Parsl's table of the jobs submitted, a fresh copy on each read.

        ``{job_id: {"job_id", "status", "job_stdout_path", "job_stderr_path"}}``.
        """
        return {
            j: job_record(j, self._last.get(j), out, err) for j, (_, out, err) in self._jobs.items()
        }

    def submit(self, command: str, tasks_per_node: int, job_name: str = "conveyor.auto") -> str:
        """Write the job script and sbatch it; SubmitException with Slurm's words on refusal."""
        script_dir = os.fspath(self.script_dir)
        os.makedirs(script_dir, exist_ok=True)
        base = os.path.join(script_dir, f"{job_name}.{time.time_ns()}")
        script = JobScript(
            job_name, f"{base}.stdout", f"{base}.stderr", command, tasks_per_node, script_dir
        )
        with open(f"{base}.submit", "w") as f:
            f.write(render_job_script(self.options, script))
        result = self._run(cmd.sbatch_argv(f"{base}.submit"))
        job_id = cmd.parse_sbatch(result.stdout) if result.ok else None
        if job_id is None:
            raise SubmitException(
                job_name,
                f"sbatch refused the job: {result.describe()}",
                result.stdout,
                result.stderr,
                result.returncode,
            )
        self._jobs[job_id] = (time.monotonic(), script.stdout_path, script.stderr_path)
        logger.info("block %s submitted as Slurm job %s", job_name, job_id)
        return job_id

    def status(self, job_ids: Sequence[Any]) -> list[JobStatus]:
        """State of each job: squeue first, then sacct for jobs squeue no longer shows."""
        ids = [str(j) for j in job_ids]
        if not ids:
            return []
        found, error = self._squeue(ids)
        forgotten = [j for j in ids if j not in found]
        if forgotten and error is None:
            found.update(self._accounting(forgotten))
        return [self._one(j, found.get(j), error) for j in ids]

    def _squeue(self, ids: list[str]) -> tuple[dict[str, tuple[str, str]], str | None]:
        result = self._run(cmd.squeue_argv(ids, self.options.clusters))
        if result.ok:
            return cmd.parse_squeue(result.stdout), None
        if "Invalid job id" in result.stderr:
            # every id was purged: asking for one purged id is an error to squeue
            return {}, None
        return {}, result.describe()

    def _accounting(self, ids: list[str]) -> dict[str, tuple[str, str]]:
        if self._sacct is False:
            return {}
        result = self._run(cmd.sacct_argv(ids, self.options.clusters))
        if _NO_ACCOUNTING in result.stderr or result.returncode in NOT_RUN:
            self._sacct = False
            return {}
        self._sacct = result.ok
        return cmd.parse_sacct(result.stdout) if result.ok else {}

    def _one(self, job_id: str, seen: tuple[str, str] | None, error: str | None) -> JobStatus:
        submitted, out, err = self._jobs.get(job_id, (0.0, None, None))
        paths = (out, err) if out and err else None
        if seen is not None:
            status = cmd.job_status(seen[0], seen[1], paths)
            self._last[job_id] = status
            return status
        if error is not None:
            return JobStatus(JobState.UNKNOWN, f"cannot ask Slurm: {error}")
        last = self._last.get(job_id)
        if last is not None and last.terminal:
            return last
        if time.monotonic() - submitted < _GRACE:
            return JobStatus(JobState.PENDING, "not known to Slurm yet")
        return JobStatus(
            JobState.MISSING, "Slurm no longer knows this job", stdout_path=out, stderr_path=err
        )

    def cancel(self, job_ids: Sequence[Any]) -> list[bool]:
        """Cancel the jobs with scancel; True for each when scancel accepted the request."""
        ids = [str(j) for j in job_ids]
        if not ids:
            return []
        result = self._run(cmd.scancel_argv(ids, self.options.clusters))
        if not result.ok:
            logger.warning("scancel failed: %s", result.describe())
        return [result.ok] * len(ids)

    @property
    def block_seconds(self) -> float:
        """Slurm ends a block at its walltime."""
        return float(self.options.walltime_s)

    @property
    def status_polling_interval(self) -> float:
        """Poll squeue (a controller RPC) it at most every few seconds."""
        return 5.0

    def __repr__(self) -> str:
        return f"SlurmProvider({self.options!r})"
