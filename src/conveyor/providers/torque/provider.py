"""TorqueProvider: blocks are Torque jobs (qsub / qstat -x / qdel).

- submit(command): job script with ``-l nodes=N:ppn=P`` -> ``qsub [-q] [-A]`` -> job id;
- status(ids): ``qstat -x ids`` (XML; completed jobs while the server keeps them);
- cancel(ids): ``qdel``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from conveyor.providers.batch import BatchProvider, JobScript, Seen, options_from
from conveyor.providers.pbspro import commands as pbs
from conveyor.providers.shell import CommandResult
from conveyor.providers.torque import commands as cmd
from conveyor.providers.torque.options import POSITIONAL, TorqueOptions
from conveyor.providers.torque.template import render_job_script

__all__ = ["TorqueProvider"]


class TorqueProvider(BatchProvider):
    """Start blocks as Torque jobs.

    Takes Parsl's arguments (``account=``, ``queue=``, ``nodes_per_block=`` ...; the default
    launcher is ``AprunLauncher`` as in Parsl) or one :class:`TorqueOptions`.
    """

    system = "Torque"
    delivers_output_at_end = True
    options: TorqueOptions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._adopt("torque", options_from(TorqueOptions, POSITIONAL, args, kwargs))
        self.account, self.queue = self.options.account, self.options.queue

    def _render(self, script: JobScript) -> str:
        return render_job_script(self.options, script)

    def _submit(self, path: str) -> tuple[CommandResult, str | None]:
        result = self._run(pbs.qsub_argv(path, self.options.queue, self.options.account))
        return result, pbs.parse_qsub(result.stdout) if result.ok else None

    def _query(self, ids: list[str]) -> tuple[dict[str, Seen], str | None]:
        result = self._run(cmd.qstat_argv(ids))
        if not result.ok and not pbs.only_unknown(result.stderr):
            return {}, result.describe()
        try:
            jobs = cmd.parse_qstat_xml(result.stdout)
        except ET.ParseError as e:
            return {}, f"unreadable qstat XML ({e})"
        return pbs.pick(ids, jobs, cmd.seen), None

    def _cancel_argvs(self, ids: list[str]) -> list[list[str]]:
        return [pbs.qdel_argv(ids)]
