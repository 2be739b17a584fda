"""Logging helpers (Parsl's ``parsl.log_utils`` names), the run's log, and run directories.

conveyor logs under the ``conveyor`` logger; Parsl code and Parsl users log under
``parsl``. The helpers here attach their handler to both when given the default name
``"parsl"``, so ``set_stream_logger()`` shows conveyor's log and the run's ``parsl.log``
receives records logged as ``parsl.*``. Each helper returns a callable that detaches what
it attached, as Parsl's do.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Callable
from typing import TextIO

__all__ = [
    "DEFAULT_FORMAT",
    "RUN_LOG_NAME",
    "attach_handler",
    "make_rundir",
    "set_file_logger",
    "set_stream_logger",
]

DEFAULT_FORMAT = (
    "%(created)f %(asctime)s %(processName)s-%(process)d "
    "%(threadName)s-%(thread)d %(name)s:%(lineno)d %(funcName)s %(levelname)s: "
    "%(message)s"
)
STREAM_FORMAT = "%(asctime)s %(name)s:%(lineno)d [%(levelname)s]  %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
#: the run's log file is ``<run_dir>/parsl.log``, the name Parsl users and support expect
RUN_LOG_NAME = "parsl"
#: exceptions escaping future callbacks are logged here (and otherwise lost)
_FUTURES_LOGGER = "concurrent.futures"


def _logger_names(name: str) -> list[str]:
    """The loggers a handler for ``name`` goes on: ``parsl`` also means conveyor's own."""
    names = [name, _FUTURES_LOGGER]
    if name == "parsl":
        names.append("conveyor")
    return names


def attach_handler(handler: logging.Handler, name: str, level: int) -> Callable[[], None]:
    """Attach ``handler`` to ``name``'s loggers, lowering their level to ``level`` if needed.

    Returns the callable that removes the handler again and closes it.
    """
    loggers = [logging.getLogger(n) for n in _logger_names(name)]
    for logger in loggers:
        if logger.level == logging.NOTSET or logger.level > level:
            logger.setLevel(level)
        logger.addHandler(handler)

    def detach() -> None:
        for logger in loggers:
            logger.removeHandler(handler)
        handler.close()

    return detach


def _check(value: object, expected: type | tuple[type, ...], what: str) -> None:
    if not isinstance(value, expected):
        raise TypeError(f"{what} has the wrong type: {type(value).__name__}")


def set_stream_logger(
    name: str = "parsl",
    level: int = logging.DEBUG,
    format_string: str | None = None,
    stream: io.TextIOBase | TextIO | None = None,
) -> Callable[[], None]:
    """Log ``name`` (default: Parsl's and conveyor's loggers) to ``stream`` (stderr).

    Returns a callable that removes the handler again.
    """
    _check(name, str, "name")
    _check(level, int, "level")
    handler = logging.StreamHandler(stream)
    return _attach_formatted(handler, name, level, format_string or STREAM_FORMAT)


def set_file_logger(
    filename: str,
    name: str = "parsl",
    level: int = logging.DEBUG,
    format_string: str | None = None,
) -> Callable[[], None]:
    """Log ``name`` (default: Parsl's and conveyor's loggers) to ``filename``.

    Returns a callable that removes the handler again.
    """
    _check(filename, str, "filename")
    _check(name, str, "name")
    handler = logging.FileHandler(filename)
    return _attach_formatted(handler, name, level, format_string or DEFAULT_FORMAT)


def _attach_formatted(
    handler: logging.Handler, name: str, level: int, format_string: str
) -> Callable[[], None]:
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(format_string, DATE_FORMAT))
    return attach_handler(handler, name, logging.DEBUG)


def make_rundir(base: str) -> str:
    """Create and return the next numbered run directory ``base/NNN``."""
    os.makedirs(base, exist_ok=True)
    while True:
        numbers = [int(d) for d in os.listdir(base) if re.fullmatch(r"\d{3,}", d)]
        path = os.path.join(base, f"{max(numbers, default=-1) + 1:03d}")
        try:
            os.mkdir(path)
            return os.path.abspath(path)
        except FileExistsError:
            continue
