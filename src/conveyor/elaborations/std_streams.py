"""stdout/stderr specifications: validate them and resolve ``AUTO_LOGNAME`` to real paths.

Called synchronously by ``DataFlowKernel.submit`` (a SubmitRewriter). A specification is
a path, a ``(path, mode)`` tuple with mode ``"w"`` or ``"a"``, or :data:`AUTO_LOGNAME`
(a path under ``<run_dir>/task_logs/`` chosen by conveyor, or by ``Config.std_autopath``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from conveyor.app.call import AppCall
from conveyor.errors import BadStdStreamFile

__all__ = ["AUTO_LOGNAME", "StdStreams", "check_stream_spec"]


class _AutoLogname:
    """The AUTO_LOGNAME sentinel: let conveyor choose the stream's file name."""

    def __repr__(self) -> str:
        return "AUTO_LOGNAME"

    def __reduce__(self) -> str:
        return "AUTO_LOGNAME"


AUTO_LOGNAME: Any = _AutoLogname()


def check_stream_spec(name: str, spec: Any) -> None:
    """Raise BadStdStreamFile unless ``spec`` is None, a path, or a (path, mode) pair."""
    if spec is None or spec is AUTO_LOGNAME or isinstance(spec, str | os.PathLike):
        return
    if isinstance(spec, tuple) and len(spec) == 2:
        path, mode = spec
        if isinstance(path, str | os.PathLike) and mode in ("w", "a", "wb", "ab"):
            return
        raise BadStdStreamFile(f"{name}={spec!r}: expected (path, mode) with mode 'w' or 'a'")
    raise BadStdStreamFile(
        f"{name}={spec!r}: expected a path, a (path, mode) tuple or AUTO_LOGNAME"
    )


class StdStreams:
    """SubmitRewriter: validates ``stdout``/``stderr`` and fills in AUTO_LOGNAME paths."""

    def __init__(self, run_dir: str, autopath: Callable[..., str] | None = None) -> None:
        self.run_dir = run_dir
        self.autopath = autopath

    def rewrite(self, call: AppCall, task_id: int) -> AppCall:
        """Return ``call`` with concrete stream paths."""
        kwargs = call.kwargs
        if "stdout" not in kwargs and "stderr" not in kwargs:
            return call
        new = dict(kwargs)
        for name in ("stdout", "stderr"):
            spec = kwargs.get(name)
            check_stream_spec(name, spec)
            if spec is AUTO_LOGNAME:
                new[name] = self._auto(call, task_id, name)
        return call.with_changes(kwargs=new)

    def _auto(self, call: AppCall, task_id: int, name: str) -> str:
        if self.autopath is not None:
            return str(self.autopath(task_id=task_id, func_name=call.func_name, kind=name))
        folder = os.path.join(self.run_dir, "task_logs", f"{task_id // 10000:04d}")
        os.makedirs(folder, exist_ok=True)
        return os.path.join(folder, f"task_{task_id:04d}_{call.func_name}.{name}")
