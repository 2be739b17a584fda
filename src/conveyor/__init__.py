"""conveyor: parallel scripting with Parsl's API, faster and leaner.

Heavy parts (the HighThroughputExecutor, providers, launchers) are imported lazily, so
``import conveyor`` stays cheap and does not load ZeroMQ.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from conveyor.app.decorators import bash_app, join_app, python_app
from conveyor.compat import LAUNCHER_NAMES
from conveyor.config import Config
from conveyor.elaborations.std_streams import AUTO_LOGNAME
from conveyor.executors.threads import ThreadPoolExecutor
from conveyor.files import File
from conveyor.futures import AppFuture, DataFuture
from conveyor.kernel.current import clear, dfk, load, wait_for_current_tasks
from conveyor.log_utils import set_file_logger, set_stream_logger
from conveyor.progress_bar import progress
from conveyor.version import VERSION

__version__ = VERSION

_LAZY = {
    "HighThroughputExecutor": "conveyor.executors.htex.executor",
    "LocalProvider": "conveyor.providers.local",
    "SlurmProvider": "conveyor.providers.slurm",
    "DataFlowKernel": "conveyor.kernel.kernel",
    "MonitoringHub": "conveyor.monitoring.hub",
    **dict.fromkeys(LAUNCHER_NAMES, "conveyor.launchers"),
}

__all__ = [
    "AUTO_LOGNAME",
    "AppFuture",
    "Config",
    "DataFuture",
    "File",
    "ThreadPoolExecutor",
    "__version__",
    "bash_app",
    "clear",
    "dfk",
    "join_app",
    "load",
    "progress",
    "python_app",
    "set_file_logger",
    "set_stream_logger",
    "wait_for_current_tasks",
    *_LAZY,
]


if os.environ.get("CONVEYOR_PARSL_COMPAT") == "1":  # started by a process running Parsl code
    from conveyor.importhook import install as _install_parsl_hook

    _install_parsl_hook()


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'conveyor' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
