"""Staging providers end to end: real HTTP and FTP servers, real zip files, threads and HTEX."""

import contextlib
import functools
import http.server
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import conveyor
from conveyor import Config, File, ThreadPoolExecutor, python_app
from conveyor.errors import DependencyError, StagingError, ZipAuthorityError
from conveyor.futures import DataFuture
from conveyor.staging import (
    FTPInTaskStaging,
    FTPSeparateTaskStaging,
    HTTPInTaskStaging,
    HTTPSeparateTaskStaging,
    NoOpFileStaging,
    Staging,
    ZipFileStaging,
)

HTTP_MODES = {"in_task": HTTPInTaskStaging, "separate": HTTPSeparateTaskStaging}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def _serving(serve: Callable[[], Any], stop: Callable[[], Any], name: str) -> Iterator[None]:
    """Run ``serve`` in a thread for the duration of the block; ``stop`` ends it."""
    thread = threading.Thread(target=serve, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop()
        thread.join()


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real threaded HTTP server on a free port, serving a fresh folder."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def stop() -> None:
        server.shutdown()
        server.server_close()

    with _serving(server.serve_forever, stop, "test-http"):
        yield f"http://127.0.0.1:{server.server_address[1]}", root


@python_app
def read_input(inputs: Any = ()) -> tuple[str, str]:
    with open(inputs[0].filepath) as f:
        return f.read(), inputs[0].filepath


@python_app
def read_arg(f: Any) -> str:
    with open(f) as fh:
        return fh.read()


@python_app
def transform(suffix: str, inputs: Any = (), outputs: Any = ()) -> None:
    with open(inputs[0].filepath) as src, open(outputs[0].filepath, "w") as dst:
        dst.write(src.read() + suffix)


@python_app
def write_text(text: str, outputs: Any = ()) -> None:
    with open(outputs[0].filepath, "w") as f:
        f.write(text)


def _with_staging(make_config: Any, providers: list[Staging]) -> Config:
    config: Config = make_config()
    config.executors_tuple[0].storage_access = providers
    return config


@pytest.mark.parametrize("mode", list(HTTP_MODES))
def test_http_stage_in(make_config: Any, web: tuple[str, Path], mode: str) -> None:
    base, root = web
    (root / "data.txt").write_text("hello over http")
    config = _with_staging(make_config, [NoOpFileStaging(), HTTP_MODES[mode]()])
    with conveyor.load(config) as dfk:
        text, path = read_input(inputs=[File(f"{base}/data.txt")]).result(timeout=60)
        assert read_arg(File(f"{base}/data.txt")).result(timeout=60) == "hello over http"
        assert text == "hello over http"
        assert path.startswith(str(Path(dfk.run_dir).resolve() / "staging"))
        assert path.endswith("/data.txt")


def test_http_default_providers_stage_in(loaded: Any, web: tuple[str, Path]) -> None:
    base, root = web
    (root / "d.txt").write_text("default")
    assert read_input(inputs=[File(f"{base}/d.txt")]).result(timeout=60)[0] == "default"


@pytest.mark.parametrize("mode", list(HTTP_MODES))
def test_http_404_fails_task_naming_url(make_config: Any, web: tuple[str, Path], mode: str) -> None:
    base, _ = web
    url = f"{base}/missing.txt"
    config = _with_staging(make_config, [HTTP_MODES[mode]()])
    with conveyor.load(config):
        exc = read_input(inputs=[File(url)]).exception(timeout=60)
    assert isinstance(exc, StagingError if mode == "in_task" else DependencyError)
    root = exc.__cause__ if isinstance(exc, DependencyError) else exc  # Parsl: the root cause
    assert url in str(root) and "404" in str(root)


def test_working_dir_receives_staged_file(tmp_path: Path, web: tuple[str, Path]) -> None:
    base, root = web
    (root / "w.txt").write_text("wd")
    executor = ThreadPoolExecutor(working_dir=str(tmp_path / "wd"))
    with conveyor.load(Config(executors=[executor], run_dir=str(tmp_path / "runinfo"))):
        text, path = read_input(inputs=[File(f"{base}/w.txt")]).result(timeout=60)
    assert (text, path) == ("wd", str(tmp_path / "wd" / "w.txt"))


def test_file_chain_across_three_apps(loaded: Any, tmp_path: Path) -> None:
    first = write_text("a", outputs=[File(str(tmp_path / "1.txt"))])
    second = transform("b", inputs=[first.outputs[0]], outputs=[File(str(tmp_path / "2.txt"))])
    third = transform("c", inputs=[second.outputs[0]], outputs=[File(str(tmp_path / "3.txt"))])
    assert third.outputs[0].result(timeout=60).filepath == str(tmp_path / "3.txt")
    assert (tmp_path / "3.txt").read_text() == "abc"


def test_zip_chain_stage_out_and_in(make_config: Any, tmp_path: Path) -> None:
    archive = tmp_path / "out" / "results.zip"
    config = _with_staging(make_config, [NoOpFileStaging(), ZipFileStaging()])
    with conveyor.load(config):
        first = write_text("x", outputs=[File(f"zip:{archive}/one.txt")])
        second = transform(
            "y", inputs=[first.outputs[0]], outputs=[File(f"zip:{archive}/d/two.txt")]
        )
        third = read_input(inputs=[second.outputs[0]])
        assert third.result(timeout=60)[0] == "xy"
        again = write_text("z", outputs=[File(f"zip:{archive}/one.txt")])
        again.result(timeout=60)
    with zipfile.ZipFile(archive) as z:
        assert sorted(z.namelist()) == ["d/two.txt", "one.txt"]
        assert z.read("one.txt") == b"z"


def test_zip_stage_in_of_existing_archive(make_config: Any, tmp_path: Path) -> None:
    archive = tmp_path / "in.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("inner/member.txt", "zipped")
    config = _with_staging(make_config, [ZipFileStaging()])
    with conveyor.load(config):
        text, path = read_input(inputs=[File(f"zip:{archive}/inner/member.txt")]).result(60)
        assert text == "zipped" and path.endswith("inner/member.txt")
        exc = read_input(inputs=[File(f"zip:{archive}/absent.txt")]).exception(timeout=60)
        assert isinstance(exc, StagingError) and "absent.txt" in str(exc)


def test_zip_authority_is_refused_at_call(tmp_path: Path) -> None:
    executor = ThreadPoolExecutor(storage_access=[ZipFileStaging()])
    with conveyor.load(Config(executors=[executor], run_dir=str(tmp_path / "runinfo"))):
        with pytest.raises(ZipAuthorityError):
            read_input(inputs=[File("zip://host/a.zip/m.txt")])
        with pytest.raises(StagingError, match="http://example.invalid/x"):
            read_input(inputs=[File("http://example.invalid/x")])


@pytest.fixture
def ftp(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real in-process FTP server (pyftpdlib), anonymous read-only, on a free port."""
    servers = pytest.importorskip("pyftpdlib.servers")
    handlers = pytest.importorskip("pyftpdlib.handlers")
    authorizers = pytest.importorskip("pyftpdlib.authorizers")
    root = tmp_path / "ftproot"
    root.mkdir()
    auth = authorizers.DummyAuthorizer()
    auth.add_anonymous(str(root))
    handler = type("Handler", (handlers.FTPHandler,), {"authorizer": auth})
    server = servers.ThreadedFTPServer(("127.0.0.1", 0), handler)
    serve = functools.partial(server.serve_forever, timeout=0.2)
    with _serving(serve, server.close_all, "test-ftp"):
        yield f"ftp://127.0.0.1:{server.address[1]}", root


@pytest.mark.parametrize("provider", [FTPInTaskStaging, FTPSeparateTaskStaging])
def test_ftp_stage_in(tmp_path: Path, ftp: tuple[str, Path], provider: type[Staging]) -> None:
    base, root = ftp
    (root / "f.txt").write_text("over ftp")
    executor = ThreadPoolExecutor(storage_access=[provider()])
    with conveyor.load(Config(executors=[executor], run_dir=str(tmp_path / "runinfo"))):
        assert read_input(inputs=[File(f"{base}/f.txt")]).result(timeout=60)[0] == "over ftp"
        exc = read_input(inputs=[File(f"{base}/nope.txt")]).exception(timeout=60)
    root = exc.__cause__ if isinstance(exc, DependencyError) else exc  # Parsl: the root cause
    assert root is not None and f"{base}/nope.txt" in str(root)


class _MemoryStaging(Staging):
    """A Parsl-style user provider: ``mem://`` files, written by an app it makes on dm.dfk."""

    def can_stage_in(self, file: File) -> bool:
        return file.scheme == "mem"

    def stage_in(self, dm: Any, executor: str, file: File, parent_fut: Any) -> Any:
        file.local_path = str(Path(dm.dfk.run_dir) / f"mem-{file.filename}")

        @python_app(executors=["_parsl_internal"], data_flow_kernel=dm.dfk)
        def materialize(path: str, text: str, _parsl_staging_inhibit: bool = True) -> None:
            Path(path).write_text(text)

        fut = materialize(file.local_path, f"made for {file.netloc}")
        return DataFuture(fut, file, tid=fut.tid)


def test_parsl_style_user_provider(tmp_path: Path) -> None:
    executor = ThreadPoolExecutor(storage_access=[_MemoryStaging()])
    with conveyor.load(Config(executors=[executor], run_dir=str(tmp_path / "runinfo"))):
        text, path = read_input(inputs=[File("mem://box/a.txt")]).result(timeout=60)
    assert text == "made for box" and path.endswith("mem-a.txt")


class _CopyOutStaging(Staging):
    """A separate-task stage-out provider (as Parsl's Globus one): copies ``copy://`` outputs
    from the app's local path to their URL's path in a task that waits for the app."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse

    def can_stage_out(self, file: File) -> bool:
        return file.scheme == "copy"

    def stage_out(self, dm: Any, executor: str, file: File, app_fu: Any) -> Any:
        if self.refuse:
            raise LookupError("stage-out refused")

        @python_app(executors=["_parsl_internal"], data_flow_kernel=dm.dfk)
        def copy_out(
            done: Any, source: str, target: str, _parsl_staging_inhibit: bool = True
        ) -> None:
            Path(target).write_text(Path(source).read_text() + " (copied)")

        file.local_path = str(Path(dm.dfk.run_dir) / f"local-{file.filename}")
        return copy_out(app_fu, file.local_path, file.path)


@python_app
def write_output(outputs: Any = ()) -> None:
    Path(outputs[0].filepath).write_text("written")


def test_separate_task_stage_out(tmp_path: Path) -> None:
    target = tmp_path / "final.txt"
    executor = ThreadPoolExecutor(storage_access=[_CopyOutStaging()])
    with conveyor.load(Config(executors=[executor], run_dir=str(tmp_path / "runinfo"))):
        fut = write_output(outputs=[File(f"copy://{target}")])
        (out,) = fut.outputs
        out.result(timeout=60)  # completes with the stage-out task, after the app
        assert fut.done()
    assert target.read_text() == "written (copied)"


def test_stage_out_provider_error_reaches_the_caller(tmp_path: Path) -> None:
    executor = ThreadPoolExecutor(storage_access=[_CopyOutStaging(refuse=True)])
    config = Config(executors=[executor], run_dir=str(tmp_path / "runinfo"))
    with conveyor.load(config), pytest.raises(LookupError, match="refused"):
        write_output(outputs=[File(f"copy://{tmp_path}/x.txt")])
