"""LSF's command lines and outputs, as pure functions (no process is started here).

- submit: ``bsub_argv`` (script as argument, or on stdin) then ``parse_bsub``
  ("Job <N> is submitted to ... queue <Q>.");
- status: ``bjobs -a -o "jobid stat exit_code exit_reason" -json ids`` -> ``parse_bjobs``
  (a job LSF does not know is a record with an ``ERROR``) -> ``seen``;
- cancel: ``bkill_argv``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from conveyor.providers.batch import Seen
from conveyor.providers.states import JobState

__all__ = [
    "LSF_STATES",
    "bjobs_argv",
    "bkill_argv",
    "bsub_argv",
    "parse_bjobs",
    "parse_bsub",
    "seen",
]

#: Every job state bjobs(1) documents -> JobState (``EXIT``: see ``seen``).
LSF_STATES: Mapping[str, JobState] = {
    "PEND": JobState.PENDING,  # pending: not yet started
    "WAIT": JobState.PENDING,  # chunk job member waiting to run
    "PROV": JobState.PENDING,  # dispatched to a power-saved host that is waking up
    "PSUSP": JobState.HELD,  # suspended while pending (by its owner or an administrator)
    "USUSP": JobState.HELD,  # suspended while running, by its owner or an administrator
    "SSUSP": JobState.HELD,  # suspended by LSF (load, run window)
    "RUN": JobState.RUNNING,  # running
    "DONE": JobState.COMPLETED,  # finished with exit status 0
    "EXIT": JobState.FAILED,  # finished with a non-zero status, or killed
    "ZOMBI": JobState.FAILED,  # killed while its host was unreachable
    "UNKWN": JobState.UNKNOWN,  # mbatchd lost contact with the host: LSF cannot tell
}

_SUBMITTED = re.compile(r"Job <(\d+)> is submitted to")
_FIELDS = "jobid stat exit_code exit_reason"
_TIMEOUT = ("TERM_RUNLIMIT", "run time limit")
_KILLED = ("TERM_OWNER", "TERM_ADMIN", "killed by owner", "killed by LSF administrator")


def bsub_argv(script_path: str, redirect: bool) -> tuple[list[str], str | None]:
    """The argv and the file for stdin: ``bsub < script`` or ``bsub script``."""
    return (["bsub"], script_path) if redirect else (["bsub", script_path], None)


def parse_bsub(stdout: str) -> str | None:
    """The job id from bsub's "Job <N> is submitted to ..." line."""
    match = _SUBMITTED.search(stdout)
    return match.group(1) if match else None


def bjobs_argv(job_ids: Sequence[str]) -> list[str]:
    """These jobs (finished ones too, while LSF keeps them: CLEAN_PERIOD), as JSON."""
    return ["bjobs", "-a", "-o", _FIELDS, "-json", *job_ids]


def parse_bjobs(text: str) -> dict[str, dict[str, Any]]:
    """``{job_id: record}`` of the jobs LSF knows (not-found records are dropped)."""
    if not text.strip():
        return {}
    records = json.loads(text).get("RECORDS", [])
    return {
        str(r["JOBID"]): r
        for r in records
        if isinstance(r, dict) and r.get("JOBID") and not r.get("ERROR")
    }


def seen(record: Mapping[str, Any]) -> Seen:
    """What one bjobs record means; an EXIT says why in its exit reason."""
    word = str(record.get("STAT", ""))
    reason = str(record.get("EXIT_REASON", "") or "").strip()
    code_text = str(record.get("EXIT_CODE", "") or "").strip()
    code = int(code_text) if code_text.lstrip("-").isdigit() else None
    state = LSF_STATES.get(word, JobState.UNKNOWN)
    if word == "DONE":
        code = 0
    if word == "EXIT" and any(t in reason for t in _TIMEOUT):
        state = JobState.TIMEOUT
    elif word == "EXIT" and any(k in reason for k in _KILLED):
        state = JobState.CANCELLED
    detail = "; ".join(p for p in (reason, f"exit code {code}" if code else "") if p)
    return Seen(word, state, detail, code)


def bkill_argv(job_ids: Sequence[str]) -> list[str]:
    """Kill these jobs."""
    return ["bkill", *job_ids]
