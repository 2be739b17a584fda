"""Pools started by LocalProvider run in the user's working directory, as Parsl's do.

Relative paths in bash apps, ``File`` outputs and std streams resolve where the workflow
was started, not in the run directory's ``blocks/`` folder.
"""

import os
from pathlib import Path

import pytest
from htexkit import make_htex

import conveyor
from conveyor import Config, File, bash_app, python_app


@python_app
def where() -> str:
    import os

    return os.getcwd()


@bash_app
def copy(inputs: list[File] = (), outputs: list[File] = (), stdout: str | None = None) -> str:  # type: ignore[assignment]
    return f"cat {inputs[0]} > {outputs[0]} && echo copied"


def test_relative_paths_resolve_in_the_users_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    Path("a.txt").write_text("payload\n")
    runs = tmp_path / "runs"
    config = Config(executors=[make_htex(runs)], run_dir=str(runs), strategy=None)
    with conveyor.load(config):
        assert where().result(timeout=60) == str(work)
        fut = copy(inputs=[File("a.txt")], outputs=[File("out.txt")], stdout="std.out")
        assert fut.result(timeout=60) == 0
        fut.outputs[0].result(timeout=60)
    assert (work / "out.txt").read_text() == "payload\n"
    assert (work / "std.out").read_text() == "copied\n"
    leftovers = sorted(os.listdir(work))
    assert leftovers == ["a.txt", "out.txt", "std.out"], "nothing else may land in the cwd"
    blocks = runs / "000" / "htex" / "blocks"
    assert not (blocks / "out.txt").exists() and not (blocks / "std.out").exists()
