"""pytest plugin loaded (``-p conformance_plugin``) into each conformance pytest process.

It does three things, configured through environment variables set by ``run.py``:

- ``CONFORMANCE_TESTS_ROOT`` (conveyor runs only): installs conveyor's import hook and a
  finder that serves ``parsl.tests`` and below from the extracted wheel, so every other
  ``parsl.*`` name comes from conveyor's compatibility table;
- ``CONFORMANCE_EXCLUDED``: the exclusion list; excluded modules are not collected, excluded
  tests are deselected;
- ``CONFORMANCE_RESULTS``: a JSON file receiving each test's outcome and one-line error.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import os
import sys
import types
from collections.abc import Sequence
from pathlib import Path

import pytest

_TESTS_PACKAGE = "parsl.tests"


class _WheelTestsFinder(importlib.abc.MetaPathFinder):
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


def _install_hook() -> None:
    root = os.environ.get("CONFORMANCE_TESTS_ROOT")
    if not root:
        return
    from conveyor.importhook import install

    install()
    sys.meta_path.insert(0, _WheelTestsFinder(os.path.join(root, "parsl")))


def _read_exclusions() -> tuple[list[str], set[str]]:
    """(path or nodeid prefixes, marker names) from the exclusion list."""
    path = os.environ.get("CONFORMANCE_EXCLUDED")
    patterns: list[str] = []
    markers: set[str] = set()
    for line in Path(path).read_text().splitlines() if path else []:
        entry = line.split("#", 1)[0].strip()
        if entry.startswith("marker:"):
            markers.add(entry.removeprefix("marker:"))
        elif entry:
            patterns.append(entry)
    return patterns, markers


_install_hook()
_EXCLUDED, _EXCLUDED_MARKERS = _read_exclusions()
_RESULTS: dict[str, dict[str, str]] = {}


def _relative(path: Path, rootdir: Path) -> str:
    try:
        return path.relative_to(rootdir).as_posix()
    except ValueError:
        return path.as_posix()


def _excluded(nodeid: str) -> bool:
    for pattern in _EXCLUDED:
        if nodeid == pattern or nodeid.startswith(pattern.rstrip("/") + "/"):
            return True
        if nodeid.startswith(pattern + "::") or nodeid.startswith(pattern + "["):
            return True
    return False


@pytest.hookimpl(tryfirst=True)  # before Parsl's conftest, which answers False for the rest
def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if _excluded(_relative(collection_path, config.rootpath)):
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def drop(item: pytest.Item) -> bool:
        marked = any(item.get_closest_marker(m) for m in _EXCLUDED_MARKERS)
        return marked or _excluded(item.nodeid)

    dropped = [item for item in items if drop(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not drop(item)]


def _one_line(report: pytest.CollectReport | pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message).splitlines()[0][:300] if crash.message else ""
    text = str(report.longrepr).strip().splitlines()
    return text[-1][:300] if text else ""


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    entry = _RESULTS.setdefault(report.nodeid, {"outcome": "passed", "error": ""})
    if report.when == "call" and hasattr(report, "wasxfail"):
        entry["outcome"] = "xfailed" if report.skipped else "passed"
    elif report.failed:
        if entry["outcome"] != "failed":
            entry["outcome"] = "failed" if report.when == "call" else "error"
            entry["error"] = f"[{report.when}] {_one_line(report)}"
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"
        entry["error"] = _one_line(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _RESULTS[report.nodeid] = {"outcome": "collect-error", "error": _one_line(report)}


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get("CONFORMANCE_RESULTS")
    if path:
        Path(path).write_text(json.dumps(_RESULTS, indent=1, sort_keys=True))
