"""Launchers: start one worker pool per node inside a block (pure string functions)."""

from conveyor.launchers.base import Launcher
from conveyor.launchers.parallel import (
    AprunLauncher,
    GnuParallelLauncher,
    JsrunLauncher,
    MpiExecLauncher,
    MpiRunLauncher,
    SrunLauncher,
    SrunMPILauncher,
)
from conveyor.launchers.simple import SimpleLauncher, SingleNodeLauncher, WrappedLauncher

__all__ = [
    "AprunLauncher",
    "GnuParallelLauncher",
    "JsrunLauncher",
    "Launcher",
    "MpiExecLauncher",
    "MpiRunLauncher",
    "SimpleLauncher",
    "SingleNodeLauncher",
    "SrunLauncher",
    "SrunMPILauncher",
    "WrappedLauncher",
]
