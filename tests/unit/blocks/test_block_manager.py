"""BlockManager driven by a fake clock, an in-memory batch system and recording hooks."""

from collections.abc import Sequence
from typing import Any

import pytest

from conveyor.errors import InternalError, SubmitException
from conveyor.executors.blocks.api import BlockOptions, ExecutorLoad
from conveyor.executors.blocks.manager import BlockManager
from conveyor.executors.blocks.states import ALLOWED, Block, BlockState, advance, from_job
from conveyor.providers.base import ExecutionProvider
from conveyor.providers.states import JobState, JobStatus


class MemoryBatch(ExecutionProvider):
    """A batch system in a dict: jobs start PENDING; tests move them like a scheduler would."""

    def __init__(self, init: int = 1, min_blocks: int = 0, max_blocks: int = 2) -> None:
        self.init_blocks, self.min_blocks, self.max_blocks = init, min_blocks, max_blocks
        self.jobs: dict[str, JobState] = {}
        self.refuse: str | None = None
        self.cancelled: list[str] = []

    def submit(self, command: str, tasks_per_node: int, job_name: str = "x") -> str:
        if self.refuse:
            raise SubmitException(job_name, self.refuse)
        job = f"job{len(self.jobs)}"
        self.jobs[job] = JobState.PENDING
        return job

    def status(self, job_ids: Sequence[Any]) -> list[JobStatus]:
        return [JobStatus(self.jobs[j]) for j in job_ids]

    def cancel(self, job_ids: Sequence[Any]) -> list[bool]:
        for j in job_ids:
            self.cancelled.append(j)
            self.jobs[j] = JobState.CANCELLED
        return [True] * len(job_ids)

    def run_all(self) -> None:
        for j, s in self.jobs.items():
            if s is JobState.PENDING:
                self.jobs[j] = JobState.RUNNING


class Hooks:
    """What the executor would do, recorded."""

    def __init__(self) -> None:
        self.outstanding = 0
        self.workers: dict[str, int] = {}
        self.idle: dict[str, float] = {}
        self.drained: list[str] = []
        self.failed: list[tuple[str, str]] = []
        self.broken: str | None = None
        #: blocks whose pools ever registered (the interchange's history)
        self.ever: set[str] = set()
        self.starting: list[list[str]] = []

    def load(self) -> ExecutorLoad:
        self.ever |= {b for b, n in self.workers.items() if n}
        return ExecutorLoad(
            self.outstanding, 2, dict(self.workers), dict(self.idle), frozenset(self.ever)
        )

    def drain_blocks(self, block_ids: list[str]) -> None:
        self.drained += block_ids

    def block_failed(self, block_id: str, message: str) -> None:
        self.failed.append((block_id, message))

    def set_broken(self, message: str) -> None:
        self.broken = message

    def blocks_starting(self, block_ids: list[str]) -> None:
        self.starting.append(block_ids)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(
    provider: MemoryBatch, strategy: str = "htex_auto_scale", **kw: Any
) -> tuple[BlockManager, Hooks, Clock]:
    hooks, clock = Hooks(), Clock()
    options = BlockOptions(strategy=strategy, strategy_period=1, max_idletime=10, **kw)
    manager = BlockManager(
        provider, hooks, lambda b: f"pool {b}", label="t", options=options, clock=clock
    )
    manager.scale_out(provider.init_blocks)
    return manager, hooks, clock


def test_blocks_follow_the_batch_system_and_an_outside_cancel_is_reported() -> None:
    batch = MemoryBatch(init=2, min_blocks=2, max_blocks=3)
    manager, hooks, _ = make(batch)
    assert manager.block_states() == {"0": BlockState.PENDING, "1": BlockState.PENDING}
    batch.run_all()
    manager.refresh()
    assert set(manager.block_states().values()) == {BlockState.RUNNING}
    hooks.workers = {"0": 2, "1": 2}
    manager.poll()  # their pools registered
    hooks.workers = {"1": 2}
    batch.jobs["job0"] = JobState.CANCELLED  # scancel by someone else
    hooks.outstanding = 1
    manager.poll()
    assert hooks.failed == [("0", "CANCELLED")]
    states = manager.block_states()
    assert states["0"] is BlockState.CANCELLED and states["2"] is BlockState.PENDING
    assert [s for s, *_ in manager.blocks["0"].story] == [BlockState.PENDING, BlockState.RUNNING]


