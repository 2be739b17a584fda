"""Launchers that start copies through a parallel launcher program (srun, mpiexec, ...).

Each writes the pool command to a script file next to the job, then asks the launcher
program to run that script ``tasks_per_node`` times on each of ``nodes_per_block`` nodes.
"""

from __future__ import annotations

import abc

from conveyor.launchers.base import Launcher

__all__ = [
    "AprunLauncher",
    "GnuParallelLauncher",
    "JsrunLauncher",
    "MpiExecLauncher",
    "MpiRunLauncher",
    "SrunLauncher",
    "SrunMPILauncher",
]


def _with_script(command: str, name_var: str, run_line: str, script_dir: str) -> str:
    """Bash text: write ``command`` to a script, then run ``run_line`` ($CMD is the script).

    The script goes to ``script_dir`` (the provider's script directory, which every node of
    the block must see), else to $CONVEYOR_SCRIPT_DIR, else to the current directory; only
    in that last case is it removed at exit (the others sit next to the job scripts).
    """
    return "\n".join(
        [
            "set -e",
            f"SCRIPT_DIR={_double_quoted(script_dir)}",
            '[[ -n $SCRIPT_DIR ]] || SCRIPT_DIR="${CONVEYOR_SCRIPT_DIR:-}"',
            '[[ -d $SCRIPT_DIR ]] || SCRIPT_DIR=""',
            f'CMD="${{SCRIPT_DIR:+$SCRIPT_DIR/}}cmd_${{{name_var}:-conveyor}}_$$.sh"',
            "cat > \"$CMD\" <<'CONVEYOR_POOL_CMD'",
            command,
            "CONVEYOR_POOL_CMD",
            'chmod u+x "$CMD"',
            "[[ -n $SCRIPT_DIR ]] || trap 'rm -f \"$CMD\"' EXIT",
            run_line,
        ]
    )


def _double_quoted(text: str) -> str:
    """``text`` inside double quotes, with the characters bash expands there escaped."""
    for ch in ("\\", '"', "$", "`"):
        text = text.replace(ch, "\\" + ch)
    return f'"{text}"'


class _ScriptLauncher(Launcher):
    """Writes the pool command to a script, then runs ``_run_line`` (which names $CMD)."""

    #: the batch system's variable holding the job's name (names the script file)
    name_var = "JOBNAME"

    def __call__(
        self, command: str, tasks_per_node: int, nodes_per_block: int, script_dir: str = ""
    ) -> str:
        """Return the job-script text."""
        line = self._run_line(tasks_per_node * nodes_per_block, tasks_per_node, nodes_per_block)
        return _with_script(command, self.name_var, line, script_dir)

    @abc.abstractmethod
    def _run_line(self, copies: int, tasks_per_node: int, nodes_per_block: int) -> str:
        """The bash that runs "$CMD" ``copies`` times, ``tasks_per_node`` on each node."""


class _Overridable(_ScriptLauncher):
    def __init__(self, debug: bool = True, overrides: str = "") -> None:
        super().__init__(debug)
        self.overrides = overrides

    def _opts(self) -> str:
        return f" {self.overrides}" if self.overrides else ""


class SrunLauncher(_Overridable):
    """One ``srun`` step running all copies across the block's nodes (Slurm)."""

    name_var = "SLURM_JOB_NAME"

    def _run_line(self, copies: int, tasks_per_node: int, nodes_per_block: int) -> str:
        return f'srun --ntasks {copies} --ntasks-per-node {tasks_per_node} -l{self._opts()} bash "$CMD"'


class SrunMPILauncher(_Overridable):
    """One ``srun`` step per copy, each on whole nodes, so copies can start MPI apps (Slurm)."""

    name_var = "SLURM_JOB_NAME"

    def _run_line(self, copies: int, tasks_per_node: int, nodes_per_block: int) -> str:
        share = max(nodes_per_block // copies, 1)
        return "\n".join(
            [
                f"for i in $(seq 1 {copies}); do",
                f'  srun --exact --nodes {share} --ntasks 1{self._opts()} bash "$CMD" &',
                "done",
                "wait",
            ]
        )


class MpiExecLauncher(_Overridable):
    """``mpiexec`` running all copies over the hosts of the allocation."""

    def __init__(
        self, debug: bool = True, bind_cmd: str = "--bind-to", overrides: str = ""
    ) -> None:
        super().__init__(debug, overrides)
        self.bind_cmd = bind_cmd

    def _run_line(self, copies: int, tasks_per_node: int, nodes_per_block: int) -> str:
        return f'mpiexec {self.bind_cmd} none{self._opts()} -n {copies} -ppn {tasks_per_node} bash "$CMD"'


class MpiRunLauncher(_Overridable):
    """``mpirun -np N`` running all copies."""

    def __init__(
        self, debug: bool = True, bash_location: str = "/bin/bash", overrides: str = ""
    ) -> None:
        super().__init__(debug, overrides)
        self.bash_location = bash_location

    def _run_line(self, copies: int, tasks_per_node: int, nodes_per_block: int) -> str:
        return f'mpirun -np {copies}{self._opts()} {self.bash_location} "$CMD"'


class AprunLauncher(_Overridable):
    """``aprun`` (Cray ALPS) running ``tasks_per_node`` copies on each node."""

    def _run_line(self, copies: int, tasks_per_node: int, nodes_per_block: int) -> str:
        return f'aprun -n {copies} -N {tasks_per_node}{self._opts()} /bin/bash "$CMD"'


class JsrunLauncher(_Overridable):
    """``jsrun`` (IBM LSF) with one resource set per copy."""

    name_var = "LSB_JOBNAME"

    def _run_line(self, copies: int, tasks_per_node: int, nodes_per_block: int) -> str:
        return f'jsrun -n {copies} -r {tasks_per_node} -a 1{self._opts()} /bin/bash "$CMD"'


class GnuParallelLauncher(_ScriptLauncher):
    """GNU ``parallel`` over ssh to each allocated host (hosts from $PBS_NODEFILE or localhost)."""

    def _run_line(self, copies: int, tasks_per_node: int, nodes_per_block: int) -> str:
        return "\n".join(
            [
                'HOSTS="$CMD.hosts"',
                'if [ -n "$PBS_NODEFILE" ]; then sort -u "$PBS_NODEFILE" > "$HOSTS"; else echo localhost > "$HOSTS"; fi',
                # one command line per copy on stdin: parallel runs each line as given
                f"for i in $(seq 1 {copies}); do printf 'bash %q\\n' \"$CMD\"; done |",
                f'  parallel --sshloginfile "$HOSTS" --jobs {tasks_per_node}',
            ]
        )
