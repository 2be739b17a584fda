"""IBM Spectrum LSF provider: blocks as bsub jobs."""

from conveyor.providers.lsf.options import LSFOptions
from conveyor.providers.lsf.provider import LSFProvider

__all__ = ["LSFOptions", "LSFProvider"]