def test_scale_out_under_load_then_drain_and_cancel_when_idle() -> None:
    batch = MemoryBatch(init=0, max_blocks=2)
    manager, hooks, clock = make(batch)
    hooks.outstanding = 10
    manager.poll()
    assert len(manager.blocks) == 2
    batch.run_all()
    hooks.workers = {"0": 2, "1": 2}
    hooks.outstanding = 0
    hooks.idle = {"0": 0.0, "1": 0.0}
    manager.poll()
    assert hooks.drained == []
    clock.now += 11
    hooks.idle = {"0": 11.0, "1": 11.0}
    manager.poll()
    assert sorted(hooks.drained) == ["0", "1"]
    assert set(manager.block_states().values()) == {BlockState.DRAINING}
    assert batch.cancelled == []  # pools still connected: wait for them to finish
    hooks.workers = {}
    manager.poll()
    assert sorted(batch.cancelled) == ["job0", "job1"]
    assert set(manager.block_states().values()) == {BlockState.SCALED_IN}
    assert hooks.failed == []


def test_a_draining_block_that_never_empties_is_cancelled_after_drain_timeout() -> None:
    batch = MemoryBatch(init=1)
    manager, hooks, clock = make(batch, drain_timeout=30)
    batch.run_all()
    hooks.workers = {"0": 2}
    manager.refresh()
    manager.scale_in(["0"], hooks.load())
    clock.now += 29
    manager.poll()
    assert batch.cancelled == []
    clock.now += 2
    manager.poll()
    assert batch.cancelled == ["job0"]
    assert manager.block_states()["0"] is BlockState.SCALED_IN


def test_a_block_without_a_pool_is_cancelled_at_once_on_scale_in() -> None:
    batch = MemoryBatch(init=1)
    manager, hooks, _ = make(batch)
    manager.scale_in(["0"], hooks.load())
    assert batch.cancelled == ["job0"]


def test_consecutive_refusals_break_the_executor_once() -> None:
    batch = MemoryBatch(init=0, max_blocks=5)
    batch.refuse = "sbatch: error: Node count specification invalid"
    manager, hooks, _ = make(batch)
    hooks.outstanding = 100
    for _ in range(5):
        manager.poll()
    states = manager.block_states()
    # no pool ever registered: the first refusal breaks it (Parsl: max(1, init_blocks))
    assert list(states.values()) == [BlockState.REJECTED]
    assert hooks.broken is not None and "Node count specification invalid" in hooks.broken
    assert manager.statistics().failures == 1


def test_before_any_pool_registers_init_blocks_failures_break_it() -> None:
    batch = MemoryBatch(init=3, max_blocks=5)
    manager, hooks, _ = make(batch)
    batch.jobs["job0"] = JobState.FAILED
    batch.jobs["job1"] = JobState.COMPLETED  # exit 0, but its pool never registered
    manager.poll()
    assert hooks.broken is None
    assert manager.block_states()["1"] is BlockState.MISSING
    message = manager.job_statuses()["1"].message
    assert "before any of its pools registered" in message and "EXIT CODE" not in message
    batch.jobs["job2"] = JobState.FAILED
    manager.poll()
    assert hooks.broken is not None and "3 blocks in a row failed" in hooks.broken


def test_blocks_that_keep_failing_after_acceptance_break_the_executor() -> None:
    batch = MemoryBatch(init=1, min_blocks=1, max_blocks=1)
    manager, hooks, _ = make(batch)
    hooks.workers = {"0": 2}
    manager.poll()  # a pool registered once: from now on 3 failures in a row break it
    hooks.workers = {}
    for _ in range(5):
        for job in batch.jobs:
            batch.jobs[job] = JobState.FAILED  # e.g. the pool cannot start on the node
        manager.poll()
    assert hooks.broken is not None and "3 blocks in a row failed" in hooks.broken
    assert len(batch.jobs) == 3, "kept resubmitting after the executor broke"


def test_a_connected_pool_resets_the_failure_count() -> None:
    batch = MemoryBatch(init=1, min_blocks=1, max_blocks=1)
    manager, hooks, _ = make(batch)
    hooks.workers = {"0": 2}
    manager.poll()
    for round_ in range(6):
        for job in batch.jobs:
            batch.jobs[job] = JobState.FAILED
        hooks.workers = {str(round_): 2} if round_ % 2 else {}
        manager.poll()
    assert hooks.broken is None


