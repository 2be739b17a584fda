"""The conformance runner's own pieces: the exclusion list, counting, the failures report."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parents[2] / "conformance"
sys.path.insert(0, str(HERE))  # run.py and report.py import exclusions.py by its plain name


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"conformance_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


exclusions, report, run = _load("exclusions"), _load("report"), _load("run")


def test_every_exclusion_has_a_reason() -> None:
    for line in (HERE / "excluded.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            entry, _, reason = line.partition("#")
            assert entry.strip() and len(reason.strip()) > 20, line


def test_exclusions_match_folders_modules_tests_and_parameters(tmp_path: Path) -> None:
    listing = tmp_path / "excluded.txt"
    listing.write_text(
        "# comment\nmarker:cleannet  # net\na/b/  # folder\nc/d.py  # module\ne.py::t  # test\n"
    )
    ex = exclusions.read(listing)
    assert ex.markers == {"cleannet"}
    assert ex.covers("a/b/x.py::t") and ex.covers("c/d.py") and ex.covers("c/d.py::t[1]")
    assert ex.covers("e.py::t") and ex.covers("e.py::t[x]")
    assert not ex.covers("c/d2.py::t") and not ex.covers("e.py::t2") and not ex.covers("a/bc.py")
    kept = ex.keep({"c/d.py::t": {"outcome": "passed"}, "z.py::t": {"outcome": "failed"}})
    assert list(kept) == ["z.py::t"]


def test_counts_treat_errors_and_import_failures_as_failed() -> None:
    results = {
        "a": {"outcome": "passed"},
        "b": {"outcome": "failed"},
        "c": {"outcome": "error"},
        "d": {"outcome": "collect-error"},
        "e": {"outcome": "skipped"},
    }
    counts = run.count(results)
    assert run.line("conveyor x", counts) == (
        "conveyor x: 1 passed, 3 failed (1 collect-error, 1 error, 1 skipped)"
    )


@pytest.mark.parametrize(
    ("nodeid", "error", "owner"),
    [
        ("parsl/tests/test_monitoring/test_x.py::t", "", "engineer D"),
        ("parsl/tests/test_htex/mpi/test_y.py::t", "", "engineer G"),
        ("parsl/tests/test_htex/test_z.py::t", "", "engineer C"),
        ("parsl/tests/test_python_apps/t.py", "MissingFromConveyor: conveyor lacks", "engineer A"),
        ("parsl/tests/test_python_apps/t.py::t", "AssertionError", "engineer B"),
    ],
)
def test_failures_go_to_the_owning_area(nodeid: str, error: str, owner: str) -> None:
    assert owner in report.area_of(nodeid, error)


def test_report_lists_failures_and_those_parsl_shares() -> None:
    ours = {"local": {"x.py::a": {"outcome": "failed", "error": "[call] boom"}}}
    ours["local"]["x.py::b"] = {"outcome": "error", "error": "[setup] both"}
    theirs = {"local": {"x.py::b": {"outcome": "failed", "error": "x"}}}
    text = report.render(ours, theirs)
    assert "- `x.py::a` [local]: [call] boom" in text
    assert text.index("x.py::b") > text.index("## Parsl fails these too: 1")
    assert "- conveyor local: 0 passed, 2 failed" in text
