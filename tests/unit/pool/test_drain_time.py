"""When a pool stops taking tasks: drain_period after start, or before its block's end."""

import math
import time

from conveyor.executors.htex.pool.deadline import DEADLINE_MARGIN, drain_time


def test_no_period_and_no_deadline_means_never() -> None:
    assert drain_time(0.0, None, now=100.0) == math.inf
    assert drain_time(0.0, "", now=100.0) == math.inf


def test_drain_period_counts_from_start() -> None:
    assert drain_time(30.0, None, now=100.0) == 130.0


def test_block_deadline_leaves_a_margin() -> None:
    an_hour = str(time.time() + 3600)
    when = drain_time(0.0, an_hour, now=0.0)
    assert 3600 - DEADLINE_MARGIN - 2 < when <= 3600 - DEADLINE_MARGIN
    # a short block keeps a tenth of its life as margin, not a whole minute
    short = drain_time(0.0, str(time.time() + 100), now=0.0)
    assert 88 < short <= 90


def test_the_earlier_of_period_and_deadline_wins_and_garbage_is_ignored() -> None:
    assert drain_time(10.0, str(time.time() + 3600), now=0.0) == 10.0
    assert drain_time(10.0, "not-a-number", now=0.0) == 10.0
    assert drain_time(0.0, str(time.time() - 5), now=50.0) <= 50.0
