"""The import layering of docs/design.md, checked by reading every module's imports."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "conveyor"


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def conveyor_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("conveyor")}
        elif (
            isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("conveyor")
        ):
            found.add(node.module)
    return found


MODULES = {module_name(p): conveyor_imports(p) for p in SRC.rglob("*.py")}

# (modules matching this prefix, may never import anything matching these prefixes)
RULES = [
    ("conveyor.errors", ["conveyor."]),
    ("conveyor.files", ["conveyor."]),
    (
        "conveyor.serialize",
        ["conveyor.kernel", "conveyor.executors", "conveyor.elaborations", "conveyor.app"],
    ),
    (
        "conveyor.execution",
        ["conveyor.kernel", "conveyor.executors", "conveyor.elaborations", "conveyor.app"],
    ),
    (
        "conveyor.elaborations",
        [
            "conveyor.kernel.kernel",
            "conveyor.kernel.core",
            "conveyor.kernel.current",
            "conveyor.executors",
        ],
    ),
    ("conveyor.kernel", ["conveyor.executors.htex", "conveyor.providers", "conveyor.launchers"]),
    (
        "conveyor.executors",
        [
            "conveyor.kernel.kernel",
            "conveyor.kernel.core",
            "conveyor.kernel.current",
            "conveyor.app",
            "conveyor.elaborations",
        ],
    ),
    ("conveyor.providers", ["conveyor.executors", "conveyor.kernel"]),
    ("conveyor.launchers", ["conveyor.executors", "conveyor.kernel", "conveyor.providers"]),
    (
        "conveyor.executors.htex.protocol",
        [
            "conveyor.kernel",
            "conveyor.serialize",
            "conveyor.execution",
            "conveyor.executors.htex.client",
        ],
    ),
    # the database's readers (CLI, dashboard) know nothing of the workflow that wrote it
    *(
        (reader, ["conveyor.kernel", "conveyor.executors", "conveyor.monitoring.writer"])
        for reader in ("conveyor.monitoring.reader", "conveyor.monitoring.dashboard")
    ),
    # monitoring is fed by the kernel's observer point and the executors; it never drives them
    (
        "conveyor.monitoring",
        ["conveyor.kernel.kernel", "conveyor.kernel.core", "conveyor.app", "conveyor.executors"],
    ),
]
ALLOWED_EXCEPTIONS = {("conveyor.errors", "conveyor.errors")}


def always_allowed(imported: str) -> bool:
    """Every layer may import the errors package (and its modules) and the version."""
    return imported in ("conveyor.errors", "conveyor.version") or imported.startswith(
        "conveyor.errors."
    )


@pytest.mark.parametrize(("prefix", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_layer(prefix: str, forbidden: list[str]) -> None:
    violations = []
    for module, imports in MODULES.items():
        if module != prefix and not module.startswith(prefix + "."):
            continue
        for imported in imports:
            if (module, imported) in ALLOWED_EXCEPTIONS or always_allowed(imported):
                continue
            if any(
                imported == f
                or imported.startswith(f if f.endswith(".") else f + ".")
                or imported == f.rstrip(".")
                for f in forbidden
            ):
                violations.append(f"{module} imports {imported}")
    assert violations == []


def test_rules_see_modules() -> None:
    assert len(MODULES) > 40
    assert "conveyor.kernel.core" in MODULES


def test_errors_modules_build_on_base_only() -> None:
    """Inside conveyor.errors: base imports nothing; no module imports the package itself."""
    inside = {m: i for m, i in MODULES.items() if m.startswith("conveyor.errors.")}
    assert "conveyor.errors.base" in inside
    assert inside["conveyor.errors.base"] == set()
    assert all("conveyor.errors" not in imports for imports in inside.values())
