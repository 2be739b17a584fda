"""HtexChecks: what HTEX accepts in a task's resource specification, checked at submit.

Refusals raise InvalidResourceSpecification naming the keys, before anything is sent: MPI
keys in MPI mode, ``priority``/``walltime`` and the per-task ``cores``/``memory``/``gpus``
otherwise; a walltime longer than a pool takes tasks for is refused too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conveyor.errors import InvalidResourceSpecification
from conveyor.executors.htex.mpi_prefix import mpi_resources
from conveyor.executors.htex.pool.deadline import usable_seconds
from conveyor.executors.htex.pool.resources import TASK_RESOURCE_KEYS, check_task_resources

__all__ = ["ALLOWED_SPEC", "HtexChecks"]

#: keys every HTEX accepts in a resource specification
ALLOWED_SPEC = {"priority", "walltime"}


class HtexChecks:
    """Mixin for HighThroughputExecutor (uses its ``options`` and ``provider``)."""

    label: str
    options: Any
    provider: Any

    def validate_resource_spec(self, resource_specification: Mapping[str, Any]) -> None:
        """Raise InvalidResourceSpecification for a spec this executor refuses (Parsl's name)."""
        self._checked_resources(resource_specification)

    def _checked_resources(self, spec: Mapping[str, Any]) -> dict[str, Any] | None:
        """The resources a task's Submit item carries (MPI keys, or cores / memory / gpus)."""
        if self.options.pool.enable_mpi_mode:
            return mpi_resources(spec, ALLOWED_SPEC, self.provider)
        if not spec:  # most tasks: nothing to check
            return None
        bad = set(spec) - ALLOWED_SPEC - set(TASK_RESOURCE_KEYS)
        if bad:
            allowed = sorted(ALLOWED_SPEC | set(TASK_RESOURCE_KEYS))
            raise InvalidResourceSpecification(
                bad,
                f"HTEX accepts only {allowed} in a resource specification, not {sorted(bad)}",
            )
        return check_task_resources(spec)

    def _walltime_error(self, walltime: float) -> BaseException | None:
        if walltime and walltime >= self.usable_block_seconds:
            return InvalidResourceSpecification(
                {"walltime"},
                f"task walltime {walltime:g} s cannot fit in a block of {self.label}: its pools "
                f"take tasks for at most {self.usable_block_seconds:g} s",
            )
        return None

    @property
    def usable_block_seconds(self) -> float:
        """How long a pool takes tasks: its block's walltime less the drain margin, or drain_period."""
        life = usable_seconds(self.provider.block_seconds)
        period = self.options.pool.drain_period
        return min(life, period) if period else life
