"""HTCondor provider: blocks as vanilla-universe jobs."""

from conveyor.providers.condor.options import CondorOptions
from conveyor.providers.condor.provider import CondorProvider

__all__ = ["CondorOptions", "CondorProvider"]
