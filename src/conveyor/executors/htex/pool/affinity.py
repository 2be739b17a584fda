"""Pure assignment of CPUs and accelerators to the workers of one pool."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ACCELERATOR_VARIABLES", "cpus_for_worker", "worker_count", "worker_environment"]

#: environment variables naming visible accelerators, set per worker
ACCELERATOR_VARIABLES = ("CUDA_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "ZE_AFFINITY_MASK")


def worker_count(
    max_workers: int | None,
    cores: int,
    cores_per_worker: float,
    mem_gb: float | None,
    mem_per_worker: float | None,
    accelerators: Sequence[str],
) -> int:
    """Workers a node runs: limited by cores, memory, accelerators and the configured max."""
    limits = [max(int(cores // cores_per_worker), 1)]
    if max_workers:
        limits.append(max_workers)
    if mem_gb and mem_per_worker:
        limits.append(max(int(mem_gb // mem_per_worker), 1))
    if accelerators:
        limits.append(len(accelerators))
    return min(limits)


def cpus_for_worker(policy: str, rank: int, workers: int, cpus: Sequence[int]) -> list[int] | None:
    """CPUs worker ``rank`` is pinned to under ``policy`` (none / block / alternating / list:...)."""
    if policy == "none" or not cpus:
        return None
    if policy.startswith("list:"):
        groups = policy.removeprefix("list:").split(":")
        return [int(c) for c in groups[rank % len(groups)].split(",")]
    if policy == "alternating":
        return [c for i, c in enumerate(cpus) if i % workers == rank] or [cpus[rank % len(cpus)]]
    per = max(len(cpus) // workers, 1)
    if policy in ("block", "block-reverse"):
        ordered = list(cpus) if policy == "block" else list(reversed(cpus))
        return ordered[rank * per : (rank + 1) * per] or [ordered[rank % len(ordered)]]
    raise ValueError(f"unknown cpu_affinity {policy!r}")


def worker_environment(rank: int, accelerators: Sequence[str]) -> dict[str, str]:
    """Environment additions for worker ``rank``: its accelerator, if any."""
    if not accelerators:
        return {}
    device = accelerators[rank % len(accelerators)]
    return {name: device for name in ACCELERATOR_VARIABLES}
