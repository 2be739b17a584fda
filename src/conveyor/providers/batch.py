"""What every qsub-style provider shares (PBS Pro, Torque, LSF, HTCondor, Grid Engine).

    BlockManager -> submit(command) -> job script in script_dir -> submit command -> job id
                 -> status(ids)     -> the system's query commands -> one ``Seen`` per job it knows
                 -> cancel(ids)     -> the system's cancel command(s)

A subclass supplies the pure parts (script text, argv, parsers) from its own ``commands``
module. Here: the common options, the job script's common tail, and the rules turning what
the system said into a JobStatus:

- a documented state maps to its JobState; an undocumented one is logged and the job keeps
  the state it had (UNKNOWN when it had none);
- a job conveyor cancelled that then ends, or leaves the system, is CANCELLED;
- a job the system does not list is PENDING for ``grace`` seconds after submission (the
  system may lag), its last terminal state if it had one, and MISSING after that -- except
  on systems that keep no record of ended jobs by default (PBS Pro without job history,
  Torque with ``keep_completed`` 0) but deliver a job's output files only when it ends:
  there a vanished job whose stdout file exists has ended, and is COMPLETED.
"""

from __future__ import annotations

import abc
import logging
import os
import re
import shlex
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from conveyor.errors import BadLauncher, ConfigurationError, SubmitException
from conveyor.launchers.base import Launcher
from conveyor.launchers.simple import SingleNodeLauncher
from conveyor.providers.base import ExecutionProvider, job_record
from conveyor.providers.local import check_blocks
from conveyor.providers.shell import CommandResult, CommandRunner
from conveyor.providers.slurm.commands import walltime_seconds
from conveyor.providers.slurm.template import JobScript
from conveyor.providers.states import JobState, JobStatus

__all__ = [
    "GRACE",
    "BatchOptions",
    "BatchProvider",
    "JobScript",
    "Seen",
    "hms",
    "options_from",
    "positive",
    "safe_names",
    "script_tail",
]

logger = logging.getLogger(__name__)

#: seconds a freshly submitted job may be absent from the system's listing
GRACE = 30.0

