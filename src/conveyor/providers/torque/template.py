"""The Torque job script of one block (pure).

scheduler_options   (the user's own #PBS lines, verbatim, first as Parsl writes them)
#PBS directives     (shell, name, no mail, walltime, nodes=N:ppn=P, output files)
common tail         (JOBNAME, CONVEYOR_BLOCK_DEADLINE, worker_init, launcher(command))
"""

from __future__ import annotations

from conveyor.providers.batch import JobScript, hms, script_tail
from conveyor.providers.torque.options import TorqueOptions

__all__ = ["render_job_script"]


def render_job_script(opts: TorqueOptions, script: JobScript) -> str:
    """The whole job script text for one block."""
    lines = ["#!/bin/bash"]
    if opts.scheduler_options.strip():
        lines.append(opts.scheduler_options.strip())
    lines += [
        "#PBS -S /bin/bash",
        f"#PBS -N {script.job_name}",
        "#PBS -m n",
        f"#PBS -l walltime={hms(opts.walltime_s)}",
        f"#PBS -l nodes={opts.nodes_per_block}:ppn={script.tasks_per_node}",
        f"#PBS -o {script.stdout_path}",
        f"#PBS -e {script.stderr_path}",
    ]
    return "\n".join(lines + script_tail(opts, script))
