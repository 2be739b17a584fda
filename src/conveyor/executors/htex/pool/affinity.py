"""Pure assignment of CPUs, accelerators and environment to the workers of one pool.

The variables are Parsl's: every worker sees ``PARSL_WORKER_RANK``, ``PARSL_WORKER_COUNT``,
``PARSL_WORKER_POOL_ID`` and ``PARSL_WORKER_BLOCK_ID``; a worker pinned to CPUs also sees
the OpenMP variables naming them; a worker given an accelerator sees it under the CUDA,
ROCm and Level Zero names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "ACCELERATOR_VARIABLES",
    "WorkerPlacement",
    "cpus_for_worker",
    "node_resources",
    "worker_count",
    "worker_environment",
]

#: environment variables naming visible accelerators, set per worker
ACCELERATOR_VARIABLES = ("CUDA_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "ZE_AFFINITY_MASK")


@dataclass(frozen=True, slots=True)
class WorkerPlacement:
    """Who one worker is within its pool, and what it is pinned to."""

    rank: int
    count: int
    pool_id: str
    block_id: str
    cpus: Sequence[int] | None = None
    accelerator: str | None = None


def node_resources(
    env: Mapping[str, str], cpus: int, mem_gb: float | None
) -> tuple[int, float | None]:
    """Cores and memory (GB) a pool may use: ``PARSL_CORES`` / ``PARSL_MEMORY_GB`` win."""
    cores = int(env["PARSL_CORES"]) if env.get("PARSL_CORES") else cpus
    memory = float(env["PARSL_MEMORY_GB"]) if env.get("PARSL_MEMORY_GB") else mem_gb
    return cores, memory


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


def _cpu_list(text: str) -> list[int]:
    """``"0,2-4"`` -> ``[0, 2, 3, 4]`` (Parsl's list syntax: single CPUs and ranges)."""
    out: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        out += range(int(first), int(last or first) + 1)
    return out


def cpus_for_worker(policy: str, rank: int, workers: int, cpus: Sequence[int]) -> list[int] | None:
    """CPUs worker ``rank`` is pinned to under ``policy`` (none / block / alternating / list:...)."""
    if policy == "none" or not cpus:
        return None
    if policy.startswith("list:"):
        groups = policy.removeprefix("list:").split(":")
        return _cpu_list(groups[rank % len(groups)])
    if policy == "alternating":
        return list(cpus[rank::workers]) or [cpus[rank % len(cpus)]]
    per = max(len(cpus) // workers, 1)
    if policy in ("block", "block-reverse"):
        # block-reverse gives the last worker the first CPUs; each range stays ascending
        slot = rank if policy == "block" else workers - rank - 1
        return list(cpus[slot * per : (slot + 1) * per]) or [cpus[slot % len(cpus)]]
    raise ValueError(f"unknown cpu_affinity {policy!r}")


def worker_environment(placement: WorkerPlacement) -> dict[str, str]:
    """Environment additions for one worker, as Parsl's workers set them."""
    env = {
        "PARSL_WORKER_RANK": str(placement.rank),
        "PARSL_WORKER_COUNT": str(placement.count),
        "PARSL_WORKER_POOL_ID": placement.pool_id,
        "PARSL_WORKER_BLOCK_ID": placement.block_id,
    }
    if placement.cpus:
        proc_list = ",".join(str(c) for c in placement.cpus)
        env["OMP_NUM_THREADS"] = str(len(placement.cpus))
        env["GOMP_CPU_AFFINITY"] = proc_list
        env["KMP_AFFINITY"] = f"explicit,proclist=[{proc_list}]"
    if placement.accelerator is not None:
        env.update({name: placement.accelerator for name in ACCELERATOR_VARIABLES})
        env["ZE_ENABLE_PCI_ID_DEVICE_ORDER"] = "1"
    return env
