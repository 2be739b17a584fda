"""Launchers that start copies through a parallel launcher program (srun, mpiexec, ...).

Each writes the pool command to a script file next to the job, then asks the launcher
program to run that script ``tasks_per_node`` times on each of ``nodes_per_block`` nodes.
"""

from __future__ import annotations

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


class _Overridable(Launcher):
    def __init__(self, debug: bool = True, overrides: str = "") -> None:
        super().__init__(debug)
        self.overrides = overrides

    def _opts(self) -> str:
        return f" {self.overrides}" if self.overrides else ""


class SrunLauncher(_Overridable):
    """One ``srun`` step running all copies across the block's nodes (Slurm)."""

    def __call__(
        self, command: str, tasks_per_node: int, nodes_per_block: int, script_dir: str = ""
    ) -> str:
        """Return the job-script text."""
        n = tasks_per_node * nodes_per_block
        line = f'srun --ntasks {n} --ntasks-per-node {tasks_per_node} -l{self._opts()} bash "$CMD"'
        return _with_script(command, "SLURM_JOB_NAME", line, script_dir)


class SrunMPILauncher(_Overridable):
    """One ``srun`` step per copy, each on whole nodes, so copies can start MPI apps (Slurm)."""

    def __call__(
        self, command: str, tasks_per_node: int, nodes_per_block: int, script_dir: str = ""
    ) -> str:
        """Return the job-script text."""
        n = tasks_per_node * nodes_per_block
        share = max(nodes_per_block // n, 1)
        line = "\n".join(
            [
                f"for i in $(seq 1 {n}); do",
                f'  srun --exact --nodes {share} --ntasks 1{self._opts()} bash "$CMD" &',
                "done",
                "wait",
            ]
        )
        return _with_script(command, "SLURM_JOB_NAME", line, script_dir)


class MpiExecLauncher(Launcher):
    """``mpiexec`` running all copies over the hosts of the allocation."""

    def __init__(
        self, debug: bool = True, bind_cmd: str = "--bind-to", overrides: str = ""
    ) -> None:
        super().__init__(debug)
        self.bind_cmd = bind_cmd
        self.overrides = overrides

    def __call__(
        self, command: str, tasks_per_node: int, nodes_per_block: int, script_dir: str = ""
    ) -> str:
        """Return the job-script text."""
        n = tasks_per_node * nodes_per_block
        extra = f" {self.overrides}" if self.overrides else ""
        line = f'mpiexec {self.bind_cmd} none{extra} -n {n} -ppn {tasks_per_node} bash "$CMD"'
        return _with_script(command, "JOBNAME", line, script_dir)


class MpiRunLauncher(Launcher):
    """``mpirun -np N`` running all copies."""

    def __init__(
        self, debug: bool = True, bash_location: str = "/bin/bash", overrides: str = ""
    ) -> None:
        super().__init__(debug)
        self.bash_location = bash_location
        self.overrides = overrides

    def __call__(
        self, command: str, tasks_per_node: int, nodes_per_block: int, script_dir: str = ""
    ) -> str:
        """Return the job-script text."""
        n = tasks_per_node * nodes_per_block
        extra = f" {self.overrides}" if self.overrides else ""
        line = f'mpirun -np {n}{extra} {self.bash_location} "$CMD"'
        return _with_script(command, "JOBNAME", line, script_dir)


class AprunLauncher(_Overridable):
    """``aprun`` (Cray ALPS) running ``tasks_per_node`` copies on each node."""

    def __call__(
        self, command: str, tasks_per_node: int, nodes_per_block: int, script_dir: str = ""
    ) -> str:
        """Return the job-script text."""
        n = tasks_per_node * nodes_per_block
        line = f'aprun -n {n} -N {tasks_per_node}{self._opts()} /bin/bash "$CMD"'
        return _with_script(command, "JOBNAME", line, script_dir)


class JsrunLauncher(_Overridable):
    """``jsrun`` (IBM LSF) with one resource set per copy."""

    def __call__(
        self, command: str, tasks_per_node: int, nodes_per_block: int, script_dir: str = ""
    ) -> str:
        """Return the job-script text."""
        n = tasks_per_node * nodes_per_block
        line = f'jsrun -n {n} -r {tasks_per_node} -a 1{self._opts()} /bin/bash "$CMD"'
        return _with_script(command, "LSB_JOBNAME", line, script_dir)


class GnuParallelLauncher(Launcher):
    """GNU ``parallel`` over ssh to each allocated host (hosts from $PBS_NODEFILE or localhost)."""

    def __call__(
        self, command: str, tasks_per_node: int, nodes_per_block: int, script_dir: str = ""
    ) -> str:
        """Return the job-script text."""
        n = tasks_per_node * nodes_per_block
        line = "\n".join(
            [
                'HOSTS="$CMD.hosts"',
                'if [ -n "$PBS_NODEFILE" ]; then sort -u "$PBS_NODEFILE" > "$HOSTS"; else echo localhost > "$HOSTS"; fi',
                # one command line per copy on stdin: parallel runs each line as given
                f"for i in $(seq 1 {n}); do printf 'bash %q\\n' \"$CMD\"; done |",
                f'  parallel --sshloginfile "$HOSTS" --jobs {tasks_per_node}',
            ]
        )
        return _with_script(command, "JOBNAME", line, script_dir)
