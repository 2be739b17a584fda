"""Run-side wrappers sent to executors in place of the user's function.

These are module-level functions, so cloudpickle sends them by reference and the same
code runs in a thread, or on a remote HTEX worker:

* :func:`run_bash_app` — calls the bash app's function to get a command line, runs it
  with ``bash -c`` in its own session (process group), redirects stdout/stderr, and maps
  the exit status to ``BashExitFailure`` or the walltime to ``AppTimeout``.
* :func:`run_with_walltime` — runs a python app's function with a time limit.
* :func:`timeout` — Parsl's ``parsl.app.python.timeout``: wraps a function so that
  AppTimeout is raised in the calling thread when it runs longer than ``seconds``.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from typing import IO, Any

from conveyor.errors import (
    AppBadFormatting,
    AppTimeout,
    BadStdStreamFile,
    BashAppNoReturn,
    BashExitFailure,
)
from conveyor.files import File

__all__ = ["open_std_stream", "run_bash_app", "run_with_walltime", "timeout"]

_HEADER = "--> executable follows <--\n{}\n--> end executable <--\n"


def open_std_stream(name: str, spec: Any) -> IO[Any] | None:
    """Open a stdout/stderr specification for writing (Parsl's modes), or None.

    A File is written in mode ``'w'``; a bare path means ``'a+'``; a ``(path, mode)``
    tuple takes any ``open()`` mode. Whatever cannot be opened is BadStdStreamFile.
    """
    if spec is None:
        return None
    if isinstance(spec, File):
        path, mode = os.fspath(spec), "w"
    elif isinstance(spec, tuple):
        path, mode = os.fspath(spec[0]), spec[1]
    else:
        path, mode = os.fspath(spec), "a+"
    try:
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        return open(path, mode)  # noqa: SIM115 - closed by the caller
    except (OSError, ValueError, TypeError) as exc:
        raise BadStdStreamFile(f"{name}: cannot open {path!r} in mode {mode!r}: {exc}") from exc


def _command_of(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    try:
        command = func(*args, **kwargs)
    except (IndexError, KeyError) as exc:
        raise AppBadFormatting(f"App formatting failed for {func.__name__}: {exc!r}") from exc
    if not isinstance(command, str):
        raise BashAppNoReturn(
            f"bash app {func.__name__} must return a command string, got {type(command).__name__}"
        )
    return command


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def run_bash_app(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> int:
    """Format and run a bash app's command; return 0 or raise (see module docstring)."""
    command = _command_of(func, args, kwargs)
    walltime = kwargs.get("walltime")
    out = open_std_stream("stdout", kwargs.get("stdout"))
    err = open_std_stream("stderr", kwargs.get("stderr"))
    if err is not None:  # as Parsl: the command heads the stderr file
        header = _HEADER.format(command)
        err.write(header.encode() if "b" in err.mode else header)
        err.flush()
    try:
        proc = subprocess.Popen(
            ["/bin/bash", "-c", command], stdout=out, stderr=err, start_new_session=True
        )
        try:
            code = proc.wait(timeout=walltime)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise AppTimeout(f"bash app {func.__name__} exceeded walltime: {walltime} s") from None
        except BaseException:
            _kill_group(proc)
            raise
        # reap anything the command left behind in its session
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    finally:
        for stream in (out, err):
            if stream is not None:
                stream.close()
    if code != 0:
        raise BashExitFailure(func.__name__, code)
    return code


def run_with_walltime(
    func: Callable[..., Any], walltime: float, /, *args: Any, **kwargs: Any
) -> Any:
    """Run ``func`` on a helper thread; raise AppTimeout if it takes longer than ``walltime``.

    Python cannot kill a thread: a timed-out function keeps running in the background
    until it returns, but its result is dropped and the task fails at once.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = func(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=target, name=f"conveyor-walltime-{func.__name__}", daemon=True)
    worker.start()
    worker.join(walltime)
    if worker.is_alive():
        raise AppTimeout(f"python app {func.__name__} exceeded walltime: {walltime} s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _raise_timeout_in(thread_id: int) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(AppTimeout)
    )


def timeout(f: Callable[..., Any], seconds: float) -> Callable[..., Any]:
    """``f`` limited to ``seconds``: past them, AppTimeout is raised inside ``f``'s thread.

    The exception arrives at the next Python bytecode the thread runs (not inside a
    blocking C call); the timer is cancelled as soon as ``f`` returns or raises.
    """

    @functools.wraps(f)
    def limited(*args: Any, **kwargs: Any) -> Any:
        timer = threading.Timer(seconds, _raise_timeout_in, (threading.get_ident(),))
        timer.daemon = True
        timer.start()
        try:
            return f(*args, **kwargs)
        finally:
            timer.cancel()

    return limited
