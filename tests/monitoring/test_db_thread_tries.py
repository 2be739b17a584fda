"""The thread pool reports when each try runs (Parsl's running / running_ended)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from dbkit import db_path, rows, statuses, threads_config

import conveyor
from conveyor import python_app
from conveyor.monitoring.link import MonitoringLink, Queues


@python_app
def square(x: int) -> int:
    return x * x


@python_app
def refuse() -> None:
    raise RuntimeError("no")


def test_thread_tries_have_their_running_time_and_host(tmp_path: Path) -> None:
    with conveyor.load(threads_config(tmp_path)):
        ok, bad = square(3), refuse()
        assert ok.result() == 9
        with pytest.raises(RuntimeError):
            bad.result()
    path = db_path(tmp_path)
    found = rows(
        path,
        "SELECT task_id, hostname, block_id, task_try_time_launched <= task_try_time_running, "
        'task_try_time_running <= task_try_time_returned FROM "try" ORDER BY task_id',
    )
    host = socket.gethostname()
    assert found == [(ok.tid, host, None, 1, 1), (bad.tid, host, None, 1, 1)]
    assert statuses(path, ok.tid) == [
        "pending",
        "launched",
        "running",
        "running_ended",
        "exec_done",
    ]
    assert statuses(path, bad.tid)[-3:] == ["running", "running_ended", "failed"]


class _Sink:
    task_id, try_id = 4, 1

    def __call__(self, ok: bool, value: object) -> None: ...


def test_timed_records_one_try_per_call_even_when_it_raises() -> None:
    queues = Queues()
    link = MonitoringLink(queues, resource_monitoring=False, interval=0.0)
    timed = link.timed(lambda x: 1 / x, _Sink())
    assert timed(2) == 0.5
    with pytest.raises(ZeroDivisionError):
        timed(0)
    assert [t[:4] for t in queues.tries] == [(4, 1, socket.gethostname(), None)] * 2
    assert all(started <= ended for *_, started, ended in queues.tries)


def test_a_call_without_kernel_ids_is_not_wrapped() -> None:
    link = MonitoringLink(Queues(), resource_monitoring=False, interval=0.0)

    def plain() -> int:
        return 1

    assert link.timed(plain, lambda ok, value: None) is plain
    assert link.timed(plain, threading.Event()) is plain
