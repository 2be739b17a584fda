"""`conveyor status|tasks|show|tail` on a database with known contents; bad databases.

The database is written with conveyor's schema module (tests/monitoring/monitoring_sample.py);
the same commands on a real run's database are in test_cli_monitoring_run.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import monitoring_sample as sample
import pytest
from monitoring_run import conveyor

from conveyor.monitoring.schema import SCHEMA_VERSION, create_schema


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(sample.build(tmp_path_factory.mktemp("sample") / "monitoring.db"))


def test_status_json_counts(db: str) -> None:
    proc = conveyor("status", "--db", db, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["states"] == sample.EXPECTED_STATES
    assert {a["app"]: a["total"] for a in data["apps"]} == sample.EXPECTED_APPS
    assert data["blocks"] == {"COMPLETED": 1, "PENDING": 1, "RUNNING": 1}
    assert data["workers"] == 8
    assert data["elapsed"] == pytest.approx(25.0)
    simulate = next(a for a in data["apps"] if a["app"] == "simulate")
    assert (simulate["done"], simulate["failed"]) == (7, 1)


def test_status_text_fits_and_names_everything(db: str) -> None:
    proc = conveyor("status", "--db", db)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert all(len(line) <= 120 for line in lines)
    assert "run sample-run" in lines[0] and "finished" in lines[0]
    assert "exec_done 9" in proc.stdout and "dep_fail 1" in proc.stdout
    row = next(line.split() for line in lines if line.startswith("simulate"))
    assert row[:7] == ["simulate", "10", "7", "1", "1", "1", "0"]
    assert "RUNNING 1" in proc.stdout and "workers: 8" in proc.stdout


def test_tasks_filters(db: str) -> None:
    failed = json.loads(conveyor("tasks", "--db", db, "--state", "failed", "--json").stdout)
    assert [t["task_id"] for t in failed] == [7]
    assert failed[0]["fail_count"] == 3
    analyse = json.loads(conveyor("tasks", "--db", db, "--app", "analyse", "--json").stdout)
    assert [t["task_id"] for t in analyse] == [10, 11, 12, 13]
    running = json.loads(conveyor("tasks", "--db", db, "--state", "running", "--json").stdout)
    assert [t["task_id"] for t in running] == [8]
    text = conveyor("tasks", "--db", db, "--app", "collect").stdout.splitlines()
    assert text[0].split()[:3] == ["id", "app", "state"]
    assert text[1].split()[:3] == ["14", "collect", "memo_done"]


def test_show_story_tries_error(db: str) -> None:
    data = json.loads(conveyor("show", "7", "--db", db, "--json").stdout)
    assert data["state"] == "failed"
    assert [e["state"] for e in data["story"]][-4:] == ["pending", "launched", "running", "failed"]
    assert len(data["story"]) == 12
    assert [t["try_id"] for t in data["tries"]] == [0, 1, 2]
    assert data["error"] == "ValueError('bad seed 7')"
    assert data["stdout"] == "/tmp/out/7.out"
    text = conveyor("show", "7", "--db", db).stdout
    assert "story:" in text and "tries:" in text and "error: ValueError('bad seed 7')" in text


def test_show_unknown_task(db: str) -> None:
    proc = conveyor("show", "999", "--db", db)
    assert proc.returncode == 1
    assert "no task 999" in proc.stderr and "Traceback" not in proc.stderr


def test_tail_prints_last_changes_and_stops_on_a_finished_run(db: str) -> None:
    proc = conveyor("tail", "--db", db, "-n", "3")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 3
    assert lines[-1].split()[1:] == ["task", "14", "collect", "try", "0", "memo_done"]
    events = [
        json.loads(x) for x in conveyor("tail", "--db", db, "--json", "-n", "2").stdout.splitlines()
    ]
    assert [(e["task_id"], e["state"], e["app"]) for e in events] == [
        (14, "pending", "collect"),
        (14, "memo_done", "collect"),
    ]


def test_default_database_is_the_newest_under_runinfo(tmp_path: Path) -> None:
    (tmp_path / "runinfo" / "000").mkdir(parents=True)
    (tmp_path / "runinfo" / "001").mkdir()
    old = tmp_path / "runinfo" / "000" / "monitoring.db"
    sqlite3.connect(old).close()  # an empty file: would be refused if chosen
    os.utime(old, (1, 1))
    sample.build(tmp_path / "runinfo" / "001" / "monitoring.db")
    proc = conveyor("status", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total"] == 15


def _refused(path: Path | str, *fragments: str) -> None:
    commands = (["status"], ["tasks"], ["show", "1"], ["tail", "--no-follow"], ["dashboard"])
    for command in commands:
        proc = conveyor(*command, "--db", str(path))
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        for fragment in fragments:
            assert fragment in proc.stderr, (command, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1


def test_not_sqlite(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("hello, this is not a database\n" * 20)
    _refused(bad, "is not an SQLite database", str(bad))


def test_sqlite_without_monitoring_tables(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (x)")
    _refused(other, "is not a monitoring database")


def test_database_from_a_newer_conveyor(tmp_path: Path) -> None:
    newer = sample.build(tmp_path / "newer.db")
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE conveyor_schema SET version = ?", (SCHEMA_VERSION + 1,))
    _refused(newer, "newer conveyor", f"schema version {SCHEMA_VERSION + 1}")


def test_missing_database(tmp_path: Path) -> None:
    _refused(tmp_path / "nope.db", "no monitoring database at")
    proc = conveyor("status", cwd=tmp_path)
    assert proc.returncode == 2 and "no monitoring.db found" in proc.stderr


def test_empty_monitoring_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    with sqlite3.connect(empty) as conn:
        create_schema(conn)
    proc = conveyor("status", "--db", str(empty))
    assert proc.returncode == 2 and "holds no workflow yet" in proc.stderr


def test_a_run_directory_selects_its_run_in_the_shared_database(tmp_path: Path) -> None:
    runinfo = tmp_path / "runinfo"
    (runinfo / "000").mkdir(parents=True)
    (runinfo / "001").mkdir()
    db = sample.build(runinfo / "monitoring.db")
    with sqlite3.connect(db) as conn:  # a second, newer run in the same file
        conn.execute(
            "INSERT INTO workflow SELECT 'second-run', 'later', workflow_version,"
            " time_began, time_completed, host, user, ?, 0, 0 FROM workflow",
            (str(runinfo / "001"),),
        )
        conn.execute(
            "UPDATE workflow SET rundir = ? WHERE run_id = ?", (str(runinfo / "000"), sample.RUN_ID)
        )
    newest = json.loads(conveyor("status", "--db", str(runinfo), "--json").stdout)
    assert newest["run"]["run_id"] == "second-run" and newest["total"] == 0
    first = json.loads(conveyor("status", "--db", str(runinfo / "000"), "--json").stdout)
    assert first["run"]["run_id"] == sample.RUN_ID and first["total"] == 15
    by_id = json.loads(conveyor("tasks", "--db", str(db), "--run", "sample", "--json").stdout)
    assert len(by_id) == 15
