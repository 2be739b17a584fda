"""PBSProOptions: every PBSProProvider parameter Parsl has, checked once."""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.providers.batch import BatchOptions, positive, safe_names

__all__ = ["POSITIONAL", "PBSProOptions"]

#: Parsl's positional order of PBSProProvider's parameters
POSITIONAL = (
    *("account", "queue", "scheduler_options", "select_options", "worker_init"),
    *("nodes_per_block", "cpus_per_node", "init_blocks", "min_blocks", "max_blocks"),
    *("parallelism", "launcher", "walltime", "cmd_timeout"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PBSProOptions(BatchOptions):
    """Parameters of a PBSProProvider (Parsl's names and defaults)."""

    #: charged account (``qsub -A``)
    account: str | None = None
    #: the queue (``qsub -q``)
    queue: str | None = None
    #: appended to the ``-l select=N:ncpus=C`` chunk, e.g. ``ngpus=4`` (a ``:`` is added)
    select_options: str = ""
    #: the ``ncpus`` of each select chunk (one chunk per node)
    cpus_per_node: int = 1
    walltime: str = "00:20:00"
    cmd_timeout: int = 120

    def __post_init__(self) -> None:
        BatchOptions.__post_init__(self)
        positive(self, "cpus_per_node")
        safe_names(self, "account", "queue")

    @property
    def select(self) -> str:
        """The select statement: one chunk of ``cpus_per_node`` cpus per node."""
        extra = self.select_options
        if extra and not extra.startswith(":"):
            extra = ":" + extra
        return f"{self.nodes_per_block}:ncpus={self.cpus_per_node}{extra}"
