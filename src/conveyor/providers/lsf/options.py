"""LSFOptions: every LSFProvider parameter Parsl has, checked once."""

from __future__ import annotations

import math
from dataclasses import dataclass

from conveyor.errors import ConfigurationError
from conveyor.providers.batch import BatchOptions, positive, safe_names

__all__ = ["POSITIONAL", "LSFOptions"]

#: Parsl's positional order of LSFProvider's parameters
POSITIONAL = (
    *("nodes_per_block", "cores_per_block", "cores_per_node", "init_blocks", "min_blocks"),
    *("max_blocks", "parallelism", "walltime", "scheduler_options", "worker_init"),
    *("project", "queue", "cmd_timeout", "bsub_redirection", "request_by_nodes", "launcher"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class LSFOptions(BatchOptions):
    """Parameters of an LSFProvider (Parsl's names and defaults).

    ``request_by_nodes=True`` asks for ``-nnodes nodes_per_block`` (LSF with CSM, as on
    Summit); ``False`` asks for ``-n cores_per_block`` spread ``cores_per_node`` a host, and
    ``nodes_per_block`` becomes ``ceil(cores_per_block / cores_per_node)``.
    """

    cores_per_block: int | None = None
    cores_per_node: int | None = None
    #: the project charged (``#BSUB -P``)
    project: str | None = None
    #: the queue (``#BSUB -q``)
    queue: str | None = None
    cmd_timeout: int = 120
    #: submit as ``bsub < script`` (LSF reads #BSUB lines from stdin) instead of
    #: ``bsub script`` (which reads them only with LSB_BSUB_PARSE_SCRIPT=Y)
    bsub_redirection: bool = False
    request_by_nodes: bool = True

    def __post_init__(self) -> None:
        positive(self, "cores_per_block", "cores_per_node")
        if not self.request_by_nodes:
            if self.cores_per_block is None or self.cores_per_node is None:
                raise ConfigurationError(
                    "LSFProvider with request_by_nodes=False needs cores_per_block and "
                    "cores_per_node"
                )
            nodes = math.ceil(self.cores_per_block / self.cores_per_node)
            object.__setattr__(self, "nodes_per_block", nodes)
        BatchOptions.__post_init__(self)
        safe_names(self, "project", "queue")

    @property
    def walltime_minutes(self) -> int:
        """The ``-W`` limit: whole minutes, rounded up, at least 1."""
        return max(1, math.ceil(self.walltime_s / 60))
