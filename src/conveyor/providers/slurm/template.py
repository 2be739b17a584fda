"""The Slurm job script of one block, rendered from the provider's options (pure).

#SBATCH header (name, output files, nodes, time, partition, ...)
scheduler_options                (the user's own #SBATCH lines, verbatim)
export CONVEYOR_BLOCK_DEADLINE   (epoch seconds when Slurm's time limit ends the block)
worker_init                      (the user's environment set-up)
launcher(command)                (one pool per node)
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from conveyor.providers.slurm.options import SlurmOptions

__all__ = ["JobScript", "render_job_script"]


@dataclass(frozen=True, slots=True)
class JobScript:
    """What one block's script needs besides the provider's options."""

    job_name: str
    stdout_path: str
    stderr_path: str
    #: the pool command line; the launcher wraps it
    command: str
    tasks_per_node: int
    #: where launchers may write helper scripts (seen by every node)
    script_dir: str


def _header(opts: SlurmOptions, script: JobScript) -> list[str]:
    lines = [
        f"#SBATCH --job-name={script.job_name}",
        f"#SBATCH --output={script.stdout_path}",
        f"#SBATCH --error={script.stderr_path}",
        f"#SBATCH --nodes={opts.nodes_per_block}",
        f"#SBATCH --time={opts.walltime}",
        f"#SBATCH --ntasks-per-node={script.tasks_per_node}",
    ]
    if opts.exclusive:
        lines.append("#SBATCH --exclusive")
    if opts.cores_per_node:
        lines.append(
            f"#SBATCH --cpus-per-task={max(opts.cores_per_node // script.tasks_per_node, 1)}"
        )
    if opts.mem_per_node:
        lines.append(f"#SBATCH --mem={opts.mem_per_node}g")
    for name, value in (
        ("partition", opts.partition),
        ("account", opts.account),
        ("qos", opts.qos),
        ("constraint", opts.constraint),
        ("clusters", opts.clusters),
    ):
        if value:
            lines.append(f"#SBATCH --{name}={value}")
    return lines


def render_job_script(opts: SlurmOptions, script: JobScript) -> str:
    """The whole job script text for one block."""
    body = opts.launcher(script.command, script.tasks_per_node, opts.nodes_per_block)
    parts = ["#!/bin/bash", *_header(opts, script)]
    if opts.scheduler_options.strip():
        parts.append(opts.scheduler_options.strip())
    parts += [
        "",
        f"export JOBNAME={script.job_name}",
        f"export CONVEYOR_SCRIPT_DIR={shlex.quote(script.script_dir)}",
        f"export CONVEYOR_BLOCK_DEADLINE=$(( $(date +%s) + {opts.walltime_s} ))",
        opts.worker_init,
        body,
        "",
    ]
    return "\n".join(parts)
