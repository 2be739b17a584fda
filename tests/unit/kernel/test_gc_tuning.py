"""The kernel widens the collector's young generation while it runs, and only then."""

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

import conveyor
from conveyor import Config, ThreadPoolExecutor
from conveyor.kernel.gc_tuning import DEFAULT_YOUNG_THRESHOLD, YOUNG_THRESHOLD


@pytest.fixture(autouse=True)
def thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(DEFAULT_YOUNG_THRESHOLD, *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def _load(tmp_path: Path) -> conveyor.DataFlowKernel:
    return conveyor.load(
        Config(executors=[ThreadPoolExecutor(max_threads=1)], run_dir=str(tmp_path))
    )


def test_widened_while_loaded_and_put_back_at_cleanup(tmp_path: Path) -> None:
    dfk = _load(tmp_path)
    try:
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    finally:
        dfk.cleanup()
        conveyor.clear()
    assert gc.get_threshold()[0] == DEFAULT_YOUNG_THRESHOLD


def test_a_programs_own_threshold_is_kept(tmp_path: Path) -> None:
    gc.set_threshold(1234, 10, 10)
    dfk = _load(tmp_path)
    assert gc.get_threshold() == (1234, 10, 10)
    dfk.cleanup()
    conveyor.clear()
    assert gc.get_threshold() == (1234, 10, 10)


def test_a_change_made_while_loaded_is_not_undone(tmp_path: Path) -> None:
    dfk = _load(tmp_path)
    gc.set_threshold(5000, 10, 10)
    dfk.cleanup()
    conveyor.clear()
    assert gc.get_threshold()[0] == 5000


def test_conveyor_gc_keep_leaves_it_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVEYOR_GC", "keep")
    dfk = _load(tmp_path)
    assert gc.get_threshold()[0] == DEFAULT_YOUNG_THRESHOLD
    dfk.cleanup()
    conveyor.clear()
