"""Slurm provider: blocks as Slurm batch jobs."""

from conveyor.providers.slurm.options import SlurmOptions
from conveyor.providers.slurm.provider import SlurmProvider

__all__ = ["SlurmOptions", "SlurmProvider"]
