"""Documentation that stays true: run the docs' code, check the names they cite, and the tables.

* Every ```python block of docs/*.md and README.md runs, in order, in one namespace per
  file, in a subprocess whose cwd is a temporary directory (so a hanging block fails, it
  does not hang the suite). A block preceded by ``<!-- not-runnable: reason -->`` is skipped.
* The story the task-path sample prints equals the ``<!-- story-output -->`` block.
* Every ``conveyor.x.y`` name, ``conveyor/x/y.py`` path, ``file.py:function`` and
  ``parsl.x`` module path mentioned in the docs exists.
* The state tables (docs/states.md), the layering table (docs/architecture.md) and the
  Parsl compatibility table (docs/migrating-from-parsl.md) equal the code's tables; the
  benchmark lines in docs/migrating-from-parsl.md are lines of bench/RESULTS.md.

Run ``python tests/docs/test_docs.py [states|layering|compat]`` to print the generated
tables (rendered by tests/docs/doc_tables.py), ready to paste between their markers.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from doc_tables import ROOT, STATE_TABLES, compat_table, layering_table, main, table_in_doc

DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
#: seconds one document's code may take before it counts as hanging
TIMEOUT = 90

_FENCE = re.compile(r"^```(\w*)\s*$")
_COMMENT = re.compile(r"^<!--\s*([\w-]+)(?::(.*?))?\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced code block and the HTML comment directly before it, if any."""

    doc: Path
    lang: str
    code: str
    #: line number (1-based) of the block's first code line
    line: int
    #: name of the preceding ``<!-- name: text -->`` comment, and its text
    marker: str | None
    marker_text: str


def blocks_of(doc: Path) -> list[Block]:
    """The fenced code blocks of ``doc`` in order."""
    lines = doc.read_text().splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        marker, text = _marker_before(lines, i)
        code = "\n".join(lines[i + 1 : end]) + "\n"
        found.append(Block(doc, opening.group(1), code, i + 2, marker, text))
        i = end + 1
    return found


def _marker_before(lines: list[str], fence: int) -> tuple[str | None, str]:
    j = fence - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    match = _COMMENT.match(lines[j].strip()) if j >= 0 else None
    if match is None:
        return None, ""
    return match.group(1), (match.group(2) or "").strip()


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- running the python blocks ---------------------------------------------------------

_RUNNER = """
import json, sys
ns = {"__name__": "__main__"}
for block in json.load(open(sys.argv[1])):
    code = "\\n" * (block["line"] - 1) + block["code"]
    exec(compile(code, block["doc"], "exec"), ns)
"""


def runnable(doc: Path) -> list[Block]:
    """The python blocks of ``doc`` that are not marked not-runnable."""
    return [b for b in blocks_of(doc) if b.lang == "python" and b.marker != "not-runnable"]


