"""SlurmOptions: every SlurmProvider parameter Parsl has, checked once at construction."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from conveyor.errors import BadLauncher, ConfigurationError
from conveyor.launchers.base import Launcher
from conveyor.launchers.simple import SingleNodeLauncher
from conveyor.providers.local import check_blocks
from conveyor.providers.slurm.commands import walltime_seconds

__all__ = ["SlurmOptions"]

_SAFE = re.compile(r"^[\w.,:=+@/\-\[\]&|!*()]+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class SlurmOptions:
    """Parameters of a SlurmProvider (Parsl's names and defaults)."""

    partition: str | None = None
    account: str | None = None
    qos: str | None = None
    constraint: str | None = None
    clusters: str | None = None
    nodes_per_block: int = 1
    cores_per_node: int | None = None
    mem_per_node: int | None = None
    init_blocks: int = 1
    min_blocks: int = 0
    max_blocks: int = 1
    parallelism: float = 1
    walltime: str = "00:10:00"
    #: extra ``#SBATCH`` lines, verbatim
    scheduler_options: str = ""
    #: accepted for Parsl compatibility; conveyor submits with ``--parsable``
    regex_job_id: str = r"Submitted batch job (?P<id>\S*)"
    #: shell commands run in the job before the pools start
    worker_init: str = ""
    #: seconds each sbatch/squeue/sacct/scancel may take
    cmd_timeout: int = 10
    exclusive: bool = True
    launcher: Launcher = field(default_factory=SingleNodeLauncher)
    move_files: bool | None = None

    def __post_init__(self) -> None:
        check_blocks(self.init_blocks, self.min_blocks, self.max_blocks, self.parallelism)
        if not isinstance(self.launcher, Launcher):
            raise BadLauncher(self.launcher)
        _positive("nodes_per_block", self.nodes_per_block)
        _positive("cmd_timeout", self.cmd_timeout)
        for name in ("cores_per_node", "mem_per_node"):
            value = getattr(self, name)
            if value is not None:
                _positive(name, value)
        for name in ("partition", "account", "qos", "constraint", "clusters"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, str) and _SAFE.match(value)):
                raise ConfigurationError(
                    f"SlurmProvider {name} {value!r} is not a valid Slurm name"
                )
        walltime_seconds(self.walltime)

    @property
    def walltime_s(self) -> int:
        """The time limit in seconds."""
        return walltime_seconds(self.walltime)


def _positive(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigurationError(f"SlurmProvider {name} must be an int >= 1, got {value!r}")
