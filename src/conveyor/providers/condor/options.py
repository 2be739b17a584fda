"""CondorOptions: every CondorProvider parameter Parsl has, checked once."""

from __future__ import annotations

from dataclasses import dataclass, field

from conveyor.errors import ConfigurationError
from conveyor.providers.batch import BatchOptions, positive

__all__ = ["POSITIONAL", "CondorOptions"]

#: Parsl's positional order of CondorProvider's parameters
POSITIONAL = (
    *("nodes_per_block", "cores_per_slot", "mem_per_slot", "init_blocks", "min_blocks"),
    *("max_blocks", "parallelism", "environment", "project", "scheduler_options"),
    *("transfer_input_files", "walltime", "worker_init", "launcher", "requirements"),
    *("cmd_timeout", "cmd_chunk_size"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CondorOptions(BatchOptions):
    """Parameters of a CondorProvider (Parsl's names and defaults).

    To HTCondor a block is a slot: ``cores_per_slot``/``mem_per_slot`` become
    ``request_cpus``/``request_memory``. HTCondor has no walltime: it is accepted, as in
    Parsl, and not enforced.
    """

    cores_per_slot: int | None = None
    #: memory per slot in GB (``request_memory`` in MB)
    mem_per_slot: float | None = None
    #: variables set in the job's environment (None: none)
    environment: dict[str, str] | None = None
    #: the job's ``+projectname`` attribute
    project: str = ""
    #: more files HTCondor copies to the job's directory besides the job script
    transfer_input_files: list[str] = field(default_factory=list)
    #: the job's ``requirements`` expression
    requirements: str = ""
    #: at most this many job ids per condor_q/condor_history/condor_rm call
    cmd_chunk_size: int = 100

    def __post_init__(self) -> None:
        BatchOptions.__post_init__(self)
        positive(self, "cores_per_slot", "cmd_chunk_size")
        if self.mem_per_slot is not None and not self.mem_per_slot > 0:
            raise ConfigurationError(
                f"CondorOptions mem_per_slot must be > 0, got {self.mem_per_slot!r}"
            )
        variables = self.environment or {}
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in variables.items()):
            raise ConfigurationError("CondorOptions environment must map str to str")
