"""Parsl's app classes ``PythonApp`` and ``BashApp``, as kinds of conveyor's :class:`App`.

Scripts build apps with them directly (``PythonApp(func, executors=[...])``) or test what
a decorator made (``isinstance(f, PythonApp)``): both work, and an app made by
``@python_app`` counts as a ``PythonApp`` (``@bash_app`` as a ``BashApp``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from conveyor.app.app import App
from conveyor.app.call import AppKind

if TYPE_CHECKING:
    from conveyor.kernel.kernel import DataFlowKernel

__all__ = ["BashApp", "PythonApp"]


class _KindMeta(type):
    """``isinstance(app, PythonApp)`` is true for every App of that kind."""

    kind: AppKind

    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, App) and instance.options.kind in cls._kinds()

    def _kinds(cls) -> tuple[AppKind, ...]:
        return ("python", "join") if cls.kind == "python" else (cls.kind,)


class PythonApp(App, metaclass=_KindMeta):
    """An app running a Python function; ``join=True`` makes it a join app."""

    kind: AppKind = "python"

    def __init__(
        self,
        func: Callable[..., Any],
        data_flow_kernel: DataFlowKernel | None = None,
        cache: bool = False,
        executors: Sequence[str] | Literal["all"] = "all",
        ignore_for_cache: Sequence[str] | None = None,
        join: bool = False,
    ) -> None:
        kind: AppKind = "join" if join else "python"
        labels: Sequence[str] | Literal["all"] = "all" if join else executors
        super().__init__(func, kind, data_flow_kernel, labels, cache, ignore_for_cache)
        self.join = join


class BashApp(App, metaclass=_KindMeta):
    """An app whose function returns a shell command line to run."""

    kind: AppKind = "bash"

    def __init__(
        self,
        func: Callable[..., Any],
        data_flow_kernel: DataFlowKernel | None = None,
        cache: bool = False,
        executors: Sequence[str] | Literal["all"] = "all",
        ignore_for_cache: Sequence[str] | None = None,
    ) -> None:
        super().__init__(func, "bash", data_flow_kernel, executors, cache, ignore_for_cache)
