"""Scaling strategies as one pure decision over a snapshot: no clock, no I/O, no threads.

    poller -> Snapshot(outstanding tasks, blocks with workers and idle time) + Limits
           -> decide(strategy, snapshot, limits) -> Decision(scale_out=n, scale_in=[ids])

Strategies (Parsl's names):
- ``none``: never scales after the initial blocks (the poller only reports failures);
- ``simple``: grows to fit the outstanding tasks; shrinks to ``min_blocks`` once the whole
  executor has had no task for ``max_idletime``;
- ``htex_auto_scale``: grows like ``simple``; shrinks block by block, taking blocks whose
  own workers have been idle for ``max_idletime`` while there are more blocks than needed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from conveyor.errors import ConfigurationError
from conveyor.executors.blocks.states import LIVE, BlockState

__all__ = [
    "STRATEGIES",
    "BlockView",
    "Decision",
    "Limits",
    "Snapshot",
    "check_strategy",
    "decide",
    "pick_for_scale_in",
]

STRATEGIES = ("none", "simple", "htex_auto_scale")


@dataclass(frozen=True, slots=True)
class BlockView:
    """One block as the strategy sees it."""

    block_id: str
    state: BlockState
    #: connected workers of the block's pools
    workers: int = 0
    #: seconds all its workers have been idle; None when it has no pool connected
    idle_for: float | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The executor's load at one instant."""

    outstanding: int
    #: worker slots one block offers once its pools are up
    slots_per_block: int
    blocks: Sequence[BlockView]
    #: seconds since the executor last had an outstanding task (0 while busy)
    idle_for: float = 0.0


@dataclass(frozen=True, slots=True)
class Limits:
    """The provider's block limits and Config's idle time."""

    min_blocks: int = 0
    max_blocks: int = 1
    parallelism: float = 1.0
    max_idletime: float = 120.0


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do now: start ``scale_out`` blocks, drain and stop ``scale_in``."""

    scale_out: int = 0
    scale_in: tuple[str, ...] = ()


def check_strategy(strategy: str | None) -> str:
    """Normalise a Config strategy (None means ``none``); ConfigurationError if unknown."""
    name = "none" if strategy is None else strategy
    if name not in STRATEGIES:
        raise ConfigurationError(f"strategy must be one of {STRATEGIES} or None, got {strategy!r}")
    return name


def wanted_blocks(snap: Snapshot, limits: Limits) -> int:
    """Blocks needed for the outstanding tasks, within [min_blocks, max_blocks].

    Waiting tasks always want at least one block, whatever the parallelism (Parsl starts a
    single block when tasks wait and no slot exists, also with ``parallelism=0``).
    """
    wanted = 0
    if snap.outstanding > 0:
        share = snap.outstanding * limits.parallelism / max(snap.slots_per_block, 1)
        wanted = max(math.ceil(share), 1)
    return min(max(wanted, limits.min_blocks), limits.max_blocks)


def decide(strategy: str, snap: Snapshot, limits: Limits) -> Decision:
    """The scaling decision for ``strategy`` on this snapshot."""
    live = [b for b in snap.blocks if b.state in LIVE]
    draining = sum(1 for b in snap.blocks if b.state is BlockState.DRAINING)
    room = max(limits.max_blocks - len(live) - draining, 0)
    below_min = max(limits.min_blocks - len(live), 0)
    if strategy == "none":
        return Decision(scale_out=min(below_min, room))
    wanted = wanted_blocks(snap, limits)
    if wanted > len(live):
        return Decision(scale_out=min(wanted - len(live), room))
    spare = len(live) - max(wanted, limits.min_blocks)
    if spare <= 0:
        return Decision()
    if strategy == "simple":
        if snap.outstanding == 0 and snap.idle_for >= limits.max_idletime:
            return Decision(scale_in=pick_for_scale_in(live, spare, snap.idle_for))
        return Decision()
    idle = [b for b in live if _idle_for(b, snap) >= limits.max_idletime]
    return Decision(scale_in=pick_for_scale_in(idle, spare, snap.idle_for))


def _idle_for(block: BlockView, snap: Snapshot) -> float:
    """A block without a pool is as idle as the executor; with one, as its workers."""
    return snap.idle_for if block.idle_for is None else block.idle_for


def pick_for_scale_in(blocks: Sequence[BlockView], n: int, executor_idle: float) -> tuple[str, ...]:
    """Up to ``n`` blocks: those without pools first, then the longest idle, newest first."""
    ranked = sorted(
        blocks,
        key=lambda b: (
            b.workers > 0,
            -(executor_idle if b.idle_for is None else b.idle_for),
            -_number(b.block_id),
        ),
    )
    return tuple(b.block_id for b in ranked[:n])


def _number(block_id: str) -> int:
    return int(block_id) if block_id.isdigit() else 0
