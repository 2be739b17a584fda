"""Log configurations (Parsl's ``parsl.logconfigs``): ``Config(initialize_logging=...)``.

A :class:`LogConfig` sets up logging in a process and returns how to undo it.
:class:`FileLogging` writes ``<log_dir>/<log_name>.log`` (the run's ``parsl.log``),
:class:`JSONLogging` one JSON object per record into ``<log_name>.jsonlog``, and
:class:`NoopLogging` nothing. :func:`oneshot_initialize_logging` counts references so one
config set up by several components logs each record once. :func:`start_run_logging` is
what the kernel calls with ``Config.initialize_logging``.
"""

from __future__ import annotations

import abc
import json
import logging
import pathlib
import threading
import uuid
from collections.abc import Callable
from typing import Any

from conveyor.log_utils import DATE_FORMAT, DEFAULT_FORMAT, RUN_LOG_NAME, attach_handler

__all__ = [
    "FileLogging",
    "JSONHandler",
    "JSONLogging",
    "LogConfig",
    "NoopLogging",
    "oneshot_initialize_logging",
    "oneshot_uninitialize_logging",
    "start_run_logging",
]

Undo = Callable[[], None]


class LogConfig(abc.ABC):
    """A policy for setting up logging in one process; subclass to write your own."""

    def __init__(self) -> None:
        self.uuid = uuid.uuid4()

    @abc.abstractmethod
    def initialize_logging(self, *, log_dir: pathlib.Path, log_name: str) -> Undo:
        """Set up logging here; return the callable that undoes it."""


class FileLogging(LogConfig):
    """Classic text logging of Parsl's and conveyor's loggers into ``<log_name>.log``."""

    def __init__(self, *, format_string: str = DEFAULT_FORMAT, level: int = logging.DEBUG):
        super().__init__()
        self.format_string = format_string
        self.level = level

    def initialize_logging(self, *, log_dir: pathlib.Path, log_name: str) -> Undo:
        """Open the log file and attach it; the returned callable detaches and closes it."""
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_dir / f"{log_name}.log")
        handler.setLevel(self.level)
        handler.setFormatter(logging.Formatter(self.format_string, DATE_FORMAT))
        return attach_handler(handler, "parsl", self.level)


class JSONHandler(logging.Handler):
    """Writes each record as one JSON object per line, with any ``parsl.*`` extras."""

    _FIELDS = ("created", "process", "processName", "threadName", "thread", "name", "lineno")

    def __init__(self, filename: pathlib.Path, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream = open(filename, "w")  # noqa: SIM115 - closed in close()

    def emit(self, record: logging.LogRecord) -> None:
        """Write ``record`` as one line of JSON."""
        entry: dict[str, object] = {f: getattr(record, f) for f in self._FIELDS}
        entry.update(funcname=record.funcName, levelname=record.levelname, msg=record.msg)
        entry["formatted"] = self.format(record)
        for key, value in record.__dict__.items():
            if key.startswith("parsl."):
                try:
                    entry[key] = str(value)
                except Exception as exc:  # show why rather than dropping the field
                    entry[key] = f"UNREPRESENTABLE: {exc!r}"
        self.stream.write(json.dumps(entry, default=str) + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Close the file."""
        self.stream.close()
        super().close()


class JSONLogging(LogConfig):
    """Every logger's records as JSON lines into ``<log_name>.jsonlog``."""

    def __init__(self, *, level: int = logging.DEBUG):
        super().__init__()
        self.level = level

    def initialize_logging(self, *, log_dir: pathlib.Path, log_name: str) -> Undo:
        """Attach a :class:`JSONHandler` to the root logger."""
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = JSONHandler(log_dir / f"{log_name}.jsonlog")
        handler.setLevel(self.level)
        handler.setFormatter(logging.Formatter("%(message)s", DATE_FORMAT))
        root = logging.getLogger()
        if root.level == logging.NOTSET or root.level > self.level:
            root.setLevel(self.level)
        root.addHandler(handler)

        def undo() -> None:
            root.removeHandler(handler)
            handler.close()

        return undo


class NoopLogging(LogConfig):
    """Sets up no logging at all (for benchmarks, or when the host program logs)."""

    def initialize_logging(self, *, log_dir: pathlib.Path, log_name: str) -> Undo:
        """Do nothing; return a callable that does nothing."""
        return _nothing


def _nothing() -> None:
    return None


class _Reference:
    def __init__(self, undo: Undo) -> None:
        self.uninit_callback = undo
        self.count = 1


#: the log configs initialized in this process, by uuid (Parsl's tests inspect this name)
_initialized_log_contexts: dict[uuid.UUID, _Reference] = {}
_active_lock = threading.Lock()


def oneshot_initialize_logging(
    *, log_config: LogConfig, log_dir: pathlib.Path, log_name: str
) -> None:
    """Initialize ``log_config`` unless it already is in this process; count the use."""
    with _active_lock:
        ref = _initialized_log_contexts.get(log_config.uuid)
        if ref is not None:
            ref.count += 1
            return
        undo = log_config.initialize_logging(log_dir=log_dir, log_name=log_name)
        if not callable(undo):
            raise TypeError(f"{log_config!r}.initialize_logging returned no callable")
        _initialized_log_contexts[log_config.uuid] = _Reference(undo)


def oneshot_uninitialize_logging(*, log_config: LogConfig) -> None:
    """Drop one use of ``log_config``; undo its logging when the last use goes."""
    with _active_lock:
        ref = _initialized_log_contexts.get(log_config.uuid)
        if ref is None:
            raise RuntimeError(f"log config {log_config!r} is not initialized")
        ref.count -= 1
        if ref.count == 0:
            del _initialized_log_contexts[log_config.uuid]
            ref.uninit_callback()


def start_run_logging(setting: bool | LogConfig, run_dir: str) -> Undo:
    """Set up a run's logging from ``Config.initialize_logging``; return how to undo it.

    ``True`` writes ``<run_dir>/parsl.log`` at DEBUG level, ``False`` sets up nothing, and a
    :class:`LogConfig` is initialized once per process (reference counted).
    """
    log_dir = pathlib.Path(run_dir)
    if setting is True:
        return FileLogging().initialize_logging(log_dir=log_dir, log_name=RUN_LOG_NAME)
    if setting is False:
        return _nothing
    oneshot_initialize_logging(log_config=setting, log_dir=log_dir, log_name=RUN_LOG_NAME)
    return lambda: oneshot_uninitialize_logging(log_config=setting)
