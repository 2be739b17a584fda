"""The HTCondor submit description and job script of one block (pure).

The submit description runs ``/bin/bash SCRIPT`` in the vanilla universe, with SCRIPT (and
``transfer_input_files``) copied to the job's directory:

universe, executable, arguments, file transfer, machine_count, output/error/log
requirements, +projectname, environment, request_cpus, request_memory (when set)
scheduler_options   (the user's own submit commands, verbatim)
queue

The script holds the common tail (no deadline: HTCondor enforces no walltime).
"""

from __future__ import annotations

import os

from conveyor.providers.batch import JobScript, script_tail
from conveyor.providers.condor.options import CondorOptions

__all__ = ["environment_value", "render_job_script", "render_submit"]


def environment_value(variables: dict[str, str]) -> str:
    """The ``environment`` command's value: ``"A='x' B='it''s'"`` (quotes doubled)."""
    pairs = []
    for name, value in variables.items():
        quoted = value.replace('"', '""').replace("'", "''")
        pairs.append(f"{name}='{quoted}'")
    return '"' + " ".join(pairs) + '"'


def _resources(opts: CondorOptions) -> tuple[list[str], list[str]]:
    """Submit commands and script exports for the slot's cores and memory."""
    commands, exports = [], []
    if opts.mem_per_slot is not None:
        commands.append(f"request_memory          = {int(opts.mem_per_slot * 1024)}")
        exports.append(f"export PARSL_MEMORY_GB={opts.mem_per_slot}")
    if opts.cores_per_slot is not None:
        commands.append(f"request_cpus            = {opts.cores_per_slot}")
        exports.append(f"export PARSL_CORES={opts.cores_per_slot}")
    return commands, exports


def render_job_script(opts: CondorOptions, script: JobScript) -> str:
    """The bash script the job runs."""
    _, exports = _resources(opts)
    return "\n".join(["#!/bin/bash", *exports, *script_tail(opts, script, deadline=False)])


def render_submit(opts: CondorOptions, script: JobScript, script_path: str) -> str:
    """The submit description for ``condor_submit``."""
    base = script.stdout_path.removesuffix(".stdout")
    inputs = ",".join([script_path, *opts.transfer_input_files])
    lines = [
        "universe                = vanilla",
        "executable              = /bin/bash",
        f"arguments               = {os.path.basename(script_path)}",
        "transfer_executable     = false",
        "should_transfer_files   = YES",
        "when_to_transfer_output = ON_EXIT_OR_EVICT",
        f"transfer_input_files    = {inputs}",
        f"machine_count           = {opts.nodes_per_block}",
        f"output                  = {script.stdout_path}",
        f"error                   = {script.stderr_path}",
        f"log                     = {base}.log",
    ]
    if opts.requirements:
        lines.append(f"requirements            = {opts.requirements}")
    if opts.project:
        lines.append(f'+projectname            = "{opts.project.strip(chr(34))}"')
    env = {**(opts.environment or {}), "JOBNAME": script.job_name}
    lines.append(f"environment             = {environment_value(env)}")
    lines += _resources(opts)[0]
    if opts.scheduler_options.strip():
        lines.append(opts.scheduler_options.strip())
    return "\n".join([*lines, "queue", ""])
