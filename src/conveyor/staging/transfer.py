"""Worker-side transfers: module-level functions, so in-task wrappers pickle by reference.

Everything here runs where the task runs (a thread, or an HTEX worker) and imports only
the standard library and :mod:`conveyor.errors`. Files land atomically: a download or
extraction writes ``<dest>.part-<pid>-<thread>`` and renames it, so two tasks staging
the same URL never see a half-written file. Every failure is a
:class:`~conveyor.errors.StagingError` naming the URL.
"""

from __future__ import annotations

import contextlib
import fcntl
import ftplib
import os
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from conveyor.errors import StagingError

__all__ = [
    "extract_member",
    "fetch_url",
    "run_after_extract",
    "run_after_fetch",
    "run_then_store_in_zip",
    "store_in_zip",
    "zip_path_split",
]

#: seconds without progress before a download fails
URL_TIMEOUT = 60.0


def zip_path_split(path: str, url: str | None = None) -> tuple[str, str]:
    """``/a/b.zip/c/d`` -> (``/a/b.zip``, ``c/d``), with Parsl's signature.

    StagingError naming ``url`` (default: the path) when there is no ``.zip/`` part.
    """
    index = path.find(".zip/")
    if index < 0 or not path[index + 5 :]:
        where = url if url is not None else path
        raise StagingError(where, "a zip: URL must look like zip:/path/archive.zip/member")
    return path[: index + 4], path[index + 5 :]


def _part_name(dest: str) -> str:
    return f"{dest}.part-{os.getpid()}-{threading.get_ident()}"


@contextlib.contextmanager
def _atomic(url: str, dest: str) -> Iterator[IO[bytes]]:
    """A file to write; renamed to ``dest`` on success, removed on failure."""
    os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
    part = _part_name(dest)
    try:
        with open(part, "wb") as out:
            yield out
        os.replace(part, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(part)
        raise


def _write_atomically(url: str, dest: str, source: IO[bytes]) -> None:
    try:
        with _atomic(url, dest) as out:
            shutil.copyfileobj(source, out, 1 << 20)
    except OSError as exc:
        raise StagingError(url, f"cannot write {dest}: {exc}") from None


def _fetch_ftp(url: str, dest: str) -> None:
    """FTP with ftplib (urllib's FTP handler leaks its control connection on errors)."""
    parts = urllib.parse.urlsplit(url)
    folder, _, name = urllib.parse.unquote(parts.path).rpartition("/")
    try:
        with ftplib.FTP(timeout=URL_TIMEOUT) as ftp:
            ftp.connect(parts.hostname or "", parts.port or 21)
            ftp.login(urllib.parse.unquote(parts.username or "anonymous"), parts.password or "")
            if folder:
                ftp.cwd(folder)
            with _atomic(url, dest) as out:
                ftp.retrbinary(f"RETR {name}", out.write)
    except (OSError, EOFError, ftplib.Error) as exc:
        raise StagingError(url, f"{type(exc).__name__}: {exc}") from None


def fetch_url(url: str, dest: str, *, parent: Any = None) -> str:
    """Download ``url`` (http, https, ftp) to ``dest``; return ``dest``.

    ``parent`` is ignored: it lets a separate stage-in task wait on another future.
    """
    if url.startswith("ftp://"):
        _fetch_ftp(url, dest)
        return dest
    try:
        response = urllib.request.urlopen(url, timeout=URL_TIMEOUT)
    except (OSError, ValueError) as exc:
        if isinstance(exc, urllib.error.HTTPError):
            exc.close()  # it holds the open connection
        raise StagingError(url, f"{type(exc).__name__}: {exc}") from None
    with response:
        _write_atomically(url, dest, response)
    return dest


def run_after_fetch(
    func: Callable[..., Any], url: str, dest: str, /, *args: Any, **kwargs: Any
) -> Any:
    """In-task stage-in: download ``url`` to ``dest``, then run ``func``."""
    fetch_url(url, dest)
    return func(*args, **kwargs)


@contextlib.contextmanager
def _locked(archive: str) -> Iterator[None]:
    """An exclusive advisory lock on ``<archive>.lock`` (serializes writers across processes)."""
    os.makedirs(os.path.dirname(archive) or ".", exist_ok=True)
    with open(archive + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def extract_member(url: str, archive: str, member: str, dest: str) -> str:
    """Copy ``member`` of zip ``archive`` to ``dest``; return ``dest``."""
    try:
        with _locked(archive), zipfile.ZipFile(archive) as z, z.open(member) as source:
            _write_atomically(url, dest, source)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise StagingError(url, f"cannot extract {member} from {archive}: {exc!r}") from None
    return dest


def run_after_extract(
    func: Callable[..., Any], url: str, archive: str, member: str, dest: str, /, *a: Any, **kw: Any
) -> Any:
    """In-task zip stage-in: extract the member, then run ``func``."""
    extract_member(url, archive, member, dest)
    return func(*a, **kw)


def _drop_member(archive: str, member: str) -> None:
    """Rewrite ``archive`` without ``member`` (zipfile cannot replace an entry in place)."""
    part = _part_name(archive)
    with zipfile.ZipFile(archive) as old, zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename != member:
                new.writestr(info, old.read(info))
    os.replace(part, archive)


def store_in_zip(url: str, archive: str, member: str, local: str) -> None:
    """Add ``local`` to ``archive`` as ``member`` (replacing it), then remove ``local``."""
    if not os.path.exists(local):
        raise StagingError(url, f"the app did not write its output {local}")
    try:
        with _locked(archive):
            if os.path.exists(archive):
                with zipfile.ZipFile(archive) as z:
                    present = member in z.namelist()
                if present:
                    _drop_member(archive, member)
            with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as z:
                z.write(local, arcname=member)
        os.remove(local)
    except (OSError, zipfile.BadZipFile) as exc:
        raise StagingError(url, f"cannot store {local} into {archive}: {exc!r}") from None


def run_then_store_in_zip(
    func: Callable[..., Any], url: str, archive: str, member: str, local: str, /, *a: Any, **kw: Any
) -> Any:
    """In-task zip stage-out: run ``func`` (which writes ``local``), then store it in the zip."""
    os.makedirs(os.path.dirname(local) or ".", exist_ok=True)
    result = func(*a, **kw)
    store_in_zip(url, archive, member, local)
    return result
