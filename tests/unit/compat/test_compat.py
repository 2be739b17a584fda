"""The Parsl compatibility table and import hook."""

import importlib
import subprocess
import sys

import pytest

from conveyor.compat import LACKING, MODULES, resolve

# parsl.configs.* entries are site configs that may need a missing provider: test_configs.py
ENTRIES = [
    (mod, name, target)
    for mod, table in MODULES.items()
    for name, target in table.items()
    if not mod.startswith("parsl.configs.")
]


@pytest.mark.parametrize(
    ("module", "name", "target"), ENTRIES, ids=[f"{m}.{n}" for m, n, _ in ENTRIES]
)
def test_every_mapping_entry_resolves(module: str, name: str, target: str) -> None:
    assert resolve(target) is not None


def test_lacking_names_are_not_also_mapped() -> None:
    for module, names in LACKING.items():
        assert not names & set(MODULES.get(module, {})), module


def _run(code: str) -> subprocess.CompletedProcess[str]:
    prelude = "import conveyor.compat as c; c.install()\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=60
    )


def test_parsl_imports_give_conveyor_objects() -> None:
    code = (
        "import parsl, conveyor\n"
        "from parsl.app.app import python_app\n"
        "from parsl.dataflow.memoization import id_for_memo\n"
        "from parsl.executors.high_throughput.errors import ManagerLost\n"
        "from conveyor.elaborations.memo_keys import id_for_memo as ours\n"
        "assert python_app is conveyor.python_app and id_for_memo is ours\n"
        "assert ManagerLost is conveyor.errors.ManagerLost\n"
        "assert parsl.load is conveyor.load\n"
        "print('ok')\n"
    )
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


@pytest.mark.parametrize(
    ("statement", "needle"),
    [
        (
            "from parsl.executors import WorkQueueExecutor\nWorkQueueExecutor()",
            "parsl.executors.WorkQueueExecutor",
        ),
        ("import parsl.executors.taskvine", "parsl.executors.taskvine"),
    ],
)
def test_missing_names_fail_with_clear_import_error(statement: str, needle: str) -> None:
    proc = _run(statement)
    assert proc.returncode != 0
    assert "ImportError" in proc.stderr or "MissingFromConveyor" in proc.stderr
    assert needle in proc.stderr and "conveyor does not provide" in proc.stderr


def test_import_conveyor_does_not_load_zmq() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import sys, conveyor; print('zmq' in sys.modules)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.strip() == "False", proc.stderr


def test_hook_not_installed_by_default() -> None:
    assert importlib.util.find_spec("conveyor") is not None
    proc = subprocess.run(
        [sys.executable, "-c", "import conveyor, sys; import parsl; print(parsl.__file__)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "conveyor" not in proc.stdout
