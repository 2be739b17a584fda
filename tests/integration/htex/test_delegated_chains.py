"""Dependent tasks handed over inside the pool: a real HTEX, real interchange and pools.

The interchange delegates a dependent to the pool running its dependencies; the pool
starts it when its own worker returns their results. Its statistics count delegations,
which is how these tests see that a chain went that way (never by its speed).
"""

from pathlib import Path
from typing import Any

import pytest
from htexkit import kill_pools, wait_until
from test_dependency_refs import causes, fail, inc, wait_for

import conveyor
from conveyor import Config, python_app
from conveyor.errors import DependencyError, ManagerLost, WorkerLost
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.futures import AppFuture
from conveyor.providers.local import LocalProvider


@python_app
def die(x: int) -> int:
    import os

    os._exit(7)


@python_app
def blob(x: int) -> bytes:
    return bytes(x) * (1 << 20)  # large enough to travel as an attached buffer


@python_app
def length(data: bytes) -> int:
    return len(data)


@pytest.fixture
def htex(tmp_path: Path) -> Any:
    ex = HighThroughputExecutor(
        label="htex",
        max_workers_per_node=2,
        encrypted=False,
        heartbeat_period=0.5,
        heartbeat_threshold=3,
        provider=LocalProvider(init_blocks=1, max_blocks=1),
    )
    conveyor.load(Config(executors=[ex], run_dir=str(tmp_path), strategy=None))
    try:
        yield ex
    finally:
        conveyor.clear()


def delegated(ex: HighThroughputExecutor) -> int:
    assert ex._client is not None
    return int(ex._client.statistics()["delegated"])


def delegated_at_least(ex: HighThroughputExecutor, count: int) -> None:
    """Wait until the interchange has delegated ``count`` tasks (before a gate opens)."""
    assert wait_until(lambda: delegated(ex) >= count, timeout=60), delegated(ex)


def chain_after(first: AppFuture, links: int) -> list[AppFuture]:
    futures = [inc(first)]
    for _ in range(links - 1):
        futures.append(inc(futures[-1]))
    return futures


def test_a_chain_of_200_runs_through_delegation(htex: Any, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    chain = chain_after(wait_for(str(gate)), 200)
    delegated_at_least(htex, 200)  # all held in the pool behind the gate
    assert not chain[-1].done()
    gate.touch()
    assert chain[-1].result(timeout=120) == 201
    assert [f.result() for f in chain] == list(range(2, 202))
    assert all("DepsReferenced" in causes(f) for f in chain)


@pytest.mark.parametrize(("breaker", "error"), [(fail, ValueError), (die, WorkerLost)])
def test_a_dependency_failing_in_the_pool_fails_the_rest_as_parsl_does(
    htex: Any, tmp_path: Path, breaker: Any, error: type[Exception]
) -> None:
    """An exception, or a worker that dies (os._exit) in the middle of a delegated chain."""
    gate = tmp_path / "gate"
    start = inc(wait_for(str(gate)))
    broken = breaker(start)
    rest = chain_after(broken, 3)
    delegated_at_least(htex, 5)
    gate.touch()
    assert start.result(timeout=60) == 2
    assert isinstance(broken.exception(timeout=60), error)
    errors = [f.exception(timeout=60) for f in rest]
    assert all(isinstance(e, DependencyError) for e in errors)
    for failure, dependency in zip(errors, [broken, *rest[:-1]], strict=True):
        assert f"task {dependency.tid}" in str(failure)
    assert [f.task_status() for f in rest] == ["dep_fail"] * 3
    after = chain_after(inc(0), 20)
    assert after[-1].result(timeout=60) == 21, "the pool goes on"


def test_a_pool_killed_while_holding_delegated_tasks_loses_them(htex: Any, tmp_path: Path) -> None:
    first = wait_for(str(tmp_path / "never"))
    chain = chain_after(first, 5)
    delegated_at_least(htex, 5)
    kill_pools(tmp_path)
    for f in [first, *chain]:
        assert isinstance(f.exception(timeout=60), ManagerLost), f.story()


def test_a_dependency_with_a_large_bytes_result_still_reaches_its_dependent(
    htex: Any, tmp_path: Path
) -> None:
    gate = tmp_path / "gate"
    big = blob(inc(wait_for(str(gate))))
    size = length(big)
    after = inc(size)
    delegated_at_least(htex, 4)  # the dependent of the large result is held in the pool
    gate.touch()
    assert size.result(timeout=60) == 2 << 20
    assert after.result(timeout=60) == (2 << 20) + 1
    assert "DepsReferenceRefused" in causes(size), "then given back to the kernel (missing)"
