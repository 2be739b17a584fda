"""The scaling decision, as a pure function of snapshots (no clock, no provider)."""

import pytest

from conveyor.errors import ConfigurationError
from conveyor.executors.blocks.states import BlockState
from conveyor.executors.blocks.strategy import (
    BlockView,
    Decision,
    Limits,
    Snapshot,
    check_strategy,
    decide,
    wanted_blocks,
)

R, P, D = BlockState.RUNNING, BlockState.PENDING, BlockState.DRAINING
LIMITS = Limits(min_blocks=0, max_blocks=4, parallelism=1.0, max_idletime=10.0)


def snap(outstanding: int, *blocks: BlockView, idle_for: float = 0.0) -> Snapshot:
    return Snapshot(outstanding, slots_per_block=4, blocks=blocks, idle_for=idle_for)


def running(block_id: str, idle_for: float | None = 0.0, workers: int = 4) -> BlockView:
    return BlockView(block_id, R, workers, idle_for)


@pytest.mark.parametrize("strategy", ["simple", "htex_auto_scale"])
def test_scales_out_to_fit_the_load_within_max_blocks(strategy: str) -> None:
    assert decide(strategy, snap(5), LIMITS) == Decision(scale_out=2)
    assert decide(strategy, snap(100), LIMITS) == Decision(scale_out=4)
    assert decide(strategy, snap(100, running("0"), running("1")), LIMITS) == Decision(scale_out=2)
    assert decide(strategy, snap(8, running("0"), BlockView("1", P)), LIMITS) == Decision()


def test_draining_blocks_count_against_max_blocks() -> None:
    blocks = (running("0"), BlockView("1", D, 4, 0.0), BlockView("2", D, 4, 0.0))
    assert decide("simple", snap(100, *blocks), LIMITS) == Decision(scale_out=1)


def test_parallelism_scales_the_wanted_blocks() -> None:
    half = Limits(0, 10, 0.5, 10.0)
    assert wanted_blocks(snap(16), half) == 2
    assert wanted_blocks(snap(1), half) == 1
    assert wanted_blocks(snap(0), half) == 0
    assert wanted_blocks(snap(0), Limits(2, 10, 0.5, 10.0)) == 2
    assert wanted_blocks(snap(50), Limits(0, 10, 0.01, 10.0)) == 1


@pytest.mark.parametrize("strategy", ["simple", "htex_auto_scale"])
def test_parallelism_zero_starts_one_block_when_tasks_wait_without_slots(strategy: str) -> None:
    zero = Limits(min_blocks=0, max_blocks=4, parallelism=0.0, max_idletime=10.0)
    assert wanted_blocks(snap(50), zero) == 1
    assert decide(strategy, snap(50), zero) == Decision(scale_out=1)
    # one block is live (pending or running): nothing more, and it is not scaled in
    assert decide(strategy, snap(50, BlockView("0", P)), zero) == Decision()
    assert decide(strategy, snap(50, running("0", 30.0)), zero) == Decision()
    assert decide(strategy, snap(0), zero) == Decision()
    assert decide(strategy, snap(5), Limits(0, 0, 0.0, 10.0)) == Decision()


def test_none_only_restores_min_blocks() -> None:
    limits = Limits(min_blocks=2, max_blocks=4)
    assert decide("none", snap(100), limits) == Decision(scale_out=2)
    assert decide("none", snap(100, running("0"), running("1")), limits) == Decision()
    assert decide("none", snap(0, running("0"), running("1"), idle_for=1e9), limits) == Decision()


def test_simple_scales_in_everything_above_min_only_after_max_idletime() -> None:
    blocks = (running("0", 50.0), running("1", 50.0), running("2", 50.0))
    limits = Limits(min_blocks=1, max_blocks=4, max_idletime=10.0)
    assert decide("simple", snap(0, *blocks, idle_for=5.0), limits) == Decision()
    chosen = decide("simple", snap(0, *blocks, idle_for=11.0), limits).scale_in
    assert len(chosen) == 2
    assert decide("simple", snap(1, *blocks, idle_for=11.0), limits).scale_in == ()


def test_auto_scale_takes_only_blocks_idle_long_enough_and_keeps_what_is_needed() -> None:
    blocks = (running("0", 0.0), running("1", 30.0), running("2", 3.0))
    got = decide("htex_auto_scale", snap(2, *blocks), LIMITS)
    assert got == Decision(scale_in=("1",))
    # a busy executor still needs one block for its 2 tasks, idle blocks beyond that go
    blocks = (running("0", 30.0), running("1", 40.0), running("2", 50.0))
    assert set(decide("htex_auto_scale", snap(2, *blocks), LIMITS).scale_in) == {"1", "2"}


def test_auto_scale_drops_poolless_pending_blocks_first_when_idle() -> None:
    blocks = (running("0", 30.0), BlockView("1", P))
    got = decide("htex_auto_scale", snap(0, *blocks, idle_for=20.0), LIMITS)
    assert got.scale_in == ("1", "0")
    assert decide("htex_auto_scale", snap(0, *blocks, idle_for=2.0), LIMITS).scale_in == ("0",)


def test_scale_in_never_goes_below_min_blocks() -> None:
    limits = Limits(min_blocks=2, max_blocks=4, max_idletime=1.0)
    blocks = (running("0", 99.0), running("1", 99.0))
    for strategy in ("simple", "htex_auto_scale"):
        assert decide(strategy, snap(0, *blocks, idle_for=99.0), limits) == Decision()


def test_unknown_strategy_is_a_configuration_error() -> None:
    assert check_strategy(None) == "none"
    assert check_strategy("htex_auto_scale") == "htex_auto_scale"
    with pytest.raises(ConfigurationError, match="strategy"):
        check_strategy("greedy")
