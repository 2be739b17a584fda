"""parsl.executors.status_handling.BlockProviderExecutor tells block executors apart."""

from __future__ import annotations

import pytest

from conveyor.executors.block_provider import BlockProviderExecutor
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.executors.htex.mpi_executor import MPIExecutor
from conveyor.executors.threads import ThreadPoolExecutor


def test_htex_and_mpi_are_block_provider_executors() -> None:
    assert isinstance(HighThroughputExecutor(), BlockProviderExecutor)
    assert issubclass(MPIExecutor, BlockProviderExecutor)


def test_thread_pool_is_not() -> None:
    assert not isinstance(ThreadPoolExecutor(), BlockProviderExecutor)


def test_a_non_executor_with_the_methods_is_not() -> None:
    class Lookalike:
        provider = None

        def status(self) -> None: ...

        def scale_in(self) -> None: ...

        def scale_out_facade(self) -> None: ...

    assert not issubclass(Lookalike, BlockProviderExecutor)


def test_served_under_parsls_module_path() -> None:
    from conveyor.compat import MODULES, resolve

    target = MODULES["parsl.executors.status_handling"]["BlockProviderExecutor"]
    assert resolve(target) is BlockProviderExecutor


@pytest.mark.parametrize("name", ["provider", "status", "scale_in", "scale_out_facade"])
def test_each_block_method_is_needed(name: str) -> None:
    from conveyor.executors.base import Executor

    attrs = {n: None for n in ("provider", "status", "scale_in", "scale_out_facade") if n != name}
    partial = type("Partial", (Executor,), attrs)
    assert not issubclass(partial, BlockProviderExecutor)
