"""GridEngineProvider: blocks are Grid Engine jobs (qsub -terse / qstat -xml / qacct / qdel).

- submit(command): job script -> ``qsub -terse [-q queue]`` -> job id;
- status(ids): ``qstat -xml`` (pending, running); ids it lacks -> ``qstat -xml -s z``
  (finished) -> ``qacct -j`` (exit status, limits) -> JobStatus;
- cancel(ids): ``qdel``.
"""

from __future__ import annotations

import time
from typing import Any

from conveyor.providers.batch import BatchProvider, JobScript, Seen, options_from
from conveyor.providers.gridengine import commands as cmd
from conveyor.providers.gridengine.options import POSITIONAL, GridEngineOptions
from conveyor.providers.gridengine.template import render_job_script
from conveyor.providers.shell import CommandResult
from conveyor.providers.states import JobState

__all__ = ["GridEngineProvider"]


class GridEngineProvider(BatchProvider):
    """Start blocks as Grid Engine jobs.

    Takes Parsl's arguments (``nodes_per_block=``, ``walltime=``, ``queue=`` ...) or one
    :class:`GridEngineOptions`.
    """

    system = "Grid Engine"
    options: GridEngineOptions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._adopt("grid_engine", options_from(GridEngineOptions, POSITIONAL, args, kwargs))
        self.queue = self.options.queue
        self._unaccounted: dict[str, float] = {}

    def _render(self, script: JobScript) -> str:
        return render_job_script(self.options, script)

    def _submit(self, path: str) -> tuple[CommandResult, str | None]:
        result = self._run(cmd.qsub_argv(path, self.options.queue))
        return result, cmd.parse_qsub(result.stdout) if result.ok else None

    def _query(self, ids: list[str]) -> tuple[dict[str, Seen], str | None]:
        listed = self._run(cmd.qstat_argv())
        if not listed.ok:
            return {}, listed.describe()
        states = cmd.parse_qstat_xml(listed.stdout)
        found = {j: cmd.seen(states[j]) for j in ids if j in states}
        ended = [j for j in ids if j not in found and not self._settled(j)]
        if ended:
            zombies = self._run(cmd.qstat_argv(finished=True))
            done = cmd.parse_qstat_xml(zombies.stdout) if zombies.ok else {}
            found.update({j: self._accounting(j) for j in ended if j in done})
        return found, None

    def _accounting(self, job_id: str) -> Seen:
        """How a finished job ended, from qacct.

        qmaster writes the record a little after the job ends (``flush_time``): until
        ``grace`` has passed the job keeps its last state. A job with no record after that
        never ran (deleted while queued), or ran and its record was lost.
        """
        result = self._run(cmd.qacct_argv(job_id))
        record = cmd.parse_qacct(result.stdout) if result.ok else {}
        if record:
            self._unaccounted.pop(job_id, None)
            return cmd.finished(record)
        last = self._last_state(job_id)
        since = self._unaccounted.setdefault(job_id, time.monotonic())
        if time.monotonic() - since < self.grace and not self._cancelled(job_id):
            return Seen("z", last or JobState.PENDING, "finished; accounting not written yet")
        if last is JobState.RUNNING:
            return Seen("z", JobState.COMPLETED, "finished; no accounting record")
        return Seen("z", JobState.CANCELLED, "deleted before it ran (no accounting record)")

    def _cancel_argvs(self, ids: list[str]) -> list[list[str]]:
        return [cmd.qdel_argv(ids)]
