"""Config is checked when built, naming the bad field."""

from pathlib import Path

import pytest

from conveyor import Config, ThreadPoolExecutor
from conveyor.config import TypeCheckError
from conveyor.elaborations.memoization import BasicMemoizer
from conveyor.errors import ConfigurationError


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"retries": -1}, "retries"),
        ({"strategy": "fastest"}, "strategy"),
        ({"strategy_period": 0}, "strategy_period"),
        ({"max_idletime": -1.0}, "max_idletime"),
        ({"internal_tasks_max_threads": 0}, "internal_tasks_max_threads"),
        ({"usage_tracking": 4}, "usage_tracking"),
        ({"usage_tracking": -1}, "usage_tracking"),
    ],
)
def test_values_of_the_right_type_out_of_range_are_configuration_errors(
    kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ConfigurationError, match=field) as caught:
        Config(**kwargs)  # type: ignore[arg-type]
    assert not isinstance(caught.value, TypeError)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"retries": "3"}, "retries"),
        ({"retries": 1.5}, "retries"),
        ({"exit_mode": "explode"}, "exit_mode"),
        ({"exit_mode": 1}, "exit_mode"),
        ({"strategy": 5}, "strategy"),
        ({"strategy_period": "5"}, "strategy_period"),
        ({"max_idletime": None}, "max_idletime"),
        ({"retry_handler": 5}, "retry_handler"),
        ({"std_autopath": "path"}, "std_autopath"),
        ({"internal_tasks_max_threads": "ten"}, "internal_tasks_max_threads"),
        ({"garbage_collect": "yes"}, "garbage_collect"),
        ({"run_dir": 7}, "run_dir"),
        ({"executors": "threads"}, "executors"),
        ({"executors": 3}, "executors"),
        ({"executors": [object()]}, "executors"),
        ({"memoizer": object()}, "memoizer"),
        ({"initialize_logging": "yes"}, "initialize_logging"),
        ({"usage_tracking": "abcd"}, "usage_tracking"),
        ({"usage_tracking": None}, "usage_tracking"),
        ({"usage_tracking": 1.0}, "usage_tracking"),
        ({"project_name": 1}, "project_name"),
        ({"project_name": True}, "project_name"),
    ],
)
def test_wrong_types_are_type_errors_naming_the_field(
    kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(TypeError, match=f"Config.{field}") as caught:
        Config(**kwargs)  # type: ignore[arg-type]
    # also a ConfigurationError, so one except clause catches every config problem
    assert isinstance(caught.value, TypeCheckError) and isinstance(caught.value, ConfigurationError)


@pytest.mark.parametrize("level", [0, 1, 2, 3, False, True])
def test_usage_tracking_levels_and_bools_are_accepted_as_given(level: int) -> None:
    assert Config(usage_tracking=level).usage_tracking == level


def test_executors_reads_back_as_the_executors_used_and_run_dir_may_be_a_path() -> None:
    config = Config(executors=[])
    assert [e.label for e in config.executors] == ["threads"]  # type: ignore[union-attr]
    assert Config(run_dir=Path("some/dir")).run_dir == "some/dir"


def test_unknown_keyword_is_type_error() -> None:
    with pytest.raises(TypeError, match="no_such_option"):
        Config(no_such_option=1)  # type: ignore[call-arg]


def test_duplicate_labels_rejected() -> None:
    with pytest.raises(ConfigurationError, match="duplicate"):
        Config(executors=[ThreadPoolExecutor(label="x"), ThreadPoolExecutor(label="x")])


def test_defaults_and_legacy_checkpoint_keywords() -> None:
    assert [e.label for e in Config().executors_tuple] == ["threads"]
    cfg = Config(app_cache=True, checkpoint_mode="task_exit")
    assert isinstance(cfg.memoizer, BasicMemoizer) and cfg.memoizer.checkpoint_mode == "task_exit"
    with pytest.raises(ConfigurationError, match="checkpoint_mode"):
        Config(checkpoint_mode="sometimes")
