"""The LSF job script of one block (pure).

#BSUB directives    (run limit in minutes, name, output files)
scheduler_options   (the user's own #BSUB lines, verbatim)
#BSUB -P/-q         (project, queue) and the request: -nnodes N, or -n C with span[ptile=P]
common tail         (JOBNAME, CONVEYOR_BLOCK_DEADLINE, worker_init, launcher(command))
"""

from __future__ import annotations

from conveyor.providers.batch import JobScript, script_tail
from conveyor.providers.lsf.options import LSFOptions

__all__ = ["render_job_script"]


def _request(opts: LSFOptions) -> list[str]:
    lines = []
    if opts.project:
        lines.append(f"#BSUB -P {opts.project}")
    if opts.queue:
        lines.append(f"#BSUB -q {opts.queue}")
    if opts.request_by_nodes:
        lines.append(f"#BSUB -nnodes {opts.nodes_per_block}")
    else:
        lines += [
            f"#BSUB -n {opts.cores_per_block}",
            f'#BSUB -R "span[ptile={opts.cores_per_node}]"',
        ]
    return lines


def render_job_script(opts: LSFOptions, script: JobScript) -> str:
    """The whole job script text for one block."""
    lines = [
        "#!/bin/bash",
        f"#BSUB -W {opts.walltime_minutes}",
        f"#BSUB -J {script.job_name}",
        f"#BSUB -o {script.stdout_path}",
        f"#BSUB -e {script.stderr_path}",
    ]
    if opts.scheduler_options.strip():
        lines.append(opts.scheduler_options.strip())
    return "\n".join(lines + _request(opts) + script_tail(opts, script))
