"""App: a user function bound to its options; calling it submits a task.

Data path position: ``App.__call__`` (step 1) builds an AppCall and hands it to the
kernel (its own ``data_flow_kernel`` or the current one) -> AppFuture.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from conveyor.app.call import AppCall, AppKind, AppOptions
from conveyor.errors import ConfigurationError
from conveyor.futures import AppFuture

if TYPE_CHECKING:
    from conveyor.kernel.kernel import DataFlowKernel

__all__ = ["App", "AppBase"]

#: shared by every call without a resource specification (read-only)
_NO_SPEC: Mapping[str, Any] = MappingProxyType({})
#: the keyword arguments of every call that has none (shared, never written: rewriters
#: build new dicts; a plain dict, since it is pickled with the call)
_NO_KWARGS: dict[str, Any] = {}
_SPECIAL = ("stdout", "stderr", "walltime", "parsl_resource_specification", "outputs", "inputs")


class App:
    """A decorated function. Calling it returns an AppFuture."""

    def __init__(
        self,
        func: Callable[..., Any],
        kind: AppKind = "python",
        data_flow_kernel: DataFlowKernel | None = None,
        executors: Sequence[str] | Literal["all"] = "all",
        cache: bool = False,
        ignore_for_cache: Sequence[str] | None = None,
    ) -> None:
        if not callable(func):
            raise TypeError(f"an app must decorate a callable, not {type(func).__name__}")
        self.func = func
        self.__name__ = getattr(func, "__name__", type(func).__name__)
        self.__doc__ = func.__doc__
        self.__wrapped__ = func
        self.data_flow_kernel = data_flow_kernel
        self.options = AppOptions(
            kind, _labels(executors), bool(cache), tuple(ignore_for_cache or ())
        )
        self.kwargs = _signature_defaults(func)

    @property
    def executors(self) -> list[str] | Literal["all"]:
        """Executor labels this app may run on: ``"all"`` or a list (as Parsl's)."""
        labels = self.options.executors
        return labels if labels == "all" else list(labels)

    @property
    def cache(self) -> bool:
        """Whether results are memoized."""
        return self.options.cache

    def __call__(self, *args: Any, **kwargs: Any) -> AppFuture:
        """Submit one task; return its future at once."""
        merged = {**self.kwargs, **kwargs} if self.kwargs else kwargs or _NO_KWARGS
        # a spec that is not a dict fails the task (kernel's ResourceSpecCheck), not the call
        spec = merged.get("parsl_resource_specification") or _NO_SPEC
        call = AppCall(self.func, args, merged, self.options, spec, self.__name__)
        return self._kernel().submit(call)

    def _kernel(self) -> DataFlowKernel:
        if self.data_flow_kernel is not None:
            return self.data_flow_kernel
        return _current_kernel()

    def __repr__(self) -> str:
        return f"<{self.options.kind}_app {self.__name__}>"


AppBase = App


#: ``conveyor.kernel.current.dfk``, imported on first use (the kernel imports apps)
_dfk: Callable[[], DataFlowKernel] | None = None


def _current_kernel() -> DataFlowKernel:
    global _dfk
    if _dfk is None:
        from conveyor.kernel.current import dfk

        _dfk = dfk
    return _dfk()


def _labels(executors: Sequence[str] | Literal["all"]) -> tuple[str, ...] | Literal["all"]:
    if executors == "all":
        return "all"
    if isinstance(executors, str):
        return (executors,)
    labels = tuple(executors)
    if not all(isinstance(x, str) for x in labels):
        raise ConfigurationError(f"executors must be 'all' or a list of labels, got {executors!r}")
    return labels


def _signature_defaults(func: Callable[..., Any]) -> dict[str, Any]:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return {}
    return {
        name: params[name].default
        for name in _SPECIAL
        if name in params and params[name].default is not inspect.Parameter.empty
    }
