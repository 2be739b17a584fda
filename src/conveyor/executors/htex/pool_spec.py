"""PoolLaunchSpec: everything a worker pool needs to start, as its command line.

The executor renders it into the pool's argv (``process_worker_pool --name value ...``,
the command a provider's job runs); the pool parses it back. Unknown or unpaired
arguments are a ValueError, so a pool never starts on settings it misread.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["PoolLaunchSpec"]


@dataclass(frozen=True, slots=True)
class PoolLaunchSpec:
    """Everything a worker pool needs to start, rendered into and parsed from its argv."""

    addresses: str
    port: int
    block_id: str = "0"
    #: 0 = as many as cores / cores_per_worker allow
    max_workers: int = 0
    cores_per_worker: float = 1.0
    mem_per_worker: float = 0.0
    prefetch_capacity: int = 0
    heartbeat_period: float = 30.0
    heartbeat_threshold: float = 120.0
    cert_dir: str = ""
    logdir: str = "."
    debug: bool = False
    cpu_affinity: str = "none"
    accelerators: str = ""
    drain_period: float = 0.0
    #: MPI mode: the pool hands its block's nodes to tasks; mpiexec / srun / aprun
    mpi_launcher: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def to_argv(self) -> list[str]:
        """``--name value`` pairs for every field (bools as 0/1, extra as k=v)."""
        argv: list[str] = []
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.name == "extra":
                for k, v in value.items():
                    argv += ["--extra", f"{k}={v}"]
                continue
            argv += [
                f"--{spec.name.replace('_', '-')}",
                str(int(value) if isinstance(value, bool) else value),
            ]
        return argv

    def to_command(self, program: str = "process_worker_pool") -> str:
        """A shell command line running the pool."""
        return " ".join([program, *(shlex.quote(a) for a in self.to_argv())])

    @classmethod
    def from_argv(cls, argv: list[str]) -> PoolLaunchSpec:
        """Parse what :meth:`to_argv` produced; ValueError on anything else."""
        if len(argv) % 2:
            raise ValueError("pool arguments come in --name value pairs")
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {"extra": {}}
        for flag, raw in zip(argv[::2], argv[1::2], strict=True):
            name = flag.removeprefix("--").replace("-", "_")
            if not flag.startswith("--") or name not in types:
                raise ValueError(f"unknown pool argument {flag}")
            if name == "extra":
                k, _, v = raw.partition("=")
                values["extra"][k] = v
            else:
                values[name] = _convert(str(types[name]), raw)
        return cls(**values)


def _convert(kind: str, raw: str) -> Any:
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "bool":
        return raw not in ("0", "False", "false", "")
    return raw
