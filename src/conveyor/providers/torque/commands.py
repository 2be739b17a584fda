"""Torque's command lines and outputs, as pure functions (no process is started here).

- submit: ``qsub`` as on PBS Pro (``conveyor.providers.pbspro.commands.qsub_argv``);
- status: ``qstat -x ids`` prints the jobs as XML (``<Data><Job>...``), completed ones
  (state ``C``) while the server keeps them (``keep_completed``) -> ``parse_qstat_xml``;
- cancel: ``qdel``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from conveyor.providers.batch import Seen
from conveyor.providers.pbspro.commands import ended
from conveyor.providers.states import JobState

__all__ = ["TORQUE_STATES", "parse_qstat_xml", "qstat_argv", "seen"]

#: Every job state Torque's qstat documents -> JobState (``C``: see ``ended``).
TORQUE_STATES: Mapping[str, JobState] = {
    "Q": JobState.PENDING,  # queued, eligible to run or routed
    "W": JobState.PENDING,  # waiting for its execution time
    "T": JobState.PENDING,  # being moved to a new location
    "H": JobState.HELD,  # held
    "S": JobState.HELD,  # suspended
    "R": JobState.RUNNING,  # running
    "E": JobState.RUNNING,  # exiting after having run
    "C": JobState.COMPLETED,  # completed after having run
}


def qstat_argv(job_ids: Sequence[str]) -> list[str]:
    """Full status of these jobs as XML."""
    return ["qstat", "-x", *job_ids]


def parse_qstat_xml(text: str) -> dict[str, dict[str, str]]:
    """``{job_id: {attribute: text}}``; nested groups become ``group.name`` keys."""
    if not text.strip():
        return {}
    found: dict[str, dict[str, str]] = {}
    for job in ET.fromstring(text).iter("Job"):
        attributes: dict[str, str] = {}
        for child in job:
            if len(child):
                attributes.update({f"{child.tag}.{c.tag}": (c.text or "") for c in child})
            else:
                attributes[child.tag] = (child.text or "").strip()
        if attributes.get("Job_Id"):
            found[attributes["Job_Id"]] = attributes
    return found


def seen(job: Mapping[str, str]) -> Seen:
    """What one job's attributes mean."""
    word = job.get("job_state", "")
    if word == "C":
        return ended(
            "C",
            job.get("exit_status"),
            job.get("resources_used.walltime"),
            job.get("Resource_List.walltime"),
        )
    return Seen(word, TORQUE_STATES.get(word, JobState.UNKNOWN), job.get("comment", ""))
