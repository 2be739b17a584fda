"""The PBS Pro job script of one block (pure).

#PBS directives (shell, name, no mail, walltime, select, output files)
scheduler_options   (the user's own #PBS lines, verbatim)
common tail         (JOBNAME, CONVEYOR_BLOCK_DEADLINE, worker_init, launcher(command))
"""

from __future__ import annotations

from conveyor.providers.batch import JobScript, hms, script_tail
from conveyor.providers.pbspro.options import PBSProOptions

__all__ = ["render_job_script"]


def render_job_script(opts: PBSProOptions, script: JobScript) -> str:
    """The whole job script text for one block."""
    lines = [
        "#!/bin/bash",
        "#PBS -S /bin/bash",
        f"#PBS -N {script.job_name}",
        "#PBS -m n",
        f"#PBS -l walltime={hms(opts.walltime_s)}",
        f"#PBS -l select={opts.select}",
        f"#PBS -o {script.stdout_path}",
        f"#PBS -e {script.stderr_path}",
    ]
    if opts.scheduler_options.strip():
        lines.append(opts.scheduler_options.strip())
    return "\n".join(lines + script_tail(opts, script))
