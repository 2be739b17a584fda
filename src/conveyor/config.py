"""Config: everything one ``load()`` needs, checked when it is built, not at the first task.

Accepts Parsl 2026.10's keywords, plus the older ``app_cache`` / ``checkpoint_*``
keywords, which become a :class:`~conveyor.elaborations.memoization.BasicMemoizer`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import InitVar, dataclass, field
from typing import Any, Literal

from conveyor.elaborations.base import Memoizer
from conveyor.errors import ConfigurationError
from conveyor.executors.base import Executor
from conveyor.logconfigs import LogConfig

__all__ = ["Config"]

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
        self._check_scalars()
        legacy = (app_cache, checkpoint_mode, checkpoint_files, checkpoint_period)
        if any(v is not None for v in legacy):
            self.memoizer = self._legacy_memoizer(*legacy)
        if self.memoizer is not None and not isinstance(self.memoizer, Memoizer):
            raise ConfigurationError(
                f"Config.memoizer must be a Memoizer, not {type(self.memoizer).__name__}"
            )

    @staticmethod
    def _check_executors(executors: Iterable[Executor] | None) -> tuple[Executor, ...]:
        if executors is None:
            return _default_executors()
        if isinstance(executors, str | bytes | Executor):
            raise ConfigurationError("Config.executors must be a list of executors")
        result = tuple(executors) or _default_executors()
        labels: set[str] = set()
        for ex in result:
            if not isinstance(ex, Executor):
                raise ConfigurationError(f"Config.executors: {ex!r} is not an executor")
            if ex.label in labels:
                raise ConfigurationError(f"Config.executors: duplicate executor label {ex.label!r}")
            labels.add(ex.label)
        return result

    def _check_scalars(self) -> None:
        _expect("exit_mode", self.exit_mode in _EXIT_MODES, f"one of {_EXIT_MODES}")
        _expect("retries", _is_int(self.retries) and self.retries >= 0, "an int >= 0")
        _expect(
            "internal_tasks_max_threads",
            _is_int(self.internal_tasks_max_threads) and self.internal_tasks_max_threads > 0,
            "an int > 0",
        )
        _expect(
            "retry_handler", self.retry_handler is None or callable(self.retry_handler), "callable"
        )
        _expect(
            "std_autopath", self.std_autopath is None or callable(self.std_autopath), "callable"
        )
        _expect("run_dir", isinstance(self.run_dir, str), "a str")
        _expect("strategy", self.strategy in _STRATEGIES, f"one of {_STRATEGIES}")
        _expect(
            "strategy_period",
            _is_number(self.strategy_period) and self.strategy_period > 0,
            "a number > 0",
        )
        _expect(
            "max_idletime",
            _is_number(self.max_idletime) and self.max_idletime >= 0,
            "a number >= 0",
        )
        _expect("garbage_collect", isinstance(self.garbage_collect, bool), "a bool")
        _expect(
            "initialize_logging",
            isinstance(self.initialize_logging, bool | LogConfig),
            "a bool or a LogConfig",
        )
        _expect(
            "usage_tracking",
            _is_int(self.usage_tracking) and 0 <= self.usage_tracking <= 3,
            "an int 0..3",
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


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _expect(name: str, ok: bool, what: str) -> None:
    if not ok:
        raise ConfigurationError(f"Config.{name} must be {what}")
