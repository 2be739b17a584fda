"""``conveyor status | tasks | show | tail | dashboard``: the monitoring database from a shell.

Position: reads what the monitoring writer stored; never writes. ``conveyor.cli``
registers these subcommands through :func:`add_commands`; their bodies live in
``conveyor.monitoring.commands`` and are imported only when one runs, so ``conveyor run``
does not pay for SQLite. A file that is not a monitoring database (or comes from a newer
conveyor) is a one-line message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["add_commands"]

Handler = Callable[[argparse.Namespace], int]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", help="monitoring database, run dir or runinfo dir")
    p.add_argument("--run", metavar="RUN_ID", help="which workflow (default: the newest)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def add_commands(sub: Any) -> None:
    """Register the monitoring subcommands on ``conveyor``'s subparsers."""
    p = sub.add_parser("status", help="counts per state and app, blocks, elapsed time")
    _common(p)
    p.set_defaults(handler=_guarded("status"))
    p = sub.add_parser("tasks", help="list tasks, optionally filtered")
    _common(p)
    p.add_argument("--state", help="only tasks in this state (e.g. failed)")
    p.add_argument("--app", help="only tasks of this app")
    p.add_argument("--executor", help="only tasks whose latest try ran on this executor")
    p.add_argument("--block", help="only tasks whose latest try ran in this block")
    p.set_defaults(handler=_guarded("tasks"))
    p = sub.add_parser("show", help="one task: story, tries, error")
    _common(p)
    p.add_argument("task_id", type=int)
    p.set_defaults(handler=_guarded("show"))
    p = sub.add_parser("tail", help="print state changes as they happen")
    _common(p)
    p.add_argument("-n", "--lines", type=int, default=10, help="earlier changes to show first")
    p.add_argument("--no-follow", action="store_true", help="print and exit")
    p.add_argument("--interval", type=float, default=0.5, help=argparse.SUPPRESS)
    p.set_defaults(handler=_guarded("tail"))
    p = sub.add_parser("dashboard", help="serve the live web dashboard on localhost")
    p.add_argument("target", nargs="?", metavar="RUN_DIR|DB", help="default: newest runinfo")
    p.add_argument("--db", metavar="PATH", help=argparse.SUPPRESS)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8050, help="port (0: any free port)")
    p.set_defaults(handler=_guarded("dashboard"))


def _guarded(name: str) -> Handler:
    def run(ns: argparse.Namespace) -> int:
        from conveyor.monitoring.schema import MonitoringDatabaseError

        handler: Handler = getattr(importlib.import_module("conveyor.monitoring.commands"), name)
        try:
            return handler(ns)
        except MonitoringDatabaseError as e:
            print(f"conveyor {ns.command}: {e}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:  # `conveyor tasks | head`: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0

    return run