def test_strategy_none_keeps_min_blocks_only() -> None:
    batch = MemoryBatch(init=1, min_blocks=1, max_blocks=4)
    manager, hooks, _ = make(batch, strategy="none")
    hooks.outstanding = 100
    hooks.workers = {"0": 2}
    manager.poll()
    assert len(manager.blocks) == 1
    hooks.workers = {}
    batch.jobs["job0"] = JobState.FAILED
    manager.poll()
    assert len(manager.blocks) == 2 and hooks.failed == [("0", "FAILED")]


def test_shutdown_cancels_live_blocks_and_waits_until_they_end() -> None:
    batch = MemoryBatch(init=2)
    manager, _, _ = make(batch)
    manager.shutdown()
    assert sorted(batch.cancelled) == ["job0", "job1"]
    assert set(manager.block_states().values()) == {BlockState.SCALED_IN}
    manager.shutdown()  # idempotent
    assert len(batch.cancelled) == 2


@pytest.mark.parametrize("start", list(BlockState))
@pytest.mark.parametrize("end", list(BlockState))
def test_every_block_transition_obeys_the_table(start: BlockState, end: BlockState) -> None:
    block = Block("b", None, start, 0.0)
    if end in ALLOWED[start]:
        advance(block, end, "test", 1.0)
        assert block.state is end and block.story == [(start, end, "test", 1.0)]
    else:
        with pytest.raises(InternalError, match="illegal transition"):
            advance(block, end, "test", 1.0)
        assert block.state is start and block.story == []


def test_job_states_become_block_states() -> None:
    assert from_job(JobState.RUNNING, BlockState.PENDING) is BlockState.RUNNING
    assert from_job(JobState.RUNNING, BlockState.RUNNING) is None
    assert from_job(JobState.UNKNOWN, BlockState.RUNNING) is None
    assert from_job(JobState.RUNNING, BlockState.DRAINING) is None
    assert from_job(JobState.COMPLETED, BlockState.DRAINING) is BlockState.SCALED_IN
    assert from_job(JobState.TIMEOUT, BlockState.RUNNING) is BlockState.TIMEOUT
    assert from_job(JobState.MISSING, BlockState.PENDING) is BlockState.MISSING


def test_all_init_blocks_start_even_beyond_max_blocks_as_in_parsl() -> None:
    batch = MemoryBatch(init=3, min_blocks=0, max_blocks=0)
    hooks = Hooks()
    options = BlockOptions(strategy="none", strategy_period=3600, max_idletime=10)
    manager = BlockManager(batch, hooks, lambda b: f"pool {b}", label="t", options=options)
    manager.start()
    try:
        assert sorted(manager.block_states()) == ["0", "1", "2"]
        assert manager.scale_out(1) == [], "later scale-outs keep to max_blocks"
    finally:
        manager.shutdown()
    assert sorted(batch.cancelled) == ["job0", "job1", "job2"]


def test_running_blocks_without_a_registered_pool_are_reported_on_change() -> None:
    batch = MemoryBatch(init=2, max_blocks=2)
    manager, hooks, _ = make(batch, strategy="none")
    manager.poll()
    assert hooks.starting == [], "pending blocks are not starting yet"
    batch.run_all()
    manager.poll()
    manager.poll()
    assert hooks.starting == [["0", "1"]], "reported once, not every poll"
    hooks.workers = {"0": 2}
    manager.poll()
    assert hooks.starting[-1] == ["1"]


def test_a_block_whose_pool_registered_unseen_does_not_break_the_executor_when_it_fails() -> None:
    batch = MemoryBatch(init=1, max_blocks=1)
    manager, hooks, _ = make(batch, strategy="none")
    batch.run_all()
    manager.refresh()
    hooks.ever = {"0"}  # its pool registered and ran tasks between two polls
    batch.jobs["job0"] = JobState.FAILED  # then the pool died with the job
    manager.refresh()
    assert hooks.failed and hooks.failed[0][0] == "0", "its tasks are reported lost"
    assert hooks.broken is None, "one block lost after serving is not a broken provider"
