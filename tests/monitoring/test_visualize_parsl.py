"""Parsl's own parsl-visualize (2026.10.26, from PyPI) serves a database conveyor wrote."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbkit import db_path, htex_config, rows
from parsl_venv import parsl_python

import conveyor
from conveyor import python_app


@python_app
def crunch(seconds: float) -> float:
    import time

    end = time.time() + seconds
    while time.time() < end:
        pass
    return seconds


@python_app
def broken() -> None:
    raise KeyError("missing")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, int]]:
    """Run a workflow, then serve its database with parsl-visualize: (base url, run_id, task)."""
    python = parsl_python()
    with conveyor.load(htex_config(tmp_path, retries=1)):
        long = crunch(0.8)
        assert [crunch(0.01).result() for _ in range(5)] == [0.01] * 5
        bad = broken()
        assert long.result() == 0.8
        with pytest.raises(KeyError):
            bad.result()
    conveyor.clear()
    path = db_path(tmp_path)
    ((run_id,),) = rows(path, "SELECT run_id FROM workflow")
    port = _free_port()
    log = open(tmp_path / "visualize.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(python.parent / "parsl-visualize"), "-p", str(port), f"sqlite:///{path}"],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if _get(base + "/")[0] == 200:
                    break
            except OSError:
                if server.poll() is not None:
                    raise AssertionError(
                        "parsl-visualize exited: " + (tmp_path / "visualize.log").read_text()
                    ) from None
                time.sleep(0.1)
        yield base, run_id, long.tid
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_parsl_visualize_serves_conveyors_database(served: tuple[str, str, int]) -> None:
    base, run_id, task_id = served
    status, index = _get(base + "/")
    assert status == 200 and run_id in index and "dbtest" in index
    pages = {
        "workflow": f"/workflow/{run_id}/",
        "tasks": f"/workflow/{run_id}/task/",
        "task": f"/workflow/{run_id}/task/{task_id}",
        "app": f"/workflow/{run_id}/app/crunch",
        "resources": f"/workflow/{run_id}/resource_usage",
    }
    bodies = {}
    for name, page in pages.items():
        status, body = _get(base + page)
        assert status == 200, f"{name} page {page}: HTTP {status}\n{body[-1500:]}"
        assert "could not be found" not in body and "does not have any" not in body, name
        bodies[name] = body
    assert "crunch" in bodies["workflow"] and "broken" in bodies["workflow"]
    assert "crunch" in bodies["tasks"] and "broken" in bodies["tasks"]
    for state in ("pending", "launched", "running", "running_ended", "exec_done"):
        assert state in bodies["task"], state
    assert "Memory" in bodies["resources"] or "memory" in bodies["resources"]
