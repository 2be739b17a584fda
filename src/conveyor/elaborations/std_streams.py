"""stdout/stderr specifications: resolve ``AUTO_LOGNAME`` and check the specifications.

Called synchronously by ``DataFlowKernel.submit`` (SubmitRewriters). A specification is a
path (opened in mode ``'a+'``), a ``(path, mode)`` tuple with any ``open()`` mode, a
:class:`~conveyor.files.File` (written in mode ``'w'`` and staged out) or
:data:`AUTO_LOGNAME`: ``Config.std_autopath(task_record, 'stdout')`` chooses, or conveyor
picks ``<run_dir>/task_logs/NNNN/task_<id>_<func>[_<label>].stdout``. What the autopath
function returns is used as given; its exceptions reach the caller (as in Parsl). A
malformed specification fails the task (:class:`StreamSpecCheck`), not the call.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from conveyor.app.call import AppCall
from conveyor.errors import BadStdStreamFile
from conveyor.kernel.states import States

__all__ = [
    "AUTO_LOGNAME",
    "ResourceSpecCheck",
    "StdStreams",
    "StreamSpecCheck",
    "check_stream_spec",
]

_NAMES = ("stdout", "stderr")


class _AutoLogname:
    """The AUTO_LOGNAME sentinel: let conveyor choose the stream's file name."""

    def __repr__(self) -> str:
        return "AUTO_LOGNAME"

    def __reduce__(self) -> str:
        return "AUTO_LOGNAME"


AUTO_LOGNAME: Any = _AutoLogname()


def check_stream_spec(name: str, spec: Any) -> None:
    """Raise unless ``spec`` is None, a path, or a (path, mode) pair of the right types.

    As in Parsl, which type-checks these with typeguard: the error is typeguard's
    ``TypeCheckError`` where typeguard is installed (it is a Parsl dependency), else
    BadStdStreamFile. A mode ``open()`` refuses is BadStdStreamFile when the task runs.
    """
    if spec is None or isinstance(spec, str | os.PathLike):
        return
    if isinstance(spec, tuple) and len(spec) == 2:
        path, mode = spec
        if isinstance(path, str | os.PathLike) and isinstance(mode, str):
            return
    message = f"{name}={spec!r}: expected a path, a File or a (path, mode) tuple"
    try:
        from typeguard import TypeCheckError  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise BadStdStreamFile(message) from None
    raise TypeCheckError(message)


def submit_record(call: AppCall, task_id: int) -> dict[str, Any]:
    """The task record a user's ``std_autopath`` receives (Parsl's keys, at submit time)."""
    options = call.options
    return {
        "id": task_id,
        "func": call.func,
        "func_name": call.func_name,
        "args": call.args,
        "kwargs": call.kwargs,
        "status": States.pending,
        "try_id": 0,
        "fail_count": 0,
        "fail_cost": 0,
        "fail_history": [],
        "memoize": options.cache,
        "ignore_for_cache": list(options.ignore_for_cache),
        "join": options.kind == "join",
        "resource_specification": call.resource_spec,
        "hashsum": None,
        "from_memo": None,
    }


class StdStreams:
    """SubmitRewriter: replaces AUTO_LOGNAME by a path (or what ``std_autopath`` returns)."""

    def __init__(self, run_dir: str, autopath: Callable[..., Any] | None = None) -> None:
        self.run_dir = run_dir
        self.autopath = autopath

    def rewrite(self, call: AppCall, task_id: int) -> AppCall:
        """Return ``call`` with AUTO_LOGNAME resolved."""
        kwargs = call.kwargs
        if kwargs.get("stdout") is not AUTO_LOGNAME and kwargs.get("stderr") is not AUTO_LOGNAME:
            return call
        new = dict(kwargs)
        for name in _NAMES:
            if kwargs.get(name) is AUTO_LOGNAME:
                new[name] = self._auto(call, task_id, name)
        return call.with_changes(kwargs=new)

    def _auto(self, call: AppCall, task_id: int, name: str) -> Any:
        if self.autopath is not None:
            return self.autopath(submit_record(call, task_id), name)
        label = call.kwargs.get("label")
        suffix = "" if label is None else f"_{label}"
        folder = os.path.join(self.run_dir, "task_logs", f"{task_id // 10000:04d}")
        return os.path.join(folder, f"task_{task_id:04d}_{call.func_name}{suffix}.{name}")


class StreamSpecCheck:
    """SubmitRewriter: a bash app's malformed stream specification fails its task."""

    #: the kernel fails the task with this rewriter's error (the call still returns)
    refuses_task = True

    def rewrite(self, call: AppCall, task_id: int) -> AppCall:
        """Return ``call`` unchanged, or raise BadStdStreamFile (the kernel fails the task)."""
        if call.options.kind == "bash":
            kwargs = call.kwargs
            for name in _NAMES:
                check_stream_spec(name, kwargs.get(name))
        return call


#: mapping types checked by type alone (an ABC isinstance check costs more)
_COMMON_MAPPINGS = frozenset({dict, MappingProxyType})


class ResourceSpecCheck:
    """SubmitRewriter: a ``parsl_resource_specification`` that is not a dict fails the task."""

    #: the kernel fails the task with this rewriter's error (the call still returns)
    refuses_task = True

    def rewrite(self, call: AppCall, task_id: int) -> AppCall:
        """Return ``call`` unchanged, or raise TypeError (the kernel fails the task)."""
        spec = call.resource_spec
        if type(spec) not in _COMMON_MAPPINGS and not isinstance(spec, Mapping):
            raise TypeError(
                f"parsl_resource_specification must be a dict, not {type(spec).__name__}"
            )
        return call
