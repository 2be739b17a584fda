"""The decorators users write: ``@python_app``, ``@bash_app``, ``@join_app``.

Each works with or without parentheses and takes Parsl's options. One class,
:class:`AppDecorator`, is all three; they differ only in the kind of app they make.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from conveyor.app.app import App
from conveyor.app.call import AppKind

if TYPE_CHECKING:
    from conveyor.kernel.kernel import DataFlowKernel

__all__ = ["AppDecorator", "bash_app", "join_app", "python_app"]

Decorator = Callable[[Callable[..., Any]], App]


class AppDecorator:
    """``@name`` or ``@name(cache=..., executors=..., ...)`` turns a function into an App."""

    def __init__(self, kind: AppKind, doc: str) -> None:
        self.kind: AppKind = kind
        self.__doc__ = doc

    @overload
    def __call__(self, function: Callable[..., Any]) -> App: ...
    @overload
    def __call__(
        self,
        function: None = None,
        data_flow_kernel: DataFlowKernel | None = None,
        cache: bool = False,
        executors: Sequence[str] | Literal["all"] = "all",
        ignore_for_cache: Sequence[str] | None = None,
    ) -> Decorator: ...
    def __call__(
        self,
        function: Callable[..., Any] | None = None,
        data_flow_kernel: DataFlowKernel | None = None,
        cache: bool = False,
        executors: Sequence[str] | Literal["all"] = "all",
        ignore_for_cache: Sequence[str] | None = None,
    ) -> App | Decorator:
        """Decorate ``function`` now, or return a decorator with these options."""
        kind = self.kind
        if kind == "join":
            executors = "all"  # join apps run in the kernel's internal executor

        def decorate(func: Callable[..., Any]) -> App:
            return App(func, kind, data_flow_kernel, executors, cache, ignore_for_cache)

        return decorate(function) if function is not None else decorate

    def __repr__(self) -> str:
        return f"{self.kind}_app"


python_app = AppDecorator(
    "python", "Make a Python function an app: calls return AppFutures and run on an executor."
)
bash_app = AppDecorator(
    "bash", "Make a function returning a shell command an app that runs that command."
)
join_app = AppDecorator(
    "join", "Make a function returning AppFuture(s) an app whose result is theirs."
)
