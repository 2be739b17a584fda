"""conveyor.errors is split by layer; every name still lives at ``conveyor.errors``."""

import importlib
import pkgutil

import pytest

import conveyor.errors as errors
from conveyor.compat import parsl_qualname

SUBMODULES = [
    importlib.import_module(f"conveyor.errors.{m.name}")
    for m in pkgutil.iter_modules(errors.__path__)
]


def test_package_exports_exactly_what_its_modules_define() -> None:
    defined = [name for module in SUBMODULES for name in module.__all__]
    assert len(defined) == len(set(defined)), "a name is defined in two modules"
    assert sorted(defined) == sorted(errors.__all__)


@pytest.mark.parametrize("module", SUBMODULES, ids=[m.__name__ for m in SUBMODULES])
def test_each_class_is_the_packages_and_names_it_as_its_module(module: object) -> None:
    for name in module.__all__:  # type: ignore[attr-defined]
        cls = getattr(module, name)
        assert getattr(errors, name) is cls
        assert cls.__module__ == "conveyor.errors"


def test_parsl_names_and_aliases_survive_the_split() -> None:
    assert errors.ParslError is errors.ConveyorError
    assert errors.InternalConsistencyError is errors.InternalError
    assert parsl_qualname(errors.BashExitFailure) == "parsl.app.errors.BashExitFailure"
    assert parsl_qualname(errors.WorkerLost) == (
        "parsl.executors.high_throughput.errors.WorkerLost"
    )
