"""LSFProvider: blocks are LSF jobs (bsub / bjobs -json / bkill).

- submit(command): job script -> ``bsub script`` (or ``bsub < script``) -> job id;
- status(ids): ``bjobs -a -o ... -json ids``;
- cancel(ids): ``bkill``.
"""

from __future__ import annotations

from typing import Any

from conveyor.providers.batch import BatchProvider, JobScript, Seen, options_from
from conveyor.providers.lsf import commands as cmd
from conveyor.providers.lsf.options import POSITIONAL, LSFOptions
from conveyor.providers.lsf.template import render_job_script
from conveyor.providers.shell import CommandResult

__all__ = ["LSFProvider"]


class LSFProvider(BatchProvider):
    """Start blocks as LSF jobs.

    Takes Parsl's arguments (``project=``, ``queue=``, ``request_by_nodes=``,
    ``bsub_redirection=`` ...) or one :class:`LSFOptions`.
    """

    system = "LSF"
    options: LSFOptions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._adopt("LSF", options_from(LSFOptions, POSITIONAL, args, kwargs))
        self.project, self.queue = self.options.project, self.options.queue
        self.cores_per_block = self.options.cores_per_block
        self.cores_per_node = self.options.cores_per_node

    def _render(self, script: JobScript) -> str:
        return render_job_script(self.options, script)

    def _submit(self, path: str) -> tuple[CommandResult, str | None]:
        argv, stdin = cmd.bsub_argv(path, self.options.bsub_redirection)
        result = self._run(argv, stdin_path=stdin)
        return result, cmd.parse_bsub(result.stdout) if result.ok else None

    def _query(self, ids: list[str]) -> tuple[dict[str, Seen], str | None]:
        result = self._run(cmd.bjobs_argv(ids))
        try:
            records = cmd.parse_bjobs(result.stdout)
        except ValueError as e:
            return {}, f"{result.describe()}; unreadable JSON ({e})"
        if not result.ok and not result.stdout.strip():
            # bjobs exits non-zero when some job is not found, and still prints the others
            return {}, result.describe()
        return {j: cmd.seen(records[j]) for j in ids if j in records}, None

    def _cancel_argvs(self, ids: list[str]) -> list[list[str]]:
        return [cmd.bkill_argv(ids)]
