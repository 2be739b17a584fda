"""The Grid Engine job script of one block (pure).

#$ directives (shell, name, output files, working directory, h_rt)
scheduler_options   (the user's own #$ lines, verbatim)
common tail         (JOBNAME, CONVEYOR_BLOCK_DEADLINE, worker_init, launcher(command))
"""

from __future__ import annotations

from conveyor.providers.batch import JobScript, hms, script_tail
from conveyor.providers.gridengine.options import GridEngineOptions

__all__ = ["render_job_script"]


def render_job_script(opts: GridEngineOptions, script: JobScript) -> str:
    """The whole job script text for one block."""
    lines = [
        "#!/bin/bash",
        "#$ -S /bin/bash",
        f"#$ -N {script.job_name}",
        f"#$ -o {script.stdout_path}",
        f"#$ -e {script.stderr_path}",
        "#$ -cwd",
        f"#$ -l h_rt={hms(opts.walltime_s)}",
    ]
    if opts.scheduler_options.strip():
        lines.append(opts.scheduler_options.strip())
    return "\n".join(lines + script_tail(opts, script))
