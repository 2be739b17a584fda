"""Grid Engine's command lines and outputs, as pure functions (no process is started here).

- submit: ``qsub_argv`` (``-terse``: the id alone) then ``parse_qsub``;
- status: ``qstat -xml`` lists pending and running jobs (``parse_qstat_xml``); a job that
  ended leaves it at once and shows in ``qstat -xml -s z``; its exit comes from
  ``qacct -j`` (``parse_qacct``, ``finished``);
- cancel: ``qdel_argv``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from conveyor.providers.batch import Seen
from conveyor.providers.states import JobState

__all__ = [
    "GRIDENGINE_STATES",
    "finished",
    "parse_qacct",
    "parse_qstat_xml",
    "parse_qsub",
    "qacct_argv",
    "qdel_argv",
    "qstat_argv",
    "qsub_argv",
    "seen",
]

#: Every job state qstat(1) documents (its letter combinations) -> JobState; ``z`` is a job
#: that has finished (``qstat -s z``), whose exit qacct tells.
GRIDENGINE_STATES: Mapping[str, JobState] = {
    **dict.fromkeys(["qw", "Rq"], JobState.PENDING),
    **dict.fromkeys(["hqw", "hRwq", "hRq"], JobState.HELD),
    **dict.fromkeys(["r", "t", "Rr", "Rt"], JobState.RUNNING),
    **dict.fromkeys(
        ["s", "ts", "S", "tS", "T", "tT", "Rs", "Rts", "RS", "RtS", "RT", "RtT"], JobState.HELD
    ),
    **dict.fromkeys(["Eqw", "Ehqw", "EhRqw"], JobState.FAILED),
    **dict.fromkeys(
        ["dr", "dt", "dRr", "dRt", "ds", "dS", "dT", "dRs", "dRS", "dRT", "dqw", "dhqw"],
        JobState.CANCELLED,
    ),
    "z": JobState.COMPLETED,
}

_ID = re.compile(r"^(\d+)(?:\.\S+)?$")
#: qacct's ``failed`` codes meaning a limit (h_rt, h_cpu, h_vmem) ended the job
_LIMIT_FAILURES = frozenset({"37"})


def qsub_argv(script_path: str, queue: str | None = None) -> list[str]:
    """Submit a job script, printing only the job id."""
    argv = ["qsub", "-terse"]
    if queue:
        argv += ["-q", queue]
    return [*argv, script_path]


def parse_qsub(stdout: str) -> str | None:
    """The job id from ``qsub -terse`` (``N``, or ``N.1-4:1`` for an array job)."""
    for line in stdout.strip().splitlines():
        match = _ID.match(line.strip())
        if match:
            return match.group(1)
    return None


def qstat_argv(finished: bool = False) -> list[str]:
    """This user's pending and running jobs as XML; ``finished``: the finished ones."""
    return ["qstat", "-xml", "-s", "z"] if finished else ["qstat", "-xml"]


def parse_qstat_xml(text: str) -> dict[str, str]:
    """``{job_id: state letters}`` from ``qstat -xml`` (array tasks: the first seen)."""
    found: dict[str, str] = {}
    root = ET.fromstring(text)
    for job in root.iter("job_list"):
        number, state = job.findtext("JB_job_number"), job.findtext("state")
        if number and state:
            found.setdefault(number.strip(), state.strip())
    return found


def seen(letters: str) -> Seen:
    """What qstat's state letters mean."""
    return Seen(letters, GRIDENGINE_STATES.get(letters, JobState.UNKNOWN))


def qacct_argv(job_id: str) -> list[str]:
    """The accounting record of one finished job."""
    return ["qacct", "-j", job_id]


def parse_qacct(stdout: str) -> dict[str, str]:
    """The fields of the last record qacct printed (a job id may have several)."""
    record: dict[str, str] = {}
    for line in stdout.splitlines():
        if line.startswith("====="):
            record = {}
            continue
        key, _, value = line.partition(" ")
        if key:
            record[key] = value.strip()
    return record


def finished(record: Mapping[str, str]) -> Seen:
    """How a job ended, from its accounting record (``failed`` and ``exit_status``)."""
    failed = record.get("failed", "0")
    code_text = record.get("exit_status", "0").split()[0]
    code = int(code_text) if code_text.lstrip("-").isdigit() else None
    failed_code = failed.split()[0] if failed else "0"
    if failed_code in _LIMIT_FAILURES or "h_rt" in failed:
        return Seen("z", JobState.TIMEOUT, f"failed {failed}", code)
    if failed_code != "0":
        return Seen("z", JobState.FAILED, f"failed {failed}; exit_status {code}", code)
    if code != 0:
        return Seen("z", JobState.FAILED, f"exit_status {code}", code)
    return Seen("z", JobState.COMPLETED, "exit_status 0", 0)


def qdel_argv(job_ids: Sequence[str]) -> list[str]:
    """Delete these jobs."""
    return ["qdel", *job_ids]
