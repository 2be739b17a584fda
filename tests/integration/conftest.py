"""Fixtures for end-to-end tests: each test owns its kernel, on each executor kind."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import conveyor
from conveyor import Config
from conveyor.executors.threads import ThreadPoolExecutor

ConfigFactory = Callable[..., Config]


def _threads(run_dir: Path, **kw: object) -> Config:
    return Config(
        executors=[ThreadPoolExecutor(label="threads", max_threads=4)], run_dir=str(run_dir), **kw
    )  # type: ignore[arg-type]


def _htex(run_dir: Path, **kw: object) -> Config:
    htex = pytest.importorskip("conveyor.executors.htex.executor", reason="HTEX not built yet")
    local = pytest.importorskip("conveyor.providers.local", reason="LocalProvider not built yet")
    executor = htex.HighThroughputExecutor(
        label="htex",
        max_workers_per_node=2,
        heartbeat_period=1,
        heartbeat_threshold=5,
        encrypted=False,
        provider=local.LocalProvider(init_blocks=1, max_blocks=1),
    )
    return Config(executors=[executor], run_dir=str(run_dir), strategy=None, **kw)  # type: ignore[arg-type]


EXECUTOR_KINDS: dict[str, Callable[..., Config]] = {"threads": _threads, "htex": _htex}


@pytest.fixture(params=list(EXECUTOR_KINDS))
def make_config(request: pytest.FixtureRequest, tmp_path: Path) -> ConfigFactory:
    """A factory of Configs (extra Config keywords allowed) for each executor kind."""
    factory = EXECUTOR_KINDS[request.param]
    return lambda **kw: factory(tmp_path / "runinfo", **kw)


@pytest.fixture
def loaded(make_config: ConfigFactory) -> Iterator[object]:
    """A loaded kernel with default options, cleaned up after the test."""
    dfk = conveyor.load(make_config())
    try:
        yield dfk
    finally:
        conveyor.clear()
