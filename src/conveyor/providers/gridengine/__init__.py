"""Grid Engine provider (Son of Grid Engine, Univa/Altair, Open Grid Scheduler): blocks as qsub jobs."""

from conveyor.providers.gridengine.options import GridEngineOptions
from conveyor.providers.gridengine.provider import GridEngineProvider

__all__ = ["GridEngineOptions", "GridEngineProvider"]
