"""`conveyor status|tasks|show|tail` on databases written by real conveyor runs.

The first run (tests/monitoring/monitoring_run.py) has failures, retries and a dependency
failure; the tail test follows a second run while it is still going.
"""

from __future__ import annotations

import json
import subprocess
import sys
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
    try:
        db = wait_for_workflow_row(tmp_path, run)
        tail = subprocess.Popen(
            [sys.executable, "-m", "conveyor", "tail", "--db", str(db), "--json", "-n", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert tail.stdout is not None
            first = json.loads(tail.stdout.readline())  # tail is running and following
            assert first["app"] == "gated"
            (tmp_path / "go").touch()
            out, err = tail.communicate(timeout=60)  # ends by itself when the run completes
            assert tail.returncode == 0, err
        finally:
            if tail.poll() is None:
                tail.kill()
            tail.communicate()
        assert run.communicate(timeout=60)[0].strip() == "6"
    finally:
        (tmp_path / "go").touch()  # never leave the workflow waiting
        if run.poll() is None:
            run.kill()
        run.communicate()
    later = [json.loads(line) for line in out.splitlines()]
    done = sorted(e["task_id"] for e in later if e["state"] == "exec_done")
    assert done == [0, 1, 2, 3]
    assert all(e["app"] == "gated" for e in later)
