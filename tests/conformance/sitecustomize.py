"""Imported at start-up by every Python process of a conformance run (it is on PYTHONPATH).

In conveyor runs (``CONFORMANCE_TESTS_ROOT`` set) it installs conveyor's import hook and a
finder serving ``parsl.tests`` and below from the extracted wheel, so the pytest process and
the pools and workers it starts all get every other ``parsl.*`` name from conveyor. Workers
need it because test functions travel by reference to their ``parsl.tests.*`` module.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import types
from collections.abc import Sequence

_TESTS_PACKAGE = "parsl.tests"


class WheelTestsFinder(importlib.abc.MetaPathFinder):
    """Finds ``parsl.tests`` and its submodules in the extracted wheel's ``parsl/`` folder."""

    def __init__(self, parsl_dir: str) -> None:
        self.parsl_dir = parsl_dir

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _TESTS_PACKAGE and not fullname.startswith(_TESTS_PACKAGE + "."):
            return None
        if fullname == _TESTS_PACKAGE:
            search = [self.parsl_dir]
        else:
            parent = sys.modules[fullname.rpartition(".")[0]]
            search = list(getattr(parent, "__path__", []))
        return importlib.machinery.PathFinder.find_spec(fullname, search)


def _install() -> None:
    root = os.environ.get("CONFORMANCE_TESTS_ROOT")
    if not root:
        return
    from conveyor.importhook import install

    install()
    sys.meta_path.insert(0, WheelTestsFinder(os.path.join(root, "parsl")))


_install()
