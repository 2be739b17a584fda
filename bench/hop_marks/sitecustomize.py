"""Loaded by every Python process of a ``bench/hops.py`` run (this folder is put first on
PYTHONPATH): wraps the functions where a task crosses from one hop to the next so each
writes ``stage monotonic_ns`` lines to ``$CONVEYOR_HOP_MARKS.<pid>``.

CLOCK_MONOTONIC is one clock for every process of a machine, so the marks of the client,
the interchange, the pool manager and the worker can be compared. Nothing of this is in
conveyor itself: without the variable this file does nothing.
"""

import functools
import os
import time
from collections.abc import Callable
from typing import Any

PREFIX = os.environ.get("CONVEYOR_HOP_MARKS", "")
_files: dict[int, Any] = {}


def mark(stage: str) -> None:
    """Write one mark for this process."""
    pid = os.getpid()
    f = _files.get(pid)
    if f is None:
        f = _files[pid] = open(f"{PREFIX}.{pid}", "a", buffering=1)  # noqa: SIM115
    f.write(f"{stage} {time.monotonic_ns()}\n")


def wrap(
    owner: Any, name: str, before: Callable[..., str | None], after: Callable[..., str | None]
) -> None:
    """Replace ``owner.name`` by a wrapper marking what ``before``/``after`` name (or nothing)."""
    inner = getattr(owner, name)

    @functools.wraps(inner)
    def marked(*args: Any, **kwargs: Any) -> Any:
        stage = before(*args, **kwargs)
        if stage:
            mark(stage)
        out = inner(*args, **kwargs)
        stage = after(out, *args, **kwargs)
        if stage:
            mark(stage)
        return out

    setattr(owner, name, marked)


def never(*_: Any, **__: Any) -> None:
    return None


def install() -> None:
    from conveyor.executors.htex import protocol as p
    from conveyor.executors.htex.client import HtexClient
    from conveyor.executors.htex.interchange.loop import Interchange
    from conveyor.executors.htex.pool import worker
    from conveyor.executors.htex.pool.manager import Manager

    def sent(out: Any, _ix: Any, outbox: Any) -> str | None:
        kinds = {type(msg) for _, msg in outbox}
        return "ix_sent" if p.Tasks in kinds else "ix_sent_result" if p.Results in kinds else None

    wrap(HtexClient, "submit", lambda *a, **k: "submit", never)
    wrap(HtexClient, "_complete", lambda *a: "client_recv", lambda *a: "settled")
    wrap(
        Interchange,
        "_from_client",
        lambda _s, _i, m: "ix_recv" if isinstance(m, p.Submit) else None,
        never,
    )
    wrap(
        Interchange,
        "_from_pool",
        lambda _s, _i, m: "ix_recv_result" if isinstance(m, p.Results) else None,
        never,
    )
    wrap(Interchange, "_send", never, sent)
    wrap(
        Manager, "_on_message", lambda _s, m: "mgr_recv" if isinstance(m, p.Tasks) else None, never
    )
    wrap(Manager, "_send_batch", lambda *a: "mgr_to_worker", never)
    wrap(Manager, "_take_back", lambda _s, _w, batch: "mgr_from_worker" if batch else None, never)
    wrap(Manager, "_flush_results", lambda s: "mgr_flush" if s.results else None, never)
    wrap(worker, "_receive", never, lambda *a: "worker_recv")
    wrap(worker, "_send", lambda *a: "worker_done", never)


if PREFIX:
    install()
