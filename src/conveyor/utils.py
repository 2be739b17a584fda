"""User helpers with Parsl's ``parsl.utils`` names: finding earlier checkpoints."""

from __future__ import annotations

import os
import re

__all__ = ["get_all_checkpoints", "get_last_checkpoint"]


def get_all_checkpoints(rundir: str = "runinfo") -> list[str]:
    """Checkpoint folders of every earlier run under ``rundir``, oldest first."""
    if not os.path.isdir(rundir):
        return []
    runs = sorted((d for d in os.listdir(rundir) if re.fullmatch(r"\d{3,}", d)), key=int)
    found = []
    for run in runs:
        folder = os.path.abspath(os.path.join(rundir, run, "checkpoint"))
        if os.path.isdir(folder):
            found.append(folder)
    return found


def get_last_checkpoint(rundir: str = "runinfo") -> list[str]:
    """The checkpoint folder of the latest run that has one, as a one-item list (or [])."""
    every = get_all_checkpoints(rundir)
    return every[-1:]
