"""Config: everything one ``load()`` needs, checked when it is built, not at the first task.

Accepts Parsl 2026.10's keywords, plus the older ``app_cache`` / ``checkpoint_*``
keywords, which become a :class:`~conveyor.elaborations.memoization.BasicMemoizer`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import InitVar, dataclass, field
from types import NoneType
from typing import Any, Literal

from conveyor.elaborations.base import Memoizer
from conveyor.errors import ConfigurationError
from conveyor.executors.base import Executor
from conveyor.logconfigs import LogConfig

__all__ = ["Config", "TypeCheckError"]

ExitMode = Literal["cleanup", "skip", "wait"]
_EXIT_MODES = ("cleanup", "skip", "wait")
_STRATEGIES = (None, "none", "simple", "htex_auto_scale")


@dataclass(kw_only=True)
class Config:
    """Configuration of one dataflow kernel (Parsl's ``parsl.config.Config``)."""

    executors: Iterable[Executor] | None = None
    memoizer: Memoizer | None = None
    dependency_resolver: Any = None
    exit_mode: ExitMode = "cleanup"
    garbage_collect: bool = True
    internal_tasks_max_threads: int = 10
    retries: int = 0
    retry_handler: Callable[[BaseException, Any], float] | None = None
    run_dir: str = "runinfo"
    std_autopath: Callable[..., str] | None = None
    strategy: str | None = "simple"
    strategy_period: float = 5.0
    max_idletime: float = 120.0
    monitoring: Any = None
    usage_tracking: int = 0
    project_name: str | None = None
    initialize_logging: bool | LogConfig = True
    app_cache: InitVar[bool | None] = None
    checkpoint_mode: InitVar[str | None] = None
    checkpoint_files: InitVar[Sequence[str] | None] = None
    checkpoint_period: InitVar[str | None] = None
    _executors: tuple[Executor, ...] = field(init=False, repr=False, default=())

    def __post_init__(
        self,
        app_cache: bool | None,
        checkpoint_mode: str | None,
        checkpoint_files: Sequence[str] | None,
        checkpoint_period: str | None,
    ) -> None:
        self._executors = self._check_executors(self.executors)
        self.executors = self._executors  # as Parsl's: the executors actually used
        if isinstance(self.run_dir, os.PathLike):
            self.run_dir = os.fspath(self.run_dir)
        self._check_types()
        self._check_ranges()
        legacy = (app_cache, checkpoint_mode, checkpoint_files, checkpoint_period)
        if any(v is not None for v in legacy):
            self.memoizer = self._legacy_memoizer(*legacy)
        _type_check("memoizer", self.memoizer, (Memoizer, NoneType), "a Memoizer")

    @staticmethod
    def _check_executors(executors: Iterable[Executor] | None) -> tuple[Executor, ...]:
        if executors is None:
            return _default_executors()
        if isinstance(executors, str | bytes | Executor) or not isinstance(executors, Iterable):
            raise TypeCheckError(
                f"Config.executors must be a list of executors, not {type(executors).__name__}"
            )
        result = tuple(executors) or _default_executors()
        labels: set[str] = set()
        for ex in result:
            _type_check("executors", ex, (Executor,), f"a list of executors ({ex!r} is not one)")
            if ex.label in labels:
                raise ConfigurationError(f"Config.executors: duplicate executor label {ex.label!r}")
            labels.add(ex.label)
        return result

    def _check_types(self) -> None:
        """TypeError (a TypeCheckError) naming the field, as Parsl's typeguard raises."""
        for name, (types, what) in _TYPES.items():
            _type_check(name, getattr(self, name), types, what)
        for name in ("retry_handler", "std_autopath"):
            value = getattr(self, name)
            if value is not None and not callable(value):
                raise TypeCheckError(f"Config.{name} must be callable or None, not {value!r}")
        if self.exit_mode not in _EXIT_MODES:  # a Literal: a wrong value is a wrong type
            raise TypeCheckError(
                f"Config.exit_mode must be one of {_EXIT_MODES}, not {self.exit_mode!r}"
            )

    def _check_ranges(self) -> None:
        """ConfigurationError for values of the right type outside what works."""
        _in_range("retries", self.retries >= 0, "an int >= 0")
        _in_range("internal_tasks_max_threads", self.internal_tasks_max_threads > 0, "an int > 0")
        _in_range("strategy", self.strategy in _STRATEGIES, f"one of {_STRATEGIES}")
        _in_range("strategy_period", self.strategy_period > 0, "a number > 0")
        _in_range("max_idletime", self.max_idletime >= 0, "a number >= 0")
        _in_range(
            "usage_tracking",
            0 <= self.usage_tracking <= 3,
            f"0, 1, 2 or 3 (or a bool), not {self.usage_tracking!r}",
        )

    @staticmethod
    def _legacy_memoizer(
        app_cache: bool | None, mode: str | None, files: Sequence[str] | None, period: str | None
    ) -> Memoizer:
        from conveyor.elaborations.memoization import BasicMemoizer

        return BasicMemoizer(
            memoize=True if app_cache is None else app_cache,
            checkpoint_mode=mode,
            checkpoint_files=files,
            checkpoint_period=period,
        )

    @property
    def executors_tuple(self) -> tuple[Executor, ...]:
        """The validated executors."""
        return self._executors


def _default_executors() -> tuple[Executor, ...]:
    from conveyor.executors.threads import ThreadPoolExecutor

    return (ThreadPoolExecutor(),)


class TypeCheckError(ConfigurationError, TypeError):
    """A Config field of the wrong type: a TypeError, and a ConfigurationError.

    Named as the error Parsl's type checker (typeguard) raises for the same mistake.
    """


#: field -> (accepted types, what the message says); bools count as ints, as in Parsl
_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "exit_mode": ((str,), "a str"),
    "garbage_collect": ((bool,), "a bool"),
    "internal_tasks_max_threads": ((int,), "an int"),
    "retries": ((int,), "an int"),
    "run_dir": ((str,), "a str"),
    "strategy": ((str, NoneType), "a str or None"),
    "strategy_period": ((int, float), "a number"),
    "max_idletime": ((int, float), "a number"),
    "usage_tracking": ((int,), "an int 0..3 (or a bool)"),
    "project_name": ((str, NoneType), "a str or None"),
    "initialize_logging": ((bool, LogConfig), "a bool or a LogConfig"),
}


def _type_check(name: str, value: object, types: tuple[type, ...], what: str) -> None:
    if not isinstance(value, types):
        raise TypeCheckError(f"Config.{name} must be {what}, not {type(value).__name__}")


def _in_range(name: str, ok: bool, what: str) -> None:
    if not ok:
        raise ConfigurationError(f"Config.{name} must be {what}")
