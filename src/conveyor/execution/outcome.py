"""The result of running one task attempt, as every executor reports it back.

Data path position: worker (``run_task``) -> ``Outcome`` -> executor future -> kernel.
Remote exceptions keep their original type; the worker's formatted traceback rides along
as a :class:`RemoteTraceback` set as ``__cause__`` (the mpi4py / CPython pattern).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

__all__ = ["Err", "Ok", "Outcome", "RemoteTraceback", "WorkerIdentity", "attach_remote_traceback"]


@dataclass(frozen=True, slots=True)
class WorkerIdentity:
    """Where an attempt ran."""

    hostname: str = ""
    block_id: str = ""
    manager_id: str = ""
    worker_rank: int = -1

    def __str__(self) -> str:
        return f"host={self.hostname} block={self.block_id} manager={self.manager_id} worker={self.worker_rank}"


class RemoteTraceback(Exception):  # noqa: N818 - name follows concurrent.futures.process
    """Carries a traceback formatted where the task ran; set as ``__cause__`` of its error."""

    def __init__(self, tb: str, origin: str = "") -> None:
        super().__init__(tb, origin)
        self.tb = tb
        self.origin = origin

    def __str__(self) -> str:
        where = f" (on {self.origin})" if self.origin else ""
        return f'\n"""\nTraceback from the worker{where}:\n{self.tb}"""'


def attach_remote_traceback(exc: BaseException, origin: str = "") -> BaseException:
    """Format ``exc``'s traceback into a RemoteTraceback cause; return ``exc``."""
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    exc.__cause__ = RemoteTraceback(tb, origin)
    exc.__traceback__ = None
    return exc


@dataclass(frozen=True, slots=True)
class Ok:
    """A successful attempt's return value."""

    value: Any


@dataclass(frozen=True, slots=True)
class Err:
    """A failed attempt's exception (original type, RemoteTraceback as ``__cause__``)."""

    error: BaseException


Outcome = Ok | Err
