"""Parsl's ``BlockProviderExecutor`` (``parsl.executors.status_handling``), as an ABC.

In Parsl it is the base class of executors whose workers run in blocks obtained from an
execution provider (HTEX, MPIExecutor, ...); code tells such executors apart with
``isinstance(ex, BlockProviderExecutor)``. conveyor's executors get their blocks from a
:class:`~conveyor.executors.blocks.manager.BlockManager` instead of a common base class, so
this ABC recognises them by that interface: a class is a BlockProviderExecutor when it is
an :class:`~conveyor.executors.base.Executor` offering Parsl's block methods (``provider``,
``status``, ``scale_in``, ``scale_out_facade``). conveyor's ThreadPoolExecutor is not one.
"""

from __future__ import annotations

import abc
from typing import Any

from conveyor.executors.base import Executor

__all__ = ["BLOCK_INTERFACE", "BlockProviderExecutor"]

#: the attributes an executor class offers when its workers run in provider blocks
BLOCK_INTERFACE = ("provider", "status", "scale_in", "scale_out_facade")


class BlockProviderExecutor(abc.ABC):  # noqa: B024 - recognised by interface (subclasshook)
    """Executors whose workers run in provider blocks (recognised by their interface)."""

    @classmethod
    def __subclasshook__(cls, candidate: type) -> Any:
        if cls is not BlockProviderExecutor:
            return NotImplemented
        if not issubclass(candidate, Executor):
            return NotImplemented
        if all(any(name in vars(k) for k in candidate.__mro__) for name in BLOCK_INTERFACE):
            return True
        return NotImplemented
