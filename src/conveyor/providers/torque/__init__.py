"""Torque (Adaptive Computing TORQUE, PBS-derived) provider: blocks as qsub jobs."""

from conveyor.providers.torque.options import TorqueOptions
from conveyor.providers.torque.provider import TorqueProvider

__all__ = ["TorqueOptions", "TorqueProvider"]
