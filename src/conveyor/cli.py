"""The ``conveyor`` command: ``run``, ``--version`` and the monitoring commands.

``status``, ``tasks``, ``show``, ``tail`` and ``dashboard`` read the monitoring database
(``conveyor.monitoring.cli``).

``run`` executes an unmodified Parsl script as ``__main__`` with the compatibility import
hook installed, so its ``import parsl`` statements get conveyor.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
from collections.abc import Callable, Sequence

from conveyor.version import VERSION

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conveyor", description="Run parallel Python workflows (Parsl-compatible)."
    )
    parser.add_argument("--version", action="version", version=f"conveyor {VERSION}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a Parsl script on conveyor, unmodified")
    run.add_argument("--progress", action="store_true", help="show a live progress bar")
    run.add_argument("script", help="path of the Python script")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    from conveyor.monitoring.cli import add_commands

    add_commands(sub)
    return parser


def run_script(script: str, args: Sequence[str]) -> None:
    """Run ``script`` as ``__main__`` with ``sys.argv = [script, *args]`` and the hook installed."""
    from conveyor.importhook import install

    if not os.path.isfile(script):
        raise SystemExit(f"conveyor run: no such script: {script}")
    install()
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``conveyor`` command."""
    ns = _parser().parse_args(argv)
    if ns.command == "run":
        if ns.progress:
            from conveyor.progress_bar import run_with_progress

            return run_with_progress(run_script, ns.script, ns.args)
        run_script(ns.script, ns.args)
        return 0
    handler: Callable[[argparse.Namespace], int] = ns.handler
    return handler(ns)


if __name__ == "__main__":
    sys.exit(main())
