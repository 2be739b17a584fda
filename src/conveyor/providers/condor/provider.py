"""CondorProvider: blocks are HTCondor jobs (condor_submit / condor_q / condor_history / condor_rm).

- submit(command): job script + submit description -> ``condor_submit`` -> ``CLUSTER.0``;
- status(ids): ``condor_q -json`` in chunks of ``cmd_chunk_size``; ids it lacks ->
  ``condor_history -json``;
- cancel(ids): ``condor_rm``, in chunks.
"""

from __future__ import annotations

from typing import Any

from conveyor.providers.batch import BatchProvider, JobScript, Seen, options_from
from conveyor.providers.condor import commands as cmd
from conveyor.providers.condor.options import POSITIONAL, CondorOptions
from conveyor.providers.condor.template import render_job_script, render_submit
from conveyor.providers.shell import CommandResult

__all__ = ["CondorProvider"]


class CondorProvider(BatchProvider):
    """Start blocks as HTCondor jobs.

    Takes Parsl's arguments (``cores_per_slot=``, ``mem_per_slot=``, ``requirements=``,
    ``environment=`` ...) or one :class:`CondorOptions`.
    """

    system = "HTCondor"
    options: CondorOptions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._adopt("condor", options_from(CondorOptions, POSITIONAL, args, kwargs))
        self.cores_per_node = self.options.cores_per_slot
        self.mem_per_node = self.options.mem_per_slot

    def _render(self, script: JobScript) -> str:
        script_path = script.stdout_path.removesuffix(".stdout") + ".script"
        with open(script_path, "w") as f:
            f.write(render_job_script(self.options, script))
        return render_submit(self.options, script, script_path)

    def _submit(self, path: str) -> tuple[CommandResult, str | None]:
        result = self._run(cmd.condor_submit_argv(path))
        return result, cmd.parse_condor_submit(result.stdout) if result.ok else None

    def _chunks(self, ids: list[str]) -> list[list[str]]:
        size = self.options.cmd_chunk_size
        return [ids[i : i + size] for i in range(0, len(ids), size)]

    def _ads(self, argv: list[str]) -> tuple[dict[str, dict[str, Any]], str | None]:
        result = self._run(argv)
        if not result.ok:
            return {}, result.describe()
        try:
            return cmd.parse_ads(result.stdout), None
        except (ValueError, TypeError) as e:
            return {}, f"unreadable {argv[0]} JSON ({e})"

    def _query(self, ids: list[str]) -> tuple[dict[str, Seen], str | None]:
        ads: dict[str, dict[str, Any]] = {}
        for chunk in self._chunks(ids):
            found, error = self._ads(cmd.condor_q_argv(chunk))
            if error is not None:
                return {}, error
            ads.update(found)
        gone = [j for j in ids if j not in ads and not self._settled(j)]
        for chunk in self._chunks(gone):
            ads.update(self._ads(cmd.condor_history_argv(chunk))[0])
        return {j: cmd.seen(ads[j]) for j in ids if j in ads}, None

    def _cancel_argvs(self, ids: list[str]) -> list[list[str]]:
        return [cmd.condor_rm_argv(chunk) for chunk in self._chunks(ids)]

    @property
    def block_seconds(self) -> float | None:
        """HTCondor ends no job at a walltime."""
        return None
