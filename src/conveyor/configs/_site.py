"""What the site configs use: Parsl names resolved through the compatibility table."""

from __future__ import annotations

from typing import Any

from conveyor.compat import MODULES, resolve

__all__ = ["LEVEL_1", "parsl_name"]

LEVEL_1 = 1


def parsl_name(module: str, name: str) -> Any:
    """The object conveyor serves as Parsl's ``module.name``.

    A name or module conveyor lacks raises MissingFromConveyor (an ImportError) at once,
    so a site config whose provider conveyor lacks fails on import, naming the provider.
    """
    from conveyor.importhook import MissingFromConveyor

    table = MODULES.get(module)
    if table is None:
        raise MissingFromConveyor(f"conveyor does not provide module {module}", name=module)
    if name in table:
        return resolve(table[name])
    raise MissingFromConveyor(
        f"conveyor does not provide {module}.{name} (a Parsl name conveyor lacks)", name=module
    )
