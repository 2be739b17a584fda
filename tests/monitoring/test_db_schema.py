"""conveyor's monitoring schema equals the one Parsl 2026.10's own db_manager creates."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from parsl_venv import parsl_python

from conveyor.monitoring.schema import (
    COLUMNS,
    CONVEYOR_TABLE,
    PARSL_TABLES,
    SCHEMA_VERSION,
    MonitoringDatabaseError,
    check_database,
    create_schema,
    format_time,
    parse_time,
)

DESCRIBE = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
out = {}
for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
    out[table] = {
        pragma: [list(r) for r in conn.execute(f'PRAGMA {pragma}("{table}")')]
        for pragma in ("table_info", "foreign_key_list", "index_list")
    }
print(json.dumps(out))
"""

MAKE_PARSL_DB = (
    "import sys\n"
    "from parsl.monitoring.db_manager import Database\n"
    "Database('sqlite:///' + sys.argv[1])\n"
)


def _describe(python: Path | str, db: Path) -> dict[str, Any]:
    out = subprocess.run(
        [str(python), "-c", DESCRIBE, str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_schema_equals_parsls(tmp_path: Path) -> None:
    python = parsl_python()
    parsl_db, ours_db = tmp_path / "parsl.db", tmp_path / "conveyor.db"
    subprocess.run([str(python), "-c", MAKE_PARSL_DB, str(parsl_db)], check=True, timeout=120)
    conn = sqlite3.connect(ours_db)
    create_schema(conn)
    conn.close()
    theirs, ours = _describe(python, parsl_db), _describe(python, ours_db)
    assert set(theirs) == set(PARSL_TABLES)
    assert set(ours) == set(PARSL_TABLES) | {CONVEYOR_TABLE}
    for table in PARSL_TABLES:
        # names, declared types, NOT NULL, defaults and primary-key positions
        assert ours[table]["table_info"] == theirs[table]["table_info"], table
        assert ours[table]["foreign_key_list"] == theirs[table]["foreign_key_list"], table
        assert ours[table]["index_list"] == theirs[table]["index_list"], table
        assert [c[1] for c in theirs[table]["table_info"]] == list(COLUMNS[table])


def test_schema_is_idempotent_and_versioned(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "m.db")
    create_schema(conn)
    create_schema(conn)
    assert conn.execute(f"SELECT version FROM {CONVEYOR_TABLE}").fetchall() == [(SCHEMA_VERSION,)]
    check_database(conn)
    conn.close()


def test_check_database_refuses_strangers_and_newer_versions(tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE something (x)")
    with pytest.raises(MonitoringDatabaseError, match="not a monitoring database"):
        check_database(other, "other.db")
    other.close()
    newer = sqlite3.connect(tmp_path / "newer.db")
    create_schema(newer)
    newer.execute(f"UPDATE {CONVEYOR_TABLE} SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(MonitoringDatabaseError, match="newer conveyor"):
        check_database(newer, "newer.db")
    newer.close()


def test_time_format_round_trips() -> None:
    t = 1_796_000_000.123456
    text = format_time(t)
    assert len(text) == 26 and text[10] == " "
    assert abs(parse_time(text).timestamp() - t) < 1e-5
