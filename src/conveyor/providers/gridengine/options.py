"""GridEngineOptions: every GridEngineProvider parameter Parsl has, checked once."""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.providers.batch import BatchOptions, safe_names

__all__ = ["POSITIONAL", "GridEngineOptions"]

#: Parsl's positional order of GridEngineProvider's parameters
POSITIONAL = (
    *("nodes_per_block", "init_blocks", "min_blocks", "max_blocks", "parallelism", "walltime"),
    *("scheduler_options", "worker_init", "launcher", "cmd_timeout", "queue"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class GridEngineOptions(BatchOptions):
    """Parameters of a GridEngineProvider (Parsl's names and defaults).

    Parsl's template requests no parallel environment: a block of several nodes needs the
    site's own ``#$ -pe NAME N`` line in ``scheduler_options``.
    """

    #: the cluster queue (``qsub -q``); None = Grid Engine picks
    queue: str | None = None
    cmd_timeout: int = 60

    def __post_init__(self) -> None:
        BatchOptions.__post_init__(self)
        safe_names(self, "queue")
