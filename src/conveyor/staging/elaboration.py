"""Stager: the staging elaboration, a SubmitRewriter plus a FunctionWrapper.

At submit (``rewrite``, user thread): every File or DataFuture among ``args``, keyword
values and ``inputs`` is replaced by a clean copy (or a DataFuture of one), and the first
provider that can stage it in may start a separate stage-in task, whose DataFuture then
replaces the argument (so the dependency elaboration waits for it). ``outputs`` Files are
replaced by clean copies, which the AppFuture's DataFutures carry; so are ``stdout`` /
``stderr`` given as Files (staged out after the app, never in). Files that
NoOpFileStaging accepts (local paths) are left as they are: nothing moves. A File no provider
accepts fails the call at once with a StagingError naming its URL.

Once the AppFuture exists (``attach_outputs``, user thread): the DataFutures of ``outputs``
and of File std streams, each behind the provider's separate stage-out task if it starts
one (``stage_out``, as Parsl's Globus provider does).

Before launch (``wrap``, kernel thread, again on every retry): each input File asks its
provider for an in-task wrapper (``replace_task``), each output File for a stage-out
wrapper (``replace_task_stage_out``). The wrapper registers itself in the pipeline's
wrapper slot the first time a call carries a File, so tasks without files pay nothing.

Calls to internal executors (labels starting with ``_``) and calls with the keyword
``_parsl_staging_inhibit`` are not staged: they are the staging tasks themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from conveyor.app.call import AppCall, AppOptions
from conveyor.files import File
from conveyor.futures import AppFuture, DataFuture
from conveyor.kernel.record import TaskView
from conveyor.staging.file_noop import NoOpFileStaging
from conveyor.staging.manager import DataManager

__all__ = ["Stager"]

_DATA = (File, DataFuture)
_STREAMS = ("stdout", "stderr")


def _has_data(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> bool:
    for a in args:
        if isinstance(a, _DATA):
            return True
    for key, v in kwargs.items():
        if isinstance(v, _DATA):
            return True
        if (
            key in ("inputs", "outputs")
            and isinstance(v, list | tuple)
            and any(isinstance(x, _DATA) for x in v)
        ):
            return True
    return False


def _inhibited(options: AppOptions, kwargs: Mapping[str, Any]) -> bool:
    ex = options.executors
    internal = ex != "all" and bool(ex) and all(label.startswith("_") for label in ex)
    return internal or bool(kwargs.get("_parsl_staging_inhibit"))


class Stager:
    """Rewrites calls carrying Files and wraps their functions (see module docstring)."""

    def __init__(self, dm: DataManager, wrapper_slot: list[Any]) -> None:
        self.dm = dm
        self._slot = wrapper_slot
        self._lock = threading.Lock()
        self._registered = False

    # --- SubmitRewriter -------------------------------------------------------------

    def rewrite(self, call: AppCall, task_id: int) -> AppCall:
        """Return ``call`` with its Files replaced by staged copies (see module docstring)."""
        if not _has_data(call.args, call.kwargs) or _inhibited(call.options, call.kwargs):
            return call
        if not self._registered:
            self._register()
        label = self.dm.label_for(call.options.executors)
        args = tuple(self._stage_in(a, label) for a in call.args)
        kwargs: dict[str, Any] = {}
        for key, v in call.kwargs.items():
            if key == "inputs" and isinstance(v, list | tuple):
                kwargs[key] = type(v)(self._stage_in(x, label) for x in v)
            elif key == "outputs" and isinstance(v, list | tuple):
                kwargs[key] = type(v)(self._prepare_out(x, label) for x in v)
            elif key in _STREAMS:  # std streams given as Files are staged out, never in
                kwargs[key] = self._prepare_out(v, label)
            else:
                kwargs[key] = self._stage_in(v, label)
        return call.with_changes(args=args, kwargs=kwargs)

    def _register(self) -> None:
        with self._lock:
            if not self._registered:
                self._slot.append(self)
                self._registered = True

    def _stage_in(self, value: Any, label: str) -> Any:
        if isinstance(value, DataFuture):
            source = value.file_obj
        elif isinstance(value, File):
            source = value
        else:
            return value
        provider = self.dm.require_in(label, source)
        if isinstance(provider, NoOpFileStaging):
            return value
        file = source.cleancopy()
        parent: DataFuture | None = None
        replacement: Any = file
        if isinstance(value, DataFuture):
            parent = value
            replacement = DataFuture(value, file, tid=value.tid)
        staged = provider.stage_in(self.dm, label, file, parent_fut=parent)
        return staged if staged is not None else replacement

    def _prepare_out(self, value: Any, label: str) -> Any:
        if not isinstance(value, File):
            return value
        provider = self.dm.require_out(label, value)
        return value if isinstance(provider, NoOpFileStaging) else value.cleancopy()

    # --- outputs of the AppFuture ---------------------------------------------------

    def attach_outputs(self, call: AppCall, fut: AppFuture, tid: int) -> None:
        """Give ``fut`` the DataFutures of its ``outputs`` and of std streams given as Files.

        Each completes with the stage-out task its provider starts (``stage_out``), or
        with the app when there is none (Parsl's order: called once ``fut`` exists; a
        provider's error reaches the caller). Other stream specifications are kept as given.
        """
        kwargs = call.kwargs
        outputs = kwargs.get("outputs")
        if outputs:
            found = [self._data_future(call, f, fut, tid) for f in outputs if isinstance(f, File)]
            if found:
                fut.outputs = found
        for name in _STREAMS:
            spec = kwargs.get(name)
            if spec is not None:
                is_file = isinstance(spec, File)
                setattr(fut, name, self._data_future(call, spec, fut, tid) if is_file else spec)

    def _data_future(self, call: AppCall, file: File, fut: AppFuture, tid: int) -> DataFuture:
        staged = None
        if not _inhibited(call.options, call.kwargs):
            label = self.dm.label_for(call.options.executors)
            provider = self.dm.provider_out(label, file)
            if provider is not None:
                staged = provider.stage_out(self.dm, label, file, fut)
        return DataFuture(staged if staged is not None else fut, file, tid)

    # --- FunctionWrapper ------------------------------------------------------------

    def wrap(self, view: TaskView, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Return ``fn`` wrapped by the in-task stage-in and stage-out of the view's Files."""
        if _inhibited(view.options, view.kwargs):
            return fn
        label = self.dm.label_for(view.options.executors)
        for file in _input_files(view):
            provider = self.dm.provider_in(label, file)
            wrapped = provider.replace_task(self.dm, label, file, fn) if provider else None
            fn = wrapped if wrapped is not None else fn
        for file in _output_files(view):
            provider = self.dm.provider_out(label, file)
            wrapped = (
                provider.replace_task_stage_out(self.dm, label, file, fn) if provider else None
            )
            fn = wrapped if wrapped is not None else fn
        return fn


def _input_files(view: TaskView) -> Iterator[File]:
    for a in view.args:
        if isinstance(a, File):
            yield a
    for key, v in view.kwargs.items():
        if key in _STREAMS:
            continue
        if isinstance(v, File):
            yield v
        elif key == "inputs" and isinstance(v, list | tuple):
            yield from (x for x in v if isinstance(x, File))


def _output_files(view: TaskView) -> Iterator[File]:
    kwargs = view.kwargs
    outputs = kwargs.get("outputs")
    if isinstance(outputs, list | tuple):
        yield from (x for x in outputs if isinstance(x, File))
    yield from (kwargs[k] for k in _STREAMS if isinstance(kwargs.get(k), File))
