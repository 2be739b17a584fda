"""Dependencies resolved next to their data: tasks sent to a real HTEX with references.

A task whose unfinished dependencies all run on the same HTEX goes to the interchange at
once; the interchange starts it when they finish and hands it their results. These
tests check the values, the failures, and the fallback when the interchange no longer
holds a dependency's result.
"""

from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

import conveyor
from conveyor import Config, python_app
from conveyor.errors import DependencyError, RemoteDependencyFailed
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.futures import AppFuture
from conveyor.providers.local import LocalProvider


@python_app
def inc(x: int) -> int:
    return x + 1


@python_app
def total(*xs: int, inputs: tuple[int, ...] = ()) -> int:
    return sum(xs) + sum(inputs)


@python_app
def wait_for(path: str) -> int:
    import os
    import time

    while not os.path.exists(path):
        time.sleep(0.02)
    return 1


@python_app
def fail(x: int) -> int:
    raise ValueError(f"refused {x}")


def causes(fut: AppFuture) -> list[str]:
    return [cause for _, _, cause, _ in fut.story()]


@pytest.fixture
def kernel(tmp_path: Path) -> Any:
    htex = HighThroughputExecutor(
        label="htex",
        max_workers_per_node=2,
        encrypted=False,
        provider=LocalProvider(init_blocks=1, max_blocks=1),
    )
    dfk = conveyor.load(Config(executors=[htex], run_dir=str(tmp_path), strategy=None))
    try:
        yield dfk
    finally:
        conveyor.clear()


def test_a_chain_and_a_fan_in_wait_in_the_interchange(kernel: Any, tmp_path: Path) -> None:
    gate = str(tmp_path / "gate")
    first = wait_for(gate)  # nothing after it can start before the gate opens
    f = inc(first)
    chain = [f]
    for _ in range(200):
        f = inc(f)
        chain.append(f)
    fan = total(*[inc(i) for i in range(50)], inputs=(inc(first), 10))
    assert not f.done()
    Path(gate).touch()
    assert f.result(timeout=120) == 202
    assert fan.result(timeout=120) == sum(range(1, 51)) + 2 + 10
    assert all("DepsReferenced" in causes(c) for c in chain)
    assert "DepsReferenced" in causes(fan)


def test_a_failed_dependency_fails_its_dependents_as_on_the_ordinary_path(
    kernel: Any, tmp_path: Path
) -> None:
    gate = str(tmp_path / "gate")
    broken = fail(wait_for(gate))
    child = inc(broken)
    grandchild = inc(child)
    Path(gate).touch()
    assert isinstance(broken.exception(timeout=60), ValueError)
    error = child.exception(timeout=60)
    assert isinstance(error, DependencyError) and f"task {broken.tid}" in str(error)
    assert isinstance(grandchild.exception(timeout=60), DependencyError)
    assert causes(child)[-2:] == ["DepsReferenceRefused", "DependencyFailed"]
    assert child.task_status() == "dep_fail" and grandchild.task_status() == "dep_fail"


def test_an_executor_without_the_dependency_answers_missing(tmp_path: Path) -> None:
    htex = HighThroughputExecutor(
        label="htex", encrypted=False, provider=LocalProvider(init_blocks=1, max_blocks=1)
    )
    htex.run_dir = str(tmp_path)
    htex.start()
    try:
        outcomes: list[Future[Any]] = [Future(), Future()]

        def sink(i: int) -> Any:
            return lambda ok, value: outcomes[i].set_result((ok, value))

        ref = htex.submit_outcome(sink(0), abs, {}, (-3,), {})
        assert outcomes[0].result(timeout=60) == (True, 3)
        gone = AppFuture(0)
        gone.executor_ref = ref  # its result went by before this reference arrived
        htex.submit_outcome(sink(1), abs, {}, (gone,), {}, refs=True)
        ok, value = outcomes[1].result(timeout=60)
        assert not ok and isinstance(value, RemoteDependencyFailed) and value.missing
    finally:
        htex.shutdown()
