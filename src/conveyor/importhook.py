"""Import hook: serves ``parsl`` and ``parsl.*`` modules from :data:`conveyor.compat.MODULES`.

Installed by ``conveyor run`` or :func:`conveyor.compat.install`. Each served module is a
:class:`CompatModule` whose attributes resolve lazily from the table; its subpackages are
attributes too (``parsl.addresses`` after a bare ``import parsl``). A Parsl name conveyor
lacks imports as a placeholder class (so ``isinstance(x, WorkQueueExecutor)`` works);
constructing it raises :class:`MissingFromConveyor` (an ImportError) naming it. A Parsl
module conveyor lacks raises that error on import.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import types
from collections.abc import Sequence
from typing import Any

from conveyor.compat import LACKING, MODULES, resolve

__all__ = [
    "CompatFinder",
    "INHERIT_ENV",
    "CompatModule",
    "MissingFromConveyor",
    "install",
    "placeholder",
    "uninstall",
]


class MissingFromConveyor(ImportError):
    """Raised when a Parsl script imports a Parsl name or module conveyor does not provide."""


def placeholder(module: str, name: str) -> type:
    """A stand-in class for Parsl's ``module.name``: constructing it raises MissingFromConveyor."""
    message = f"conveyor does not provide {module}.{name} (a Parsl name conveyor lacks)"

    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        raise MissingFromConveyor(message, name=module)

    doc = f"Placeholder for Parsl's {module}.{name}, which conveyor lacks: {message}."
    attrs = {"__new__": __new__, "__module__": module, "__doc__": doc, "conveyor_lacks": message}
    return type(name, (), attrs)


class CompatModule(types.ModuleType):
    """A ``parsl.*`` module whose names are conveyor objects, resolved on first use."""

    def __getattr__(self, name: str) -> Any:
        table = MODULES.get(self.__name__, {})
        target = table.get(name)
        if target is None:
            full = f"{self.__name__}.{name}"
            if name in LACKING.get(self.__name__, ()):
                stand_in = placeholder(self.__name__, name)
                setattr(self, name, stand_in)
                return stand_in
            if f"{full}" in MODULES:
                return importlib.import_module(full)
            raise AttributeError(
                f"module {self.__name__!r} has no attribute {name!r} (conveyor provides {sorted(table)})"
            )
        value = resolve(target)
        setattr(self, name, value)
        return value

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(MODULES.get(self.__name__, {})))


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return CompatModule(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__all__ = list(MODULES.get(module.__name__, {}))  # type: ignore[attr-defined]


class CompatFinder(importlib.abc.MetaPathFinder):
    """Finds ``parsl`` and ``parsl.*`` in the compatibility table (before any real Parsl)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "parsl" and not fullname.startswith("parsl."):
            return None
        if fullname not in MODULES:
            raise MissingFromConveyor(f"conveyor does not provide module {fullname}", name=fullname)
        is_package = any(other.startswith(fullname + ".") for other in MODULES)
        spec = importlib.machinery.ModuleSpec(fullname, _Loader(), is_package=is_package)
        if is_package:
            spec.submodule_search_locations = []
        return spec


_FINDER = CompatFinder()


#: set while the hook is installed, so processes this one starts (HTEX pools and workers)
#: install it too when they import conveyor: app code there may ``import parsl`` as well
INHERIT_ENV = "CONVEYOR_PARSL_COMPAT"


def install() -> None:
    """Put the finder first on ``sys.meta_path`` and drop any real Parsl already imported."""
    os.environ[INHERIT_ENV] = "1"
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    for name in [m for m in sys.modules if m == "parsl" or m.startswith("parsl.")]:
        if not isinstance(sys.modules[name], CompatModule):
            del sys.modules[name]


def uninstall() -> None:
    """Remove the finder and the compat modules it served."""
    os.environ.pop(INHERIT_ENV, None)
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name in [m for m in sys.modules if isinstance(sys.modules[m], CompatModule)]:
        del sys.modules[name]
