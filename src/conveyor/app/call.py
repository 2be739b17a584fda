"""AppCall / AppOptions: the frozen description of one app invocation.

Data path position: ``App.__call__`` builds an :class:`AppCall` -> ``DataFlowKernel.submit``
-> submit-time rewriters (std streams, staging) may return a changed copy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = ["AppCall", "AppKind", "AppOptions"]

AppKind = Literal["python", "bash", "join"]


@dataclass(frozen=True, slots=True)
class AppOptions:
    """Options fixed when an app is decorated."""

    kind: AppKind = "python"
    #: executor labels the app may run on, or "all"
    executors: tuple[str, ...] | Literal["all"] = "all"
    cache: bool = False
    ignore_for_cache: tuple[str, ...] = ()


@dataclass(slots=True)  # one per app call: not frozen (see kernel/events.py); never written
class AppCall:
    """One invocation: the function, its arguments and the app's options.

    ``kwargs`` still holds the special keyword arguments (``inputs``, ``outputs``,
    ``stdout``, ``stderr``, ``walltime``) as the user passed them.
    """

    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    options: AppOptions
    #: the ``parsl_resource_specification`` keyword, if given
    resource_spec: Mapping[str, Any] = field(default_factory=dict)
    func_name: str = ""

    def with_changes(self, **changes: Any) -> AppCall:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)