_SAFE = re.compile(r"^[\w.,:=+@/\-\[\]&|!*()]+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchOptions:
    """The parameters every Parsl cluster provider has (Parsl's names).

    A ``walltime`` that is not a time (Parsl's site configs say ``"YOUR_WALLTIME"``) is
    accepted with a warning, as Parsl accepts it; a block submitted with it is refused.
    """

    nodes_per_block: int = 1
    init_blocks: int = 1
    min_blocks: int = 0
    max_blocks: int = 1
    parallelism: float = 1
    walltime: str = "00:10:00"
    #: extra directive lines, verbatim
    scheduler_options: str = ""
    #: shell commands run in the job before the pools start
    worker_init: str = ""
    #: seconds each scheduler command may take
    cmd_timeout: int = 60
    launcher: Launcher = field(default_factory=SingleNodeLauncher)

    def __post_init__(self) -> None:
        check_blocks(self.init_blocks, self.min_blocks, self.max_blocks, self.parallelism)
        if not isinstance(self.launcher, Launcher):
            raise BadLauncher(self.launcher)
        positive(self, "nodes_per_block", "cmd_timeout")
        if not isinstance(self.walltime, str):
            raise ConfigurationError(f"walltime must be a string, got {self.walltime!r}")
        try:
            walltime_seconds(self.walltime)
        except ConfigurationError as e:
            logger.warning("%s: %s; blocks cannot be submitted with it", type(self).__name__, e)

    @property
    def walltime_s(self) -> int:
        """The time limit in seconds."""
        return walltime_seconds(self.walltime)


def positive(opts: object, *names: str) -> None:
    """ConfigurationError unless each named attribute is None or an int >= 1."""
    for name in names:
        value = getattr(opts, name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
            raise ConfigurationError(
                f"{type(opts).__name__} {name} must be an int >= 1, got {value!r}"
            )


def safe_names(opts: object, *names: str) -> None:
    """ConfigurationError unless each named attribute is None or a plain scheduler name."""
    for name in names:
        value = getattr(opts, name)
        if value and not (isinstance(value, str) and _SAFE.match(value)):
            raise ConfigurationError(f"{type(opts).__name__} {name} {value!r} is not a valid name")


def options_from(
    cls: type[BatchOptions], order: Sequence[str], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> BatchOptions:
    """The options: given whole, or built from Parsl's positional ``order`` and keywords."""
    if len(args) == 1 and isinstance(args[0], cls) and not kwargs:
        return args[0]
    if len(args) > len(order):
        raise ConfigurationError(f"{cls.__name__}: at most {len(order)} positional arguments")
    for name, value in zip(order, args, strict=False):
        if name in kwargs:
            raise ConfigurationError(f"{cls.__name__}: {name} given twice")
        kwargs[name] = value
    return cls(**kwargs)


def hms(seconds: int) -> str:
    """``HH:MM:SS`` (hours may exceed 24), the walltime form PBS and Grid Engine take."""
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def script_tail(opts: BatchOptions, script: JobScript, deadline: bool = True) -> list[str]:
    """The job script after its directives: environment, worker_init, the launched pools.

    ``deadline``: the system ends the job at its walltime, so the pools should drain first.
    """
    body = opts.launcher(script.command, script.tasks_per_node, opts.nodes_per_block)
    lines = [
        "",
        f"export JOBNAME={shlex.quote(script.job_name)}",
        f"export CONVEYOR_SCRIPT_DIR={shlex.quote(script.script_dir)}",
    ]
    if deadline:
        lines.append(f"export CONVEYOR_BLOCK_DEADLINE=$(( $(date +%s) + {opts.walltime_s} ))")
    return [*lines, opts.worker_init, body, ""]


@dataclass(frozen=True, slots=True)
class Seen:
    """What the batch system said about one job."""

    #: the system's own state word (``R``, ``RUN``, ``qw``, ``2``, ...)
    word: str
    #: its JobState; UNKNOWN when the word is not documented
    state: JobState
    #: reason, hold reason or exit details, in the system's words
    detail: str = ""
    exit_code: int | None = None


@dataclass(slots=True)
class _Job:
    submitted: float
    stdout_path: str
    stderr_path: str
    cancelled: bool = False
    last: JobStatus | None = None


def _with_paths(job: _Job, state: JobState, message: str, code: int | None = None) -> JobStatus:
    out, err = job.stdout_path or None, job.stderr_path or None
    return JobStatus(state, message, code, stdout_path=out, stderr_path=err)


class BatchProvider(CommandRunner, ExecutionProvider):
    """A provider whose blocks are jobs of a command-line batch system."""

    #: the system's name in messages ("PBS Pro")
    system = "batch"
    #: the system copies a job's stdout file to its -o path only when the job ends
    delivers_output_at_end = False
    #: seconds a submitted job may be absent from the system's listing before it is MISSING
    grace = GRACE
    options: BatchOptions

    def _adopt(self, label: str, opts: BatchOptions) -> None:
        """Copy the block-sizing options to the attributes the executor reads."""
        self.options = opts
        self.label = label
        self.nodes_per_block = opts.nodes_per_block
        self.init_blocks, self.min_blocks = opts.init_blocks, opts.min_blocks
        self.max_blocks = opts.max_blocks
        self.parallelism = opts.parallelism
        self.walltime = opts.walltime
        self.launcher = opts.launcher
        self.worker_init = opts.worker_init
        self.scheduler_options = opts.scheduler_options
        self.cmd_timeout = opts.cmd_timeout
        self._jobs: dict[str, _Job] = {}

    # -- what a batch system supplies ------------------------------------------------------
    @abc.abstractmethod
    def _render(self, script: JobScript) -> str:
        """The job script (or submit description) text."""

    @abc.abstractmethod
    def _submit(self, path: str) -> tuple[CommandResult, str | None]:
        """Submit the file at ``path``; the command's result and the job id it printed."""

    @abc.abstractmethod
    def _query(self, ids: list[str]) -> tuple[dict[str, Seen], str | None]:
        """What the system says about these jobs, or an error describing why it cannot."""

    @abc.abstractmethod
    def _cancel_argvs(self, ids: list[str]) -> list[list[str]]:
        """The command(s) that cancel these jobs."""

    # -- the common flow -------------------------------------------------------------------
    def _settled(self, job_id: str) -> bool:
        """True when the job's last known state is terminal (no need to ask again)."""
        job = self._jobs.get(job_id)
        return job is not None and job.last is not None and job.last.terminal

    def _cancelled(self, job_id: str) -> bool:
        job = self._jobs.get(job_id)
        return job is not None and job.cancelled

    def _last_state(self, job_id: str) -> JobState | None:
        job = self._jobs.get(job_id)
        return job.last.state if job is not None and job.last is not None else None

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        """Parsl's table of the jobs submitted, a fresh copy on each read.

        ``{job_id: {"job_id", "status", "job_stdout_path", "job_stderr_path"}}``.
        """
        return {
            j: job_record(j, job.last, job.stdout_path, job.stderr_path)
            for j, job in self._jobs.items()
        }

    def submit(self, command: str, tasks_per_node: int, job_name: str = "conveyor.auto") -> str:
        """Write the job script and submit it; SubmitException with the system's words."""
        script_dir = os.fspath(self.script_dir)
        os.makedirs(script_dir, exist_ok=True)
        base = os.path.abspath(os.path.join(script_dir, f"{job_name}.{time.time_ns()}"))
        script = JobScript(
            job_name, f"{base}.stdout", f"{base}.stderr", command, tasks_per_node, script_dir
        )
        with open(f"{base}.submit", "w") as f:
            f.write(self._render(script))
        result, job_id = self._submit(f"{base}.submit")
        if job_id is None:
            raise SubmitException(
                job_name,
                f"{self.system} refused the job: {result.describe()}",
                result.stdout,
                result.stderr,
                result.returncode,
            )
        self._jobs[job_id] = _Job(time.monotonic(), script.stdout_path, script.stderr_path)
        logger.info("block %s submitted as %s job %s", job_name, self.system, job_id)
        return job_id

    def status(self, job_ids: Sequence[Any]) -> list[JobStatus]:
        """State of each job, from the system's machine-readable listing."""
        ids = [str(j) for j in job_ids]
        if not ids:
            return []
        seen, error = self._query(ids)
        return [self._one(j, seen.get(j), error) for j in ids]

    def _one(self, job_id: str, seen: Seen | None, error: str | None) -> JobStatus:
        job = self._jobs.setdefault(job_id, _Job(0.0, "", ""))
        status = self._judge(job_id, job, seen, error)
        if status.state is not JobState.UNKNOWN:
            job.last = status
        return status

    def _judge(self, job_id: str, job: _Job, seen: Seen | None, error: str | None) -> JobStatus:
        if seen is not None:
            if seen.state is JobState.UNKNOWN:
                logger.warning(
                    "%s job %s is in undocumented state %r", self.system, job_id, seen.word
                )
                if job.last is not None:
                    return job.last
            message = f"{seen.word} ({seen.detail})" if seen.detail else seen.word
            state = seen.state
            if job.cancelled and state in (JobState.COMPLETED, JobState.FAILED):
                state = JobState.CANCELLED
            return _with_paths(job, state, message, seen.exit_code)
        if error is not None:
            return JobStatus(JobState.UNKNOWN, f"cannot ask {self.system}: {error}")
        if job.last is not None and job.last.terminal:
            return job.last
        if job.cancelled:
            return _with_paths(
                job, JobState.CANCELLED, f"cancelled; {self.system} lists it no more"
            )
        if time.monotonic() - job.submitted < self.grace:
            return JobStatus(JobState.PENDING, f"not known to {self.system} yet")
        if self.delivers_output_at_end and job.stdout_path and os.path.exists(job.stdout_path):
            note = f"ended (its output was delivered); {self.system} keeps no record of it"
            return _with_paths(job, JobState.COMPLETED, note)
        return _with_paths(job, JobState.MISSING, f"{self.system} no longer knows this job")

    def cancel(self, job_ids: Sequence[Any]) -> list[bool]:
        """Cancel the jobs; True for each when the system accepted the request."""
        ids = [str(j) for j in job_ids]
        if not ids:
            return []
        ok = True
        for argv in self._cancel_argvs(ids):
            result = self._run(argv)
            if not result.ok:
                logger.warning("%s cancel failed: %s", self.system, result.describe())
                ok = False
        for j in ids:
            self._jobs.setdefault(j, _Job(0.0, "", "")).cancelled = True
        return [ok] * len(ids)

    @property
    def block_seconds(self) -> float | None:
        """The system ends a block at its walltime (None while it is not a time)."""
        try:
            return float(self.options.walltime_s)
        except ConfigurationError:
            return None

    @property
    def status_polling_interval(self) -> float:
        """Status commands ask a central server: a few seconds apart at most."""
        return 5.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.options!r})"
