"""pytest plugin loaded (``-p conformance_plugin``) into each conformance pytest process.

conveyor's import hook is installed earlier, in every process of a conveyor run, by
``sitecustomize.py``. This plugin, configured through environment variables set by ``run.py``:

- ``CONFORMANCE_EXCLUDED``: the exclusion list; excluded modules are not collected, excluded
  tests are deselected;
- ``CONFORMANCE_RESULTS``: a JSON file receiving each test's outcome and one-line error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import exclusions
import pytest

_EXCLUSIONS = exclusions.read(os.environ.get("CONFORMANCE_EXCLUDED"))
_RESULTS: dict[str, dict[str, str]] = {}


def _earlier_rounds() -> set[str]:
    """Tests an earlier pytest run of the same config already ran (run.py resumes after hangs)."""
    path = os.environ.get("CONFORMANCE_SKIP")
    return set(Path(path).read_text().split()) if path and os.path.exists(path) else set()


def _relative(path: Path, rootdir: Path) -> str:
    try:
        return path.relative_to(rootdir).as_posix()
    except ValueError:
        return path.as_posix()


@pytest.hookimpl(tryfirst=True)  # before Parsl's conftest, which answers False for the rest
def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if _EXCLUSIONS.covers(_relative(collection_path, config.rootpath)):
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    done = _earlier_rounds()

    def drop(item: pytest.Item) -> bool:
        marked = any(item.get_closest_marker(m) for m in _EXCLUSIONS.markers)
        return marked or _EXCLUSIONS.covers(item.nodeid) or item.nodeid in done

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
    entry = _RESULTS.setdefault(
        report.nodeid, {"outcome": "passed", "error": "", "order": str(len(_RESULTS))}
    )
    entry["seconds"] = f"{float(entry.get('seconds', 0)) + report.duration:.1f}"
    if report.when == "call" and hasattr(report, "wasxfail"):
        entry["outcome"] = "xfailed" if report.skipped else "passed"
    elif report.failed:
        if entry["outcome"] != "failed":
            entry["outcome"] = "failed" if report.when == "call" else "error"
            entry["error"] = f"[{report.when}] {_one_line(report)}"
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"
        entry["error"] = _one_line(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):  # type: ignore[no-untyped-def]
    """In ``--config local`` runs, stop a DataFlowKernel a test module leaves loaded.

    Parsl's harness would then fail every later module at ``parsl.load``; here the module
    that leaked it fails instead (the same rule applies to the runs with the real Parsl).
    """
    yield
    if item.config.getoption("config")[0] != "local":
        return
    if nextitem is not None and getattr(nextitem, "module", None) is getattr(item, "module", None):
        return
    from parsl import DataFlowKernelLoader

    leaked = DataFlowKernelLoader._dfk
    if leaked is None:
        return
    try:
        leaked.cleanup()
    finally:
        DataFlowKernelLoader.clear()
    entry = _RESULTS.setdefault(item.nodeid, {"outcome": "passed", "error": "", "order": "-1"})
    if entry["outcome"] not in ("failed", "error"):
        entry["outcome"] = "error"
        entry["error"] = "[teardown] left its DataFlowKernel loaded (stopped by the harness)"


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _RESULTS[report.nodeid] = {"outcome": "collect-error", "error": _one_line(report)}


def _save() -> None:
    path = os.environ.get("CONFORMANCE_RESULTS")
    if path:
        Path(path).write_text(json.dumps(_RESULTS, indent=1, sort_keys=True))


def pytest_runtest_logstart(nodeid: str) -> None:
    current = os.environ.get("CONFORMANCE_CURRENT")
    if current:  # run.py watches this file: no change for long means a hang
        Path(current).write_text(nodeid)


def pytest_runtest_logfinish(nodeid: str) -> None:
    _save()  # after every test: a run stopped at its time limit still counts what finished
    current = os.environ.get("CONFORMANCE_CURRENT")
    if current:
        Path(current).write_text(f"{nodeid}\n")


def pytest_sessionfinish(session: pytest.Session) -> None:
    _save()
