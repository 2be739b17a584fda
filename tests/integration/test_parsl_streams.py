"""Parsl 2026.10 behaviours of std streams, staging defaults and small Parsl helpers.

Issue 11, section 3 (the rest is in test_parsl_behaviour.py); on threads and on HTEX.
"""

import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

import conveyor
from conveyor import AUTO_LOGNAME, Config, File, ThreadPoolExecutor, bash_app, python_app
from conveyor.errors import BadStdStreamFile
from conveyor.futures import DataFuture


@bash_app
def echo(msg: str, stdout: Any = None, stderr: Any = None, label: str | None = None) -> str:
    return f"echo {msg}; echo err-{msg} >&2"


def test_std_stream_modes(loaded: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("before\n")
    echo("one", stdout=str(out)).result(timeout=60)  # a bare path appends ('a+')
    assert out.read_text() == "before\none\n"
    echo("two", stdout=(out, "w+")).result(timeout=60)  # any open() mode, path-like too
    assert out.read_text() == "two\n"
    bad = echo("three", stdout=(str(out), "badmode"))
    assert isinstance(bad.exception(timeout=60), BadStdStreamFile)


# --- std streams: AUTO_LOGNAME, std_autopath, File streams -------------------------------


def test_auto_logname_names_task_func_and_label(loaded: Any) -> None:
    fut = echo("hi", stdout=AUTO_LOGNAME, stderr=AUTO_LOGNAME, label="lbl")
    fut.result(timeout=60)
    name = f"task_{fut.tid:04d}_echo_lbl"
    assert fut.stdout == os.path.join(loaded.run_dir, "task_logs", "0000", f"{name}.stdout")
    assert Path(fut.stdout).read_text() == "hi\n"
    assert Path(fut.stderr).read_text().endswith("err-hi\n")


def test_std_autopath_gets_task_record_and_value_is_used_as_given(
    make_config: Any, tmp_path: Path
) -> None:
    target = (tmp_path / "given.out", "w")
    records: list[tuple[str, int, str]] = []

    def autopath(record: Any, kind: str) -> Any:
        records.append((record["func_name"], record["id"], kind))
        return target

    with conveyor.load(make_config(std_autopath=autopath)):
        fut = echo("given", stdout=AUTO_LOGNAME)
        assert fut.stdout is target
        fut.result(timeout=60)
    assert records == [("echo", fut.tid, "stdout")]
    assert (tmp_path / "given.out").read_text() == "given\n"


def test_std_autopath_error_reaches_the_caller(make_config: Any) -> None:
    def autopath(record: Any, kind: str) -> Any:
        raise LookupError("no path for you")

    with conveyor.load(make_config(std_autopath=autopath)), pytest.raises(LookupError):
        echo("x", stdout=AUTO_LOGNAME)


def test_file_streams_are_staged_out_to_zip_by_default(tmp_path: Path) -> None:
    archive = tmp_path / "logs.zip"
    executor = ThreadPoolExecutor(label="threads", working_dir=str(tmp_path / "wd"))
    with conveyor.load(Config(executors=[executor], run_dir=str(tmp_path / "runinfo"))):
        fut = echo(
            "zipped", stdout=File(f"zip:{archive}/o.txt"), stderr=File(f"zip:{archive}/e.txt")
        )
        assert isinstance(fut.stdout, DataFuture) and isinstance(fut.stderr, DataFuture)
        fut.stdout.result(timeout=60)
        fut.stderr.result(timeout=60)
    with zipfile.ZipFile(archive) as z:
        assert z.read("o.txt") == b"zipped\n"
        assert z.read("e.txt").endswith(b"err-zipped\n")


def test_zip_input_works_without_storage_access(tmp_path: Path) -> None:
    archive = tmp_path / "in.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("data.txt", "inside\n")

    @python_app
    def read(inputs: Any = ()) -> str:
        return Path(inputs[0].filepath).read_text()

    executor = ThreadPoolExecutor(label="threads", working_dir=str(tmp_path / "wd"))
    with conveyor.load(Config(executors=[executor], run_dir=str(tmp_path / "runinfo"))):
        assert read(inputs=[File(f"zip:{archive}/data.txt")]).result(timeout=60) == "inside\n"


def test_default_staging_is_parsls_list(tmp_path: Path) -> None:
    from conveyor.staging.defaults import default_staging
    from conveyor.staging.file_noop import NoOpFileStaging
    from conveyor.staging.zip import ZipFileStaging

    names = [type(p).__name__ for p in default_staging]
    assert names == [
        "NoOpFileStaging",
        "FTPSeparateTaskStaging",
        "HTTPSeparateTaskStaging",
        "ZipFileStaging",
    ]
    assert isinstance(default_staging[0], NoOpFileStaging)
    assert isinstance(default_staging[-1], ZipFileStaging)


def test_parsl_timeout_helper() -> None:
    import time

    from conveyor.app.bash import timeout
    from conveyor.errors import AppTimeout

    def spin(t: float) -> str:
        end = time.monotonic() + t
        while time.monotonic() < end:
            time.sleep(0.01)
        return "done"

    with pytest.raises(AppTimeout):
        timeout(spin, 0.05)(5)
    assert timeout(spin, 5)(0.01) == "done"
    time.sleep(0.05)  # the cancelled timer must not fire later (it would raise here)


def test_zip_path_split_has_parsls_signature() -> None:
    from conveyor.staging.zip import zip_path_split

    assert zip_path_split("/tmp/foo/this.zip/inside/here.txt") == (
        "/tmp/foo/this.zip",
        "inside/here.txt",
    )


def test_malformed_stream_spec_is_typeguards_error_where_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys
    import types

    from conveyor.elaborations.std_streams import check_stream_spec

    with pytest.raises(BadStdStreamFile):
        check_stream_spec("stdout", ("a", "w", 3))

    class TypeCheckError(Exception):
        pass

    monkeypatch.setitem(
        sys.modules, "typeguard", types.SimpleNamespace(TypeCheckError=TypeCheckError)
    )
    with pytest.raises(TypeCheckError):
        check_stream_spec("stdout", ["a", "w"])
    check_stream_spec("stdout", ("a", "w"))  # well formed: no error
