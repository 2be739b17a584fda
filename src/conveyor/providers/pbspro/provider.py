"""PBSProProvider: blocks are PBS Pro jobs (qsub / qstat -f -F json -x / qdel).

- submit(command): job script with ``-l select=N:ncpus=C`` -> ``qsub [-q] [-A]`` -> job id;
- status(ids): ``qstat -f -F json -x ids`` (finished jobs from the server's history);
- cancel(ids): ``qdel``.
"""

from __future__ import annotations

from typing import Any

from conveyor.providers.batch import BatchProvider, JobScript, Seen, options_from
from conveyor.providers.pbspro import commands as cmd
from conveyor.providers.pbspro.options import POSITIONAL, PBSProOptions
from conveyor.providers.pbspro.template import render_job_script
from conveyor.providers.shell import CommandResult

__all__ = ["PBSProProvider"]


class PBSProProvider(BatchProvider):
    """Start blocks as PBS Pro jobs.

    Takes Parsl's arguments (``account=``, ``queue=``, ``select_options=``,
    ``cpus_per_node=`` ...) or one :class:`PBSProOptions`.
    """

    system = "PBS Pro"
    delivers_output_at_end = True
    options: PBSProOptions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._adopt("pbspro", options_from(PBSProOptions, POSITIONAL, args, kwargs))
        self.account, self.queue = self.options.account, self.options.queue
        self.cpus_per_node = self.options.cpus_per_node
        self.cores_per_node = self.options.cpus_per_node
        self.select_options = self.options.select_options

    def _render(self, script: JobScript) -> str:
        return render_job_script(self.options, script)

    def _submit(self, path: str) -> tuple[CommandResult, str | None]:
        result = self._run(cmd.qsub_argv(path, self.options.queue, self.options.account))
        return result, cmd.parse_qsub(result.stdout) if result.ok else None

    def _query(self, ids: list[str]) -> tuple[dict[str, Seen], str | None]:
        result = self._run(cmd.qstat_argv(ids))
        if not result.ok and not cmd.only_unknown(result.stderr):
            return {}, result.describe()
        try:
            jobs = cmd.parse_qstat_json(result.stdout)
        except ValueError as e:
            return {}, f"unreadable qstat JSON ({e})"
        return cmd.pick(ids, jobs, cmd.seen), None

    def _cancel_argvs(self, ids: list[str]) -> list[list[str]]:
        return [cmd.qdel_argv(ids)]
