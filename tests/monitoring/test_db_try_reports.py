"""A burst on HTEX with resource monitoring: pools report ended tries in batches (at most
every 50 ms while busy), often after the tasks' results reached the client; every try
still gets its worker-side times and place."""

from __future__ import annotations

from pathlib import Path

from dbkit import db_path, htex_config, rows

import conveyor
from conveyor import python_app


@python_app
def noop() -> None:
    return None


def test_every_try_of_a_burst_gets_its_worker_side_times(tmp_path: Path) -> None:
    with conveyor.load(htex_config(tmp_path)):
        futures = [noop() for _ in range(3000)]
        for f in futures:
            f.result(timeout=120)
    path = db_path(tmp_path)
    tries = rows(path, "SELECT count(*), count(task_try_time_running), count(hostname) FROM try")
    assert tries == [(3000, 3000, 3000)]
    ended = rows(path, "SELECT count(*) FROM status WHERE task_status_name = 'running_ended'")
    assert ended == [(3000,)]
