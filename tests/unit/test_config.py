"""Config is checked when built, naming the bad field."""

import pytest

from conveyor import Config, ThreadPoolExecutor
from conveyor.elaborations.memoization import BasicMemoizer
from conveyor.errors import ConfigurationError


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"retries": -1}, "retries"),
        ({"retries": "3"}, "retries"),
        ({"exit_mode": "explode"}, "exit_mode"),
        ({"strategy": "fastest"}, "strategy"),
        ({"strategy_period": 0}, "strategy_period"),
        ({"retry_handler": 5}, "retry_handler"),
        ({"internal_tasks_max_threads": 0}, "internal_tasks_max_threads"),
        ({"executors": "threads"}, "executors"),
        ({"executors": [object()]}, "executors"),
        ({"memoizer": object()}, "memoizer"),
    ],
)
def test_bad_values_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigurationError, match=field):
        Config(**kwargs)  # type: ignore[arg-type]


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
