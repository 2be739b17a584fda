"""The decorators users write: ``@python_app``, ``@bash_app``, ``@join_app``.

Each works with or without parentheses and takes Parsl's options.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from conveyor.app.app import App
from conveyor.app.call import AppKind

if TYPE_CHECKING:
    from conveyor.kernel.kernel import DataFlowKernel

__all__ = ["bash_app", "join_app", "python_app"]

Decorator = Callable[[Callable[..., Any]], App]


def _make(
    kind: AppKind,
    function: Callable[..., Any] | None,
    data_flow_kernel: DataFlowKernel | None,
    cache: bool,
    executors: Sequence[str] | Literal["all"],
    ignore_for_cache: Sequence[str] | None,
) -> App | Decorator:
    def decorate(func: Callable[..., Any]) -> App:
        return App(func, kind, data_flow_kernel, executors, cache, ignore_for_cache)

    return decorate(function) if function is not None else decorate


@overload
def python_app(function: Callable[..., Any]) -> App: ...
@overload
def python_app(
    function: None = None,
    data_flow_kernel: DataFlowKernel | None = None,
    cache: bool = False,
    executors: Sequence[str] | Literal["all"] = "all",
    ignore_for_cache: Sequence[str] | None = None,
) -> Decorator: ...
def python_app(
    function: Callable[..., Any] | None = None,
    data_flow_kernel: DataFlowKernel | None = None,
    cache: bool = False,
    executors: Sequence[str] | Literal["all"] = "all",
    ignore_for_cache: Sequence[str] | None = None,
) -> App | Decorator:
    """Make a Python function an app: calls return AppFutures and run on an executor."""
    return _make("python", function, data_flow_kernel, cache, executors, ignore_for_cache)


@overload
def bash_app(function: Callable[..., Any]) -> App: ...
@overload
def bash_app(
    function: None = None,
    data_flow_kernel: DataFlowKernel | None = None,
    cache: bool = False,
    executors: Sequence[str] | Literal["all"] = "all",
    ignore_for_cache: Sequence[str] | None = None,
) -> Decorator: ...
def bash_app(
    function: Callable[..., Any] | None = None,
    data_flow_kernel: DataFlowKernel | None = None,
    cache: bool = False,
    executors: Sequence[str] | Literal["all"] = "all",
    ignore_for_cache: Sequence[str] | None = None,
) -> App | Decorator:
    """Make a function returning a shell command an app that runs that command."""
    return _make("bash", function, data_flow_kernel, cache, executors, ignore_for_cache)


@overload
def join_app(function: Callable[..., Any]) -> App: ...
@overload
def join_app(
    function: None = None,
    data_flow_kernel: DataFlowKernel | None = None,
    cache: bool = False,
    ignore_for_cache: Sequence[str] | None = None,
) -> Decorator: ...
def join_app(
    function: Callable[..., Any] | None = None,
    data_flow_kernel: DataFlowKernel | None = None,
    cache: bool = False,
    ignore_for_cache: Sequence[str] | None = None,
) -> App | Decorator:
    """Make a function returning AppFuture(s) an app whose result is theirs."""
    return _make("join", function, data_flow_kernel, cache, "all", ignore_for_cache)
