"""Logging helpers (Parsl's ``parsl.log_utils`` names) and per-load run directories."""

from __future__ import annotations

import logging
import os
import re

__all__ = ["DEFAULT_FORMAT", "make_rundir", "set_file_logger", "set_stream_logger"]

DEFAULT_FORMAT = "%(created)f %(asctime)s %(processName)s-%(process)d %(threadName)s %(name)s:%(lineno)d %(funcName)s %(levelname)s: %(message)s"


def set_stream_logger(
    name: str = "conveyor", level: int = logging.DEBUG, format_string: str | None = None
) -> logging.Logger:
    """Log ``name`` (and below) to stderr at ``level``; return the logger."""
    logger = logging.getLogger(name)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(format_string or DEFAULT_FORMAT))
    handler.setLevel(level)
    logger.addHandler(handler)
    logger.setLevel(min(level, logger.level or level))
    return logger


def set_file_logger(
    filename: str,
    name: str = "conveyor",
    level: int = logging.DEBUG,
    format_string: str | None = None,
) -> logging.Handler:
    """Log ``name`` (and below) to ``filename`` at ``level``; return the handler (remove it to stop)."""
    logger = logging.getLogger(name)
    handler = logging.FileHandler(filename)
    handler.setFormatter(logging.Formatter(format_string or DEFAULT_FORMAT))
    handler.setLevel(level)
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    return handler


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
