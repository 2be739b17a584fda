"""Per-task cores, memory and GPUs in one pool (conveyor's extension of HTEX; pure).

A task may declare ``cores`` (whole CPUs), ``memory`` (MB) and ``gpus`` (accelerators of
the pool's ``available_accelerators``). It runs only when a worker is idle and that much
of the node is free; its worker is pinned to the task's CPUs and sees them in
``OMP_NUM_THREADS`` / ``GOMP_CPU_AFFINITY`` / ``KMP_AFFINITY``, and its GPUs in
``CUDA_VISIBLE_DEVICES`` and the other accelerator variables. A task that declares nothing
counts as ``cores_per_worker`` cores and ``mem_per_worker`` memory, unpinned (a task that
declares memory or gpus but no cores counts as ``cores_per_worker`` cores too). A task
waiting for room does not hold back later tasks that fit (backfill); a task larger than the
node fails at once with InvalidResourceSpecification.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conveyor.errors import InvalidResourceSpecification
from conveyor.executors.htex.pool.affinity import ACCELERATOR_VARIABLES
from conveyor.executors.htex.pool.backfill import Backfill

__all__ = ["TASK_RESOURCE_KEYS", "NodeShape", "ResourcePlacer", "check_task_resources", "demand"]

#: the keys of a Tasks item's resources map that this module accounts
TASK_RESOURCE_KEYS = ("cores", "memory", "gpus")


def check_task_resources(spec: Mapping[str, Any]) -> dict[str, float] | None:
    """The declared cores / memory / gpus of a resource spec, checked; None when none.

    ``cores`` and ``gpus`` are whole numbers (cores >= 1, gpus >= 0), ``memory`` is MB > 0;
    anything else raises InvalidResourceSpecification naming the key.
    """
    out: dict[str, float] = {}
    for key in TASK_RESOURCE_KEYS:
        if key not in spec:
            continue
        value = spec[key]
        whole = key != "memory"
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = (
            ok
            and (value == int(value) if whole else True)
            and value >= (0 if key == "gpus" else 1e-9)
        )
        if not ok:
            kind = "a whole number" if whole else "a number of MB"
            raise InvalidResourceSpecification({key}, f"{key} must be {kind} > 0, not {value!r}")
        out[key] = float(value)
    return out or None


def demand(task: Sequence[Any]) -> dict[str, float] | None:
    """The declared cores / memory / gpus of a Tasks item; None when it declares none."""
    if len(task) < 5:
        return None
    wanted = {k: float(task[4][k]) for k in TASK_RESOURCE_KEYS if k in task[4]}
    return wanted or None


@dataclass(slots=True)
class NodeShape:
    """What one node offers: its CPUs, memory (MB), accelerators; undeclared task size."""

    cpus: list[int]
    memory_mb: float
    accelerators: list[str]
    default_cores: float = 1.0
    default_memory_mb: float = 0.0

    def summary(self) -> dict[str, float]:
        """The shape a pool registers with (the interchange routes by it)."""
        return {"cores": len(self.cpus), "memory": self.memory_mb, "gpus": len(self.accelerators)}


@dataclass(slots=True)
class _Held:
    cpus: list[int]
    gpus: list[str]
    memory: float
    #: cores counted for the task: its pinned CPUs, or cores_per_worker if it named none
    cores: float


@dataclass(slots=True)
class ResourcePlacer:
    """Free CPUs, memory and GPUs of the node; which pending task runs next."""

    shape: NodeShape
    free_cpus: list[int] = field(default_factory=list)
    free_gpus: list[str] = field(default_factory=list)
    memory_used: float = 0.0
    held: dict[int, _Held] = field(default_factory=dict)
    #: pending tasks that declared resources (while none are, the pool batches as usual)
    declared_waiting: int = 0
    backfill: Backfill = field(default_factory=Backfill)

    def __post_init__(self) -> None:
        self.free_cpus = list(self.shape.cpus)
        self.free_gpus = list(self.shape.accelerators)

    def active(self) -> bool:
        """True while tasks that declared resources wait or hold some: place one by one."""
        return bool(self.held) or self.declared_waiting > 0

    def admit(self, task: Sequence[Any]) -> InvalidResourceSpecification | None:
        """Why this task can never run on this node, if it cannot; else count it as pending."""
        refused = self._refusal(demand(task) or {})
        if refused is None and demand(task) is not None:
            self.declared_waiting += 1
        return refused

    def _refusal(self, wanted: Mapping[str, float]) -> InvalidResourceSpecification | None:
        offer = self.shape.summary()
        too_big = sorted(k for k, v in wanted.items() if v > offer[k])
        if not too_big:
            return None
        asked = ", ".join(f"{k}={wanted[k]:g}" for k in too_big)
        has = ", ".join(f"{k}={offer[k]:g}" for k in too_big)
        return InvalidResourceSpecification(
            set(too_big), f"task asks {asked} but its node offers {has}"
        )

    def _fits(self, wanted: Mapping[str, float] | None, undeclared_busy: int) -> bool:
        shape, wanted = self.shape, wanted or {}
        pinned = wanted.get("cores", 0.0)
        cores = pinned or shape.default_cores
        memory = wanted.get("memory", shape.default_memory_mb if not wanted else 0.0)
        used = sum(h.cores for h in self.held.values()) + undeclared_busy * shape.default_cores
        memory_free = shape.memory_mb - self.memory_used
        memory_free -= undeclared_busy * shape.default_memory_mb
        return (
            used + cores <= len(shape.cpus) + 1e-9
            and pinned <= len(self.free_cpus)
            and memory <= memory_free + 1e-9
            and wanted.get("gpus", 0.0) <= len(self.free_gpus)
        )

    def take_next(
        self, pending: deque[list[Any]], undeclared_busy: int
    ) -> tuple[list[Any], dict[str, str]] | None:
        """Remove and return the first pending task that fits now, with its environment."""
        index = self.backfill.pick(pending, lambda t: self._fits(demand(t), undeclared_busy))
        if index is None:
            return None
        task = pending[index]
        del pending[index]
        wanted = demand(task)
        if wanted is None:
            return task, {}
        self.declared_waiting -= 1
        return task, self._hold(task[0], wanted)

    def _hold(self, task_id: int, wanted: Mapping[str, float]) -> dict[str, str]:
        cores, gpus = int(wanted.get("cores", 0)), int(wanted.get("gpus", 0))
        cpus, self.free_cpus = self.free_cpus[:cores], self.free_cpus[cores:]
        devices, self.free_gpus = self.free_gpus[:gpus], self.free_gpus[gpus:]
        memory = wanted.get("memory", 0.0)
        self.memory_used += memory
        self.held[task_id] = _Held(cpus, devices, memory, cores or self.shape.default_cores)
        env: dict[str, str] = {}
        if cpus:
            listed = ",".join(str(c) for c in cpus)
            env.update(
                OMP_NUM_THREADS=str(len(cpus)),
                GOMP_CPU_AFFINITY=listed,
                KMP_AFFINITY=f"explicit,proclist=[{listed}]",
            )
        if devices:
            env.update({name: ",".join(devices) for name in ACCELERATOR_VARIABLES})
            env["ZE_ENABLE_PCI_ID_DEVICE_ORDER"] = "1"
        return env

    def release(self, task_ids: Sequence[int]) -> None:
        """These tasks ended (or were lost): what they held is free again."""
        for task_id in task_ids:
            held = self.held.pop(task_id, None)
            if held is not None:
                self.free_cpus = sorted(self.free_cpus + held.cpus)
                self.free_gpus += held.gpus
                self.memory_used -= held.memory
