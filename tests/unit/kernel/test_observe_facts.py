"""The task columns monitoring records for an app call are written as Parsl writes them."""

import os
from typing import Any

import pytest

from conveyor.app.call import AppCall, AppOptions
from conveyor.files import File
from conveyor.kernel.observe import call_facts


class PathLike(os.PathLike[Any]):
    def __init__(self, path: str | bytes) -> None:
        self.path = path

    def __fspath__(self) -> Any:
        return self.path


def app() -> None:
    return None


def facts(**kwargs: Any) -> tuple[str | None, ...]:
    return call_facts(AppCall(app, (), kwargs, AppOptions(kind="python")))


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        (None, ""),
        ("hello.txt", "hello.txt"),
        (("tuple.txt", "w"), "tuple.txt"),
        (PathLike("pl.txt"), "pl.txt"),
        (PathLike(b"pl2.txt"), "pl2.txt"),
        ((PathLike(b"pl4.txt"), "w"), "pl4.txt"),
        (File("arbitrary:abc123"), "arbitrary:abc123"),
        (File("file:///tmp/pl5"), "file:///tmp/pl5"),
    ],
)
def test_std_streams_are_recorded_by_file_name(spec: Any, name: str) -> None:
    *_, stdout, stderr = facts(stdout=spec, stderr=spec)
    assert stdout == name and stderr == name


def test_absent_inputs_and_outputs_are_recorded_as_parsl_does() -> None:
    assert facts()[4:] == ("None", "None", None, "", "")
    assert facts(x=1)[4:] == ("None", "None", None, "", "")
    assert facts(inputs=[1])[4] == "[1]"
