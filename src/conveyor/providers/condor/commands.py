"""HTCondor's command lines and outputs, as pure functions (no process is started here).

- submit: ``condor_submit FILE`` -> "1 job(s) submitted to cluster C." -> job id ``C.0``;
- status: ``condor_q -json -attributes ... ids`` for queued jobs, ``condor_history`` (same
  options) for jobs that left the queue -> ``parse_ads`` -> ``seen``;
- cancel: ``condor_rm ids``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from conveyor.providers.batch import Seen
from conveyor.providers.states import JobState

__all__ = [
    "CONDOR_STATES",
    "condor_history_argv",
    "condor_q_argv",
    "condor_rm_argv",
    "condor_submit_argv",
    "parse_ads",
    "parse_condor_submit",
    "seen",
]

#: Every JobStatus value HTCondor documents -> JobState (``4``: see ``seen``).
CONDOR_STATES: Mapping[str, JobState] = {
    "0": JobState.PENDING,  # Unexpanded
    "1": JobState.PENDING,  # Idle
    "2": JobState.RUNNING,  # Running
    "3": JobState.CANCELLED,  # Removed
    "4": JobState.COMPLETED,  # Completed
    "5": JobState.HELD,  # Held
    "6": JobState.RUNNING,  # Transferring Output
    "7": JobState.HELD,  # Suspended
}
_NAMES = {"0": "Unexpanded", "1": "Idle", "2": "Running", "3": "Removed", "4": "Completed"}
_NAMES |= {"5": "Held", "6": "Transferring Output", "7": "Suspended"}

_SUBMITTED = re.compile(r"(\d+) job\(s\) submitted to cluster (\d+)\.")
_ATTRIBUTES = "ClusterId,ProcId,JobStatus,ExitCode,ExitBySignal,ExitSignal,HoldReason,RemoveReason"


def condor_submit_argv(submit_path: str) -> list[str]:
    """Submit a submit description."""
    return ["condor_submit", submit_path]


def parse_condor_submit(stdout: str) -> str | None:
    """The first job's id (``CLUSTER.0``) from condor_submit's summary line."""
    match = _SUBMITTED.search(stdout)
    return f"{match.group(2)}.0" if match and int(match.group(1)) > 0 else None


def condor_q_argv(job_ids: Sequence[str]) -> list[str]:
    """These jobs, while in the queue, as a JSON list of ClassAds."""
    return ["condor_q", "-json", "-attributes", _ATTRIBUTES, *job_ids]


def condor_history_argv(job_ids: Sequence[str]) -> list[str]:
    """These jobs, after they left the queue, as a JSON list of ClassAds."""
    return ["condor_history", "-json", "-attributes", _ATTRIBUTES, *job_ids]


def parse_ads(text: str) -> dict[str, dict[str, Any]]:
    """``{"CLUSTER.PROC": ad}``; empty output (no job matched) is no job."""
    if not text.strip():
        return {}
    ads = json.loads(text)
    return {
        f"{ad['ClusterId']}.{ad['ProcId']}": ad
        for ad in ads
        if isinstance(ad, dict) and "ClusterId" in ad and "ProcId" in ad
    }


def seen(ad: Mapping[str, Any]) -> Seen:
    """What one job ClassAd means; a Completed job is FAILED unless it exited with 0."""
    number = str(ad.get("JobStatus", ""))
    word = _NAMES.get(number, number)
    state = CONDOR_STATES.get(number, JobState.UNKNOWN)
    detail = str(ad.get("HoldReason") or ad.get("RemoveReason") or "")
    code = ad.get("ExitCode")
    if number == "4":
        if ad.get("ExitBySignal"):
            return Seen(word, JobState.FAILED, f"killed by signal {ad.get('ExitSignal')}")
        if code != 0:
            return Seen(word, JobState.FAILED, f"exit code {code}", _int(code))
        return Seen(word, JobState.COMPLETED, "exit code 0", 0)
    return Seen(word, state, detail, _int(code) if number == "3" else None)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def condor_rm_argv(job_ids: Sequence[str]) -> list[str]:
    """Remove these jobs."""
    return ["condor_rm", *job_ids]
