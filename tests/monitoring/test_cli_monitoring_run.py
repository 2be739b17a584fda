"""`conveyor status|tasks|show|tail` on databases written by real conveyor runs.

The first run (tests/monitoring/monitoring_run.py) has failures, retries and a dependency
failure; the tail test follows a second run while it is still going.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import monitoring_run as flow
import pytest
from monitoring_run import GATED, conveyor, wait_for_workflow_row


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(flow.run_workflow(tmp_path_factory.mktemp("squares")))


def test_status(db: str) -> None:
    data = json.loads(conveyor("status", "--db", db, "--json").stdout)
    assert data["states"] == flow.EXPECTED_STATES
    assert {a["app"]: a["total"] for a in data["apps"]} == flow.EXPECTED_APPS
    assert data["finished"] is True and data["run"]["name"] == "squares"
    assert data["blocks"], "the block's states are recorded"
    square = next(a for a in data["apps"] if a["app"] == "square")
    assert square["done"] == 8 and square["mean"] > 0
    text = conveyor("status", "--db", db).stdout
    assert "finished" in text.splitlines()[0] and "exec_done 9" in text


def test_tasks_filters(db: str) -> None:
    failed = json.loads(conveyor("tasks", "--db", db, "--state", "failed", "--json").stdout)
    assert [(t["task_id"], t["app"], t["fail_count"]) for t in failed] == [
        (8, "flaky", 2),
        (9, "flaky", 2),
    ]
    squares = json.loads(conveyor("tasks", "--db", db, "--app", "square", "--json").stdout)
    assert len(squares) == 8 and {t["state"] for t in squares} == {"exec_done"}
    assert {t["executor"] for t in squares} == {"htex"}
    dep = json.loads(conveyor("tasks", "--db", db, "--state", "dep_fail", "--json").stdout)
    assert [t["app"] for t in dep] == ["total"]


def test_show_a_retried_failure(db: str) -> None:
    data = json.loads(conveyor("show", str(flow.FLAKY_TASK), "--db", db, "--json").stdout)
    assert data["state"] == "failed" and data["app"] == "flaky"
    states = [e["state"] for e in data["story"]]
    assert states[0] == "pending" and states[-1] == "failed" and "fail_retryable" in states
    assert [t["try_id"] for t in data["tries"]] == [0, 1]
    assert "bad input 0" in data["error"]
    text = conveyor("show", str(flow.FLAKY_TASK), "--db", db).stdout
    assert "story:" in text and "fail_retryable" in text and "bad input 0" in text


def test_tail_follows_a_running_workflow_until_it_ends(tmp_path: Path) -> None:
    (tmp_path / "gated.py").write_text(GATED)
    run = subprocess.Popen(
        [sys.executable, "-m", "conveyor", "run", "gated.py"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    # tail writes to a file: reading its first line from a pipe and the rest with
    # communicate() would lose what the first read buffered past that line
    out_path, err_path = tmp_path / "tail.out", tmp_path / "tail.err"
    try:
        db = wait_for_workflow_row(tmp_path, run)
        with out_path.open("w") as out_file, err_path.open("w") as err_file:
            tail = subprocess.Popen(
                [sys.executable, "-m", "conveyor", "tail", "--db", str(db), "--json", "-n", "1"],
                stdout=out_file,
                stderr=err_file,
            )
        try:
            first = json.loads(_first_line(out_path, tail))  # tail is running and following
            assert first["app"] == "gated"
            (tmp_path / "go").touch()
            assert tail.wait(timeout=60) == 0, err_path.read_text()  # ends when the run does
        finally:
            if tail.poll() is None:
                tail.kill()
                tail.wait()
        assert run.communicate(timeout=60)[0].strip() == "6"
    finally:
        (tmp_path / "go").touch()  # never leave the workflow waiting
        if run.poll() is None:
            run.kill()
        run.communicate()
    later = [json.loads(line) for line in out_path.read_text().splitlines()[1:]]
    done = sorted(e["task_id"] for e in later if e["state"] == "exec_done")
    assert done == [0, 1, 2, 3]
    assert all(e["app"] == "gated" for e in later)


def _first_line(path: Path, proc: subprocess.Popen[bytes]) -> str:
    """The first complete line ``proc`` wrote to ``path`` (it keeps running)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = path.read_text()
        if "\n" in text:
            return text.split("\n", 1)[0]
        assert proc.poll() is None, f"tail ended before printing a line: {text!r}"
        time.sleep(0.05)
    raise AssertionError("tail printed no line in 60 s")
