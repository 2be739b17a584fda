"""PBS Pro's command lines and outputs, as pure functions (no process is started here).

- submit: ``qsub_argv`` then ``parse_qsub`` (qsub prints ``SEQ.SERVER``);
- status: ``qstat -f -F json -x ids`` (``-x``: finished jobs too, while the server keeps
  their history) -> ``parse_qstat_json`` -> ``seen``; ids qstat does not know are named on
  stderr ("Unknown Job Id"), which ``only_unknown`` recognises;
- cancel: ``qdel_argv``.

``ended`` judges a finished job by its exit status and is shared with Torque.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from conveyor.errors import ConfigurationError
from conveyor.providers.batch import Seen
from conveyor.providers.slurm.commands import walltime_seconds
from conveyor.providers.states import JobState

__all__ = [
    "PBSPRO_STATES",
    "ended",
    "only_unknown",
    "parse_qstat_json",
    "parse_qsub",
    "pick",
    "qdel_argv",
    "qstat_argv",
    "qsub_argv",
    "same_job",
    "seen",
]

#: Every job state the PBS Pro Reference Guide documents -> JobState (``F``: see ``ended``).
PBSPRO_STATES: Mapping[str, JobState] = {
    "Q": JobState.PENDING,  # queued, eligible to run
    "W": JobState.PENDING,  # waiting for its start time (-a), or after a stage-in failure
    "T": JobState.PENDING,  # being moved to a new location
    "H": JobState.HELD,  # held by user, operator or system
    "S": JobState.HELD,  # suspended
    "U": JobState.HELD,  # cycle-harvesting job suspended (workstation busy)
    "R": JobState.RUNNING,  # running
    "B": JobState.RUNNING,  # array job: at least one subjob has started
    "E": JobState.RUNNING,  # exiting after having run
    "X": JobState.COMPLETED,  # subjob finished or deleted
    "F": JobState.COMPLETED,  # finished (history; -x)
    "M": JobState.MISSING,  # moved to another server: this one no longer runs it
}

_ID = re.compile(r"^\d+(\[\d*\])?(\.\S+)?$")
_UNKNOWN = ("Unknown Job Id", "Job has finished")
#: Exit_status values from 256 up mean the job was killed by signal (status - 256)
SIGNAL_BASE = 256


def qsub_argv(script_path: str, queue: str | None, account: str | None) -> list[str]:
    """Submit a job script to a queue, charged to an account (each if given)."""
    argv = ["qsub"]
    if queue:
        argv += ["-q", queue]
    if account:
        argv += ["-A", account]
    return [*argv, script_path]


def parse_qsub(stdout: str) -> str | None:
    """The job id qsub printed (``1234.server``; array jobs ``1234[].server``)."""
    for line in stdout.strip().splitlines():
        if _ID.match(line.strip()):
            return line.strip()
    return None


def qstat_argv(job_ids: Sequence[str]) -> list[str]:
    """Full status of these jobs, finished ones included, as JSON."""
    return ["qstat", "-f", "-F", "json", "-x", *job_ids]


def parse_qstat_json(text: str) -> dict[str, dict[str, Any]]:
    """``{job_id: attributes}``; an empty output (no job known) is no job."""
    if not text.strip():
        return {}
    # PBS Pro does not escape control characters inside strings (job environments)
    data = json.loads(text, strict=False)
    jobs = data.get("Jobs", {}) if isinstance(data, dict) else {}
    return {str(k): v for k, v in jobs.items() if isinstance(v, dict)}


def only_unknown(stderr: str) -> bool:
    """True when every complaint on stderr is about a job the server does not know."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    return bool(lines) and all(any(u in line for u in _UNKNOWN) for line in lines)


def same_job(ours: str, theirs: str) -> bool:
    """True when two ids name one job (one may lack or shorten the server part)."""
    return ours == theirs or ours.split(".", 1)[0] == theirs.split(".", 1)[0]


def pick(
    ids: Sequence[str], jobs: Mapping[str, Any], judge: Callable[[Any], Seen]
) -> dict[str, Seen]:
    """``{our id: judge(attributes)}`` for each listed job that is one of ours."""
    found: dict[str, Seen] = {}
    for theirs, attributes in jobs.items():
        for ours in ids:
            if same_job(ours, theirs):
                found[ours] = judge(attributes)
    return found


def seen(job: Mapping[str, Any]) -> Seen:
    """What one job's qstat attributes mean."""
    word = str(job.get("job_state", ""))
    if word == "F":
        return ended(
            "F",
            job.get("Exit_status"),
            _nested(job, "resources_used", "walltime"),
            _nested(job, "Resource_List", "walltime"),
        )
    return Seen(word, PBSPRO_STATES.get(word, JobState.UNKNOWN), str(job.get("comment", "")))


def _nested(job: Mapping[str, Any], group: str, key: str) -> str | None:
    value = job.get(group)
    return str(value[key]) if isinstance(value, dict) and key in value else None


def ended(word: str, status: object, used: str | None, limit: str | None) -> Seen:
    """How a finished PBS job ended, from its exit status.

    0 is COMPLETED; killed by a signal at (or past) its walltime is TIMEOUT; any other status
    (negative: PBS could not start it) is FAILED; no status means it never ran (deleted
    while queued): CANCELLED.
    """
    if status is None or str(status).strip() == "":
        return Seen(word, JobState.CANCELLED, "ended without running (no exit status)")
    code = int(str(status))
    if code == 0:
        return Seen(word, JobState.COMPLETED, "exit status 0", 0)
    if code > SIGNAL_BASE and used and limit and _seconds(used) >= _seconds(limit):
        return Seen(word, JobState.TIMEOUT, f"killed at its walltime {limit}", code)
    return Seen(word, JobState.FAILED, f"exit status {code}", code)


def _seconds(hms: str) -> int:
    try:
        return walltime_seconds(hms)
    except ConfigurationError:
        return 0


def qdel_argv(job_ids: Sequence[str]) -> list[str]:
    """Delete these jobs."""
    return ["qdel", *job_ids]
