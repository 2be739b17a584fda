"""``RepresentationMixin`` (Parsl's ``parsl.utils`` name): a repr that reads like the call.

A class using it gets ``ClassName(arg, ..., kw=value, ...)`` built from its ``__init__``
signature and the attributes of the same names: positional parameters without a default
first, then every parameter with a default as ``name=value``. Long representations break
into one argument per line.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

__all__ = ["RepresentationMixin"]

_MISSING = "<unrecorded>"


class RepresentationMixin:
    """Adds a ``__repr__`` showing the constructor call that would rebuild the object."""

    __max_width__: ClassVar[int] = 80
    #: when true, a constructor parameter with no attribute of its name is an error
    _validate_repr: ClassVar[bool] = False

    def _constructor_parameters(self) -> list[inspect.Parameter]:
        init: Any = type(self).__init__
        init = getattr(init, "__wrapped__", init)
        params = list(inspect.signature(init).parameters.values())[1:]
        kinds = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        return [p for p in params if p.kind not in kinds]

    def __repr__(self) -> str:
        positional: list[str] = []
        keywords: list[str] = []
        for param in self._constructor_parameters():
            if self._validate_repr and not hasattr(self, param.name):
                raise AttributeError(
                    f"class {type(self).__name__} uses {param.name} in the constructor, "
                    "but does not define it as an attribute"
                )
            value = repr(getattr(self, param.name, _MISSING))
            if param.default is inspect.Parameter.empty:
                positional.append(value)
            else:
                keywords.append(f"{param.name}={value}")
        name = type(self).__name__
        parts = positional + keywords
        flat = f"{name}({', '.join(parts)})"
        if len(flat) <= self.__max_width__:
            return flat
        return f"{name}(\n    " + ",\n    ".join(parts) + "\n)"