def run_blocks(blocks: list[Block], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``blocks`` in order in one namespace in a fresh interpreter; kill it if it hangs."""
    spec = cwd / "blocks.json"
    spec.write_text(
        json.dumps([{"doc": _rel(b.doc), "line": b.line, "code": b.code} for b in blocks])
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", _RUNNER, str(spec)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{_rel(blocks[0].doc)}: code blocks still running after {TIMEOUT} s\n{err}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_not_runnable_markers_give_a_reason() -> None:
    for doc in DOCS:
        for block in blocks_of(doc):
            if block.marker == "not-runnable":
                where = f"{_rel(doc)}:{block.line}"
                assert block.marker_text, f"{where}: not-runnable needs a reason"
                assert block.lang == "python", f"{where}: not-runnable marks a python block"


@pytest.mark.parametrize("doc", [d for d in DOCS if runnable(d)], ids=_rel)
def test_python_blocks_run(doc: Path, tmp_path: Path) -> None:
    result = run_blocks(runnable(doc), tmp_path)
    assert result.returncode == 0, (
        f"{_rel(doc)}: a code block failed\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    story_blocks = [b for b in blocks_of(doc) if b.marker == "story-output"]
    for shown in story_blocks:
        assert _story(result.stdout), f"{_rel(doc)}: the code printed no story"
        assert _story(result.stdout) == _story(shown.code), (
            f"{_rel(doc)}:{shown.line}: the story shown differs from the one printed:\n"
            f"{result.stdout}"
        )


def _story(text: str) -> list[tuple[str, str, str]]:
    """The ``FROM -> TO: cause`` lines of a printed story, in order."""
    pattern = re.compile(r"^([A-Z_]+) -> ([A-Z_]+): (.+)$", re.M)
    return [(m[1], m[2], m[3].strip()) for m in pattern.finditer(text)]


def test_task_path_sample_is_htex_with_local_provider() -> None:
    sample = runnable(ROOT / "docs" / "task-path.md")
    assert sample, "docs/task-path.md has no runnable sample"
    code = "".join(b.code for b in sample)
    for needed in ("HighThroughputExecutor(", "LocalProvider(", "with conveyor.load(", ".story()"):
        assert needed in code, f"the task-path sample must use {needed}"
    assert [b for b in blocks_of(ROOT / "docs" / "task-path.md") if b.marker == "story-output"]


# --- names mentioned in the docs ---------------------------------------------------------

_DOTTED = re.compile(r"(?<![\w./-])conveyor(?:\.[A-Za-z_]\w*)+")
_PATH = re.compile(
    r"(?<![\w./<>-])((?:[\w.-]+/)*[\w-]+\.(?:py|md))(?::([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*))?"
)
_DIR = re.compile(r"(?<![\w./-])(?:src/)?(conveyor/(?:\w+/)+)(?![\w.])")
_PARSL = re.compile(r"(?<![\w./-])parsl(?:\.[A-Za-z_]\w*)+")
#: names that look like modules or files but are not (a log file, user scripts)
_NOT_NAMES = {"conveyor.log", "parsl.log", "script.py"}
_SEARCHED = ("src/conveyor", "tests", "bench", "docs", "examples")


def _mentions(pattern: re.Pattern[str]) -> list[tuple[str, re.Match[str]]]:
    return [(_rel(doc), m) for doc in DOCS for m in pattern.finditer(doc.read_text())]


def resolve_dotted(name: str) -> object:
    """Import the longest module prefix of ``name`` and get the rest as attributes."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(name)


def test_dotted_names_exist() -> None:
    missing = []
    for where, m in _mentions(_DOTTED):
        if m[0] in _NOT_NAMES:
            continue
        try:
            resolve_dotted(m[0])
        except (ImportError, AttributeError) as exc:
            missing.append(f"{where}: {m[0]} ({exc})")
    assert not missing, "names in the docs that do not exist:\n" + "\n".join(missing)


@cache
def _all_files() -> list[Path]:
    every = [p for top in _SEARCHED for p in (ROOT / top).rglob("*") if p.is_file()]
    return [p for p in every if not any(part.startswith(".") for part in p.relative_to(ROOT).parts)]


def find_files(token: str) -> list[Path]:
    """Files a path mentioned in the docs may mean: exact, under src/ or docs/, or by suffix."""
    exact = [ROOT / token, ROOT / "src" / token, ROOT / "docs" / token]
    found = [p for p in exact if p.is_file()]
    return found or [p for p in _all_files() if str(p).endswith("/" + token)]


@cache
def defined_names(path: Path) -> frozenset[str]:
    """Top-level names of a module, plus ``Class.member`` for members of its classes."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        names |= _bound(node)
        if isinstance(node, ast.ClassDef):
            for member in node.body:
                names |= {f"{node.name}.{n}" for n in _bound(member)}
    return frozenset(names)


def _bound(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def test_paths_and_functions_exist() -> None:
    missing = []
    for where, m in _mentions(_PATH):
        token, name = m[1], m[2]
        if token in _NOT_NAMES:
            continue
        files = find_files(token)
        if not files:
            missing.append(f"{where}: no file {token}")
        elif name and not any(name in defined_names(f) for f in files if f.suffix == ".py"):
            missing.append(f"{where}: {token} defines no {name}")
    for where, m in _mentions(_DIR):
        if not (ROOT / "src" / m[1]).is_dir():
            missing.append(f"{where}: no directory src/{m[1]}")
    assert not missing, "paths in the docs that do not exist:\n" + "\n".join(missing)


def test_parsl_names_are_in_the_compat_table() -> None:
    from conveyor.compat import LACKING, MODULES

    unknown = []
    for where, m in _mentions(_PARSL):
        module, _, attr = m[0].rpartition(".")
        known = m[0] in MODULES or (
            module in MODULES and (attr in MODULES[module] or attr in LACKING.get(module, ()))
        )
        if not known and m[0] not in _NOT_NAMES:
            unknown.append(f"{where}: {m[0]}")
    assert not unknown, "Parsl names not in conveyor/compat.py:\n" + "\n".join(unknown)


@pytest.mark.parametrize(("name", "render"), list(STATE_TABLES.items()))
def test_state_tables_match_the_code(name: str, render: object) -> None:
    text = (ROOT / "docs" / "states.md").read_text()
    expected = render()  # type: ignore[operator]
    assert table_in_doc(text, name) == expected, (
        f"docs/states.md {name} differs from the code; it should read:\n{expected}"
    )


def test_layering_table_matches_the_rules() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    expected = layering_table()
    assert table_in_doc(text, "layering") == expected, (
        f"docs/architecture.md layering table differs from the rules; it should read:\n{expected}"
    )


def test_compat_table_matches_the_code() -> None:
    text = (ROOT / "docs" / "migrating-from-parsl.md").read_text()
    expected = compat_table()
    assert table_in_doc(text, "compat") == expected, (
        f"docs/migrating-from-parsl.md compat table differs from conveyor/compat.py; "
        f"it should read:\n{expected}"
    )


def test_benchmark_numbers_are_those_of_bench_results() -> None:
    text = (ROOT / "docs" / "migrating-from-parsl.md").read_text()
    results = set((ROOT / "bench" / "RESULTS.md").read_text().splitlines())
    copied = table_in_doc(text, "bench").splitlines()
    assert len(copied) > 4, "the benchmark table is missing"
    stale = [line for line in copied if line not in results]
    assert not stale, "lines not in bench/RESULTS.md (re-copy them):\n" + "\n".join(stale)


def test_protocol_message_table_matches_the_code() -> None:
    from dataclasses import fields

    from conveyor.executors.htex import protocol

    text = (ROOT / "docs" / "protocol.md").read_text()
    rows = re.findall(r"^\| (\d+) \| (\w+) \| [^|]+ \| ([^|]+) \|$", text, re.M)
    documented = {int(tag): (name, cell) for tag, name, cell in rows}
    types = protocol._TYPES
    assert {t: n for t, (n, _) in documented.items()} == {t: c.__name__ for t, c in types.items()}
    for tag, cls in types.items():
        cell = documented[tag][1]
        for f in fields(cls):
            assert re.search(rf"\b{f.name}\b", cell), (
                f"docs/protocol.md: {cls.__name__} lacks {f.name}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
