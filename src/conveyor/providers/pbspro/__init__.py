"""PBS Pro (Altair PBS Professional, OpenPBS) provider: blocks as qsub jobs."""

from conveyor.providers.pbspro.options import PBSProOptions
from conveyor.providers.pbspro.provider import PBSProProvider

__all__ = ["PBSProOptions", "PBSProProvider"]
