"""Slurm's command lines and outputs, as pure functions (no process is started here).

- submit: ``sbatch_argv(script)`` then ``parse_sbatch(stdout)`` gives the job id;
- status: ``squeue_argv(ids)`` / ``parse_squeue``, then ``sacct_argv`` / ``parse_sacct`` for
  jobs squeue forgot; ``job_status(state, reason)`` maps Slurm's words to a JobStatus;
- cancel: ``scancel_argv(ids)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from conveyor.errors import ConfigurationError
from conveyor.providers.states import JobState, JobStatus

__all__ = [
    "SLURM_STATES",
    "job_status",
    "parse_sacct",
    "parse_sbatch",
    "parse_squeue",
    "sacct_argv",
    "sbatch_argv",
    "scancel_argv",
    "squeue_argv",
    "walltime_seconds",
]

#: Every Slurm job state (long names, as squeue %T and sacct print them) -> JobState.
SLURM_STATES: Mapping[str, JobState] = {
    "PENDING": JobState.PENDING,
    "CONFIGURING": JobState.PENDING,
    "REQUEUED": JobState.PENDING,
    "REQUEUE_FED": JobState.PENDING,
    "RUNNING": JobState.RUNNING,
    "COMPLETING": JobState.RUNNING,
    "RESIZING": JobState.RUNNING,
    "SIGNALING": JobState.RUNNING,
    "STAGE_OUT": JobState.RUNNING,
    "SUSPENDED": JobState.HELD,
    "STOPPED": JobState.HELD,
    "REQUEUE_HOLD": JobState.HELD,
    "RESV_DEL_HOLD": JobState.HELD,
    "COMPLETED": JobState.COMPLETED,
    "CANCELLED": JobState.CANCELLED,
    "FAILED": JobState.FAILED,
    "NODE_FAIL": JobState.FAILED,
    "BOOT_FAIL": JobState.FAILED,
    "OUT_OF_MEMORY": JobState.FAILED,
    "PREEMPTED": JobState.FAILED,
    "REVOKED": JobState.FAILED,
    "SPECIAL_EXIT": JobState.FAILED,
    "TIMEOUT": JobState.TIMEOUT,
    "DEADLINE": JobState.TIMEOUT,
}

_SEP = "|"
_SUBMITTED = re.compile(r"Submitted batch job (\d+)")
_PARSABLE = re.compile(r"^(\d+)(;\S+)?$")
_WALLTIME = re.compile(r"^(?:(\d+)-)?(?:(\d+):)?(\d+)(?::(\d+))?$")


def walltime_seconds(walltime: str) -> int:
    """Seconds in a Slurm time limit: ``MM``, ``MM:SS``, ``HH:MM:SS``, ``D-HH[:MM[:SS]]``."""
    match = _WALLTIME.match(walltime.strip()) if isinstance(walltime, str) else None
    if match is None:
        raise ConfigurationError(
            f"walltime must look like 'HH:MM:SS' (or MM, MM:SS, D-HH:MM:SS), got {walltime!r}"
        )
    days, first, second, third = match.groups()
    if days is not None:
        hours, minutes, seconds = int(first or second), int(second if first else 0), int(third or 0)
        return int(days) * 86400 + hours * 3600 + minutes * 60 + seconds
    if first is None:
        minutes, seconds = int(second), int(third or 0)
        return minutes * 60 + seconds
    if third is None:
        return int(first) * 60 + int(second)
    return int(first) * 3600 + int(second) * 60 + int(third)


def sbatch_argv(script_path: str) -> list[str]:
    """Submit a job script, printing only the job id."""
    return ["sbatch", "--parsable", script_path]


def parse_sbatch(stdout: str) -> str | None:
    """The job id from sbatch's output (``--parsable`` "id[;cluster]" or the long form)."""
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        match = _PARSABLE.match(line)
        if match:
            return match.group(1)
        match = _SUBMITTED.search(line)
        if match:
            return match.group(1)
    return None


def squeue_argv(job_ids: Sequence[str], clusters: str | None = None) -> list[str]:
    """List these jobs, finished ones included, one ``id|STATE|reason`` line each."""
    argv = ["squeue", "--noheader", "--states=all", f"--format=%i{_SEP}%T{_SEP}%r"]
    return _for_jobs(argv, job_ids, clusters)


def _for_jobs(argv: list[str], job_ids: Sequence[str], clusters: str | None) -> list[str]:
    """``argv`` restricted to a cluster (if given) and to these job ids."""
    if clusters:
        argv.append(f"--clusters={clusters}")
    argv.append(f"--jobs={','.join(job_ids)}")
    return argv


def parse_squeue(stdout: str) -> dict[str, tuple[str, str]]:
    """``{job_id: (STATE, reason)}`` from squeue lines; other lines are ignored."""
    found: dict[str, tuple[str, str]] = {}
    for line in stdout.splitlines():
        parts = line.strip().split(_SEP)
        if len(parts) == 3 and parts[0]:
            found[parts[0]] = (parts[1], parts[2])
    return found


def sacct_argv(job_ids: Sequence[str], clusters: str | None = None) -> list[str]:
    """Ask accounting for these jobs (allocations only, parsable)."""
    argv = ["sacct", "--noheader", "--allocations", "--parsable2", "--format=JobID,State,ExitCode"]
    return _for_jobs(argv, job_ids, clusters)


def parse_sacct(stdout: str) -> dict[str, tuple[str, str]]:
    """``{job_id: (STATE, exit code)}``; "CANCELLED by 0" is read as CANCELLED."""
    found: dict[str, tuple[str, str]] = {}
    for line in stdout.splitlines():
        parts = line.strip().split(_SEP)
        if len(parts) >= 2 and parts[0].isdigit():
            state = parts[1].split(" ", 1)[0]
            found[parts[0]] = (state, parts[2] if len(parts) > 2 else "")
    return found


def scancel_argv(job_ids: Sequence[str], clusters: str | None = None) -> list[str]:
    """Cancel these jobs (unknown ids are silently accepted by Slurm)."""
    argv = ["scancel"]
    if clusters:
        argv.append(f"--clusters={clusters}")
    return argv + list(job_ids)


def job_status(
    slurm_state: str, detail: str = "", paths: tuple[str, str] | None = None
) -> JobStatus:
    """Map one Slurm state to a JobStatus; the message keeps Slurm's own words."""
    state = SLURM_STATES.get(slurm_state.strip().upper(), JobState.UNKNOWN)
    message = slurm_state if not detail or detail == "None" else f"{slurm_state} ({detail})"
    out, err = paths if paths else (None, None)
    return JobStatus(state, message, stdout_path=out, stderr_path=err)
