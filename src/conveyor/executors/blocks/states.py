"""Block states: the one table of how a block (one batch job) may move, and its writer.

    submit accepted -> PENDING <-> HELD
                       PENDING -> RUNNING -> (requeue) PENDING
     PENDING/HELD/RUNNING -> DRAINING (scale-in asked) -> SCALED_IN
     any live state -> COMPLETED | FAILED | CANCELLED | TIMEOUT | MISSING (the batch system said so)
    submit refused -> REJECTED

``advance`` is the only function that assigns ``Block.state``; it checks ``ALLOWED`` and
appends to the block's story. ``from_job`` says which block state a provider's JobState means.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from conveyor.errors import InternalError
from conveyor.providers.states import JobState

__all__ = ["ALLOWED", "AS_JOB", "ENDED", "LIVE", "Block", "BlockState", "advance", "from_job"]


class BlockState(Enum):
    """Where one block is in its life."""

    #: Accepted by the provider, waiting for nodes.
    PENDING = "pending"
    #: Held or suspended by the batch system.
    HELD = "held"
    #: Its job runs; its pools connect and take tasks.
    RUNNING = "running"
    #: Chosen for scale-in: its pools take no new task and exit when idle.
    DRAINING = "draining"
    #: Stopped by conveyor (scale-in or shutdown).
    SCALED_IN = "scaled_in"
    #: Its job ended by itself.
    COMPLETED = "completed"
    #: Its job failed (non-zero exit, node failure, ...).
    FAILED = "failed"
    #: Cancelled outside conveyor (e.g. scancel by a user or admin).
    CANCELLED = "cancelled"
    #: Killed at its time limit.
    TIMEOUT = "timeout"
    #: The batch system no longer knows its job.
    MISSING = "missing"
    #: The provider refused to start it (e.g. sbatch rejected the job).
    REJECTED = "rejected"


B = BlockState
#: states in which a block will never run (again)
ENDED = frozenset(
    {B.SCALED_IN, B.COMPLETED, B.FAILED, B.CANCELLED, B.TIMEOUT, B.MISSING, B.REJECTED}
)
#: states that count towards max_blocks and can take work (DRAINING counts, takes none)
LIVE = frozenset({B.PENDING, B.HELD, B.RUNNING})
_ENDINGS = ENDED - {B.REJECTED}
ALLOWED: dict[BlockState, frozenset[BlockState]] = {
    B.PENDING: frozenset({B.HELD, B.RUNNING, B.DRAINING}) | _ENDINGS,
    B.HELD: frozenset({B.PENDING, B.RUNNING, B.DRAINING}) | _ENDINGS,
    B.RUNNING: frozenset({B.PENDING, B.HELD, B.DRAINING}) | _ENDINGS,
    B.DRAINING: _ENDINGS,
    **{s: frozenset() for s in ENDED},
}

_FROM_JOB = {
    JobState.PENDING: B.PENDING,
    JobState.HELD: B.HELD,
    JobState.RUNNING: B.RUNNING,
    JobState.COMPLETED: B.COMPLETED,
    JobState.FAILED: B.FAILED,
    JobState.CANCELLED: B.CANCELLED,
    JobState.TIMEOUT: B.TIMEOUT,
    JobState.MISSING: B.MISSING,
    JobState.SCALED_IN: B.SCALED_IN,
}


#: what each block state looks like to Parsl-style callers of ``executor.status()``
AS_JOB = {
    B.PENDING: JobState.PENDING,
    B.HELD: JobState.HELD,
    B.RUNNING: JobState.RUNNING,
    B.DRAINING: JobState.RUNNING,
    B.SCALED_IN: JobState.SCALED_IN,
    B.COMPLETED: JobState.COMPLETED,
    B.FAILED: JobState.FAILED,
    B.CANCELLED: JobState.CANCELLED,
    B.TIMEOUT: JobState.TIMEOUT,
    B.MISSING: JobState.MISSING,
    B.REJECTED: JobState.FAILED,
}


@dataclass(slots=True)
class Block:
    """One block: its provider job id, state and story of (from, to, cause, time)."""

    block_id: str
    job_id: Any
    state: BlockState
    since: float = field(default_factory=time.monotonic)
    message: str = ""
    story: list[tuple[BlockState, BlockState, str, float]] = field(default_factory=list)

    @property
    def ended(self) -> bool:
        """True when the block will never run again."""
        return self.state in ENDED


def from_job(job: JobState, current: BlockState) -> BlockState | None:
    """The block state a provider-reported JobState means now; None = no change.

    A draining block stays DRAINING while its job lives and is SCALED_IN when it ends.
    """
    if job is JobState.UNKNOWN:
        return None
    if current is B.DRAINING:
        return B.SCALED_IN if job.terminal else None
    target = _FROM_JOB[job]
    return None if target is current else target


def advance(block: Block, to: BlockState, cause: str, now: float | None = None) -> None:
    """Move ``block`` to ``to``; InternalError if the table forbids the edge."""
    if to not in ALLOWED[block.state]:
        raise InternalError(
            f"block {block.block_id}: illegal transition {block.state.name} -> {to.name}"
        )
    when = time.monotonic() if now is None else now
    block.story.append((block.state, to, cause, when))
    block.state = to
    block.since = when
    if cause:
        block.message = cause
