"""The "current kernel" convenience: ``load(config)``, ``dfk()``, ``clear()``.

Apps without an explicit ``data_flow_kernel`` submit to the current kernel. Only one
kernel is current at a time; ``clear()`` (or the kernel's own ``cleanup()``) releases it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from conveyor.config import Config
from conveyor.errors import ConfigurationError, NoDataFlowKernelError

if TYPE_CHECKING:
    from conveyor.kernel.kernel import DataFlowKernel

__all__ = ["clear", "dfk", "forget", "load", "wait_for_current_tasks"]

_lock = threading.Lock()
_current: DataFlowKernel | None = None


def load(config: Config | None = None) -> DataFlowKernel:
    """Start a kernel for ``config`` and make it current (also a context manager)."""
    from conveyor.kernel.kernel import DataFlowKernel

    global _current
    with _lock:
        if _current is not None:
            raise ConfigurationError(
                "a config is already loaded: call clear() (or cleanup) before loading another"
            )
        if config is not None and not isinstance(config, Config):
            raise ConfigurationError(f"load() needs a Config, not {type(config).__name__}")
        _current = DataFlowKernel(config)
        return _current


def dfk() -> DataFlowKernel:
    """The current kernel; NoDataFlowKernelError if none is loaded."""
    kernel = _current
    if kernel is None:
        raise NoDataFlowKernelError("Must first load config")
    return kernel


def clear() -> None:
    """Clean up the current kernel (if still running) and forget it."""
    global _current
    with _lock:
        kernel, _current = _current, None
    if kernel is not None:
        kernel.cleanup()


def forget(kernel: DataFlowKernel) -> None:
    """Called by ``DataFlowKernel.cleanup``: stop treating ``kernel`` as current."""
    global _current
    with _lock:
        if _current is kernel:
            _current = None


def wait_for_current_tasks() -> None:
    """Wait for every task of the current kernel."""
    dfk().wait_for_current_tasks()
