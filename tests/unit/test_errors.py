"""Every conveyor exception derives from ConveyorError, has a docstring and survives pickling."""

import inspect
import pickle
from typing import Any

import pytest

import conveyor.errors as errors

SAMPLES: dict[str, tuple[Any, ...]] = {
    "OptionalModuleMissing": (["x"], "why"),
    "InvalidTransition": (1, "PENDING", "FAILED", []),
    "BashExitFailure": ("app", 3),
    "BashAppNoReturn": ("why",),
    "MissingOutputs": ("why", ["f"]),
    "BadStdStreamFile": ("why",),
    "BadCheckpoint": ("why",),
    "PropagatedException": ([(ValueError("v"), "task 1")], 2),
    "DependencyError": ([(ValueError("v"), "task 1")], 2),
    "JoinError": ([(KeyError("k"), None)], 3),
    "ExecutorError": ("htex", "why"),
    "BadStateException": ("htex", "why"),
    "BlocksFailed": ("htex", "why"),
    "UnsupportedFeatureError": ("htex", "why"),
    "ScalingFailed": ("htex", "why"),
    "InvalidResourceSpecification": ({"cores"}, "bad"),
    "ManagerLost": (b"id", "host"),
    "WorkerLost": (3, "host"),
    "VersionMismatch": ("1", "2"),
    "SerializationError": ("fn",),
    "DeserializationError": ("why",),
    "ScaleOutFailed": ("local", "why"),
    "SubmitException": ("job", "why", "out", "err", 1),
    "BadLauncher": (object,),
    "ZipAuthorityError": ("zip://x/y",),
    "StagingError": ("http://x/y", "why"),
}
CLASSES = [
    obj
    for _, obj in inspect.getmembers(errors, inspect.isclass)
    if issubclass(obj, BaseException) and obj.__module__ == errors.__name__
]


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_error_is_rooted_documented_and_picklable(cls: type[BaseException]) -> None:
    assert issubclass(cls, errors.ConveyorError)
    assert cls.__doc__
    exc = cls(*SAMPLES.get(cls.__name__, ("message",)))
    clone = pickle.loads(pickle.dumps(exc))
    assert type(clone) is cls
    assert str(clone) == str(exc)


def test_dependency_error_carries_failures() -> None:
    exc = errors.DependencyError([(ValueError("v"), "task 1")], 2)
    assert exc.task_id == 2 and isinstance(exc.dependent_exceptions_tids[0][0], ValueError)
    assert "task 1" in str(exc)


def test_submit_exception_task_name_is_deprecated_job_name() -> None:
    exc = errors.SubmitException("job-7", "refused")
    assert exc.job_name == "job-7"
    with pytest.deprecated_call():
        assert exc.task_name == "job-7"
