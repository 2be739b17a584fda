"""TorqueOptions: every TorqueProvider parameter Parsl has, checked once."""

from __future__ import annotations

from dataclasses import dataclass, field

from conveyor.launchers.base import Launcher
from conveyor.launchers.parallel import AprunLauncher
from conveyor.providers.batch import BatchOptions, safe_names

__all__ = ["POSITIONAL", "TorqueOptions"]

#: Parsl's positional order of TorqueProvider's parameters
POSITIONAL = (
    *("account", "queue", "scheduler_options", "worker_init", "nodes_per_block"),
    *("init_blocks", "min_blocks", "max_blocks", "parallelism", "launcher", "walltime"),
    "cmd_timeout",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class TorqueOptions(BatchOptions):
    """Parameters of a TorqueProvider (Parsl's names and defaults; the launcher is aprun)."""

    #: charged account (``qsub -A``)
    account: str | None = None
    #: the queue (``qsub -q``)
    queue: str | None = None
    walltime: str = "00:20:00"
    cmd_timeout: int = 120
    launcher: Launcher = field(default_factory=AprunLauncher)

    def __post_init__(self) -> None:
        BatchOptions.__post_init__(self)
        safe_names(self, "account", "queue")
