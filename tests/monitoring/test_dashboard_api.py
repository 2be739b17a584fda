"""The dashboard server's JSON API, static files and /metrics, over real HTTP.

The server runs in a thread of the test process on a free loopback port; the database is
the sample with known contents (tests/monitoring/monitoring_sample.py).
"""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import monitoring_sample as sample
import pytest

from conveyor.monitoring.dashboard.server import DashboardServer, make_server


def serving(db: Path) -> Iterator[DashboardServer]:
    server = make_server(str(db))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DashboardServer]:
    yield from serving(sample.build(tmp_path_factory.mktemp("dash") / "monitoring.db"))


def fetch(server: DashboardServer, path: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(server.url.rstrip("/") + path, timeout=30) as r:
            return r.status, r.headers["Content-Type"], r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read().decode()


def api(server: DashboardServer, path: str) -> Any:
    status, ctype, body = fetch(server, path)
    assert status == 200 and ctype == "application/json", body
    return json.loads(body)


def test_page_and_scripts_are_served_with_no_external_reference(server: DashboardServer) -> None:
    for path, kind in (
        ("/", "text/html"),
        ("/static/app.js", "text/javascript"),
        ("/static/charts.js", "text/javascript"),
        ("/static/style.css", "text/css"),
    ):
        status, ctype, body = fetch(server, path)
        assert status == 200 and ctype.startswith(kind) and body
        assert not re.search(r"https?://(?!127\.0\.0\.1|localhost|www\.w3\.org)", body), path


def test_summary(server: DashboardServer) -> None:
    s = api(server, "/api/summary")
    assert s["states"] == sample.EXPECTED_STATES
    assert {a["app"]: a["total"] for a in s["apps"]} == sample.EXPECTED_APPS
    assert s["finished"] is True and s["workers"] == 8
    series = s["timeline"]["series"]
    last = {state: counts[-1] for state, counts in series.items() if counts[-1]}
    assert last == sample.EXPECTED_STATES  # the timeline ends where the run is
    assert len(s["block_rows"]) == 3 and len(s["node_rows"]) == 2
    simulate = next(a for a in s["apps"] if a["app"] == "simulate")
    assert sum(simulate["histogram"]["counts"]) == 7


def test_task_table_filters_and_facets(server: DashboardServer) -> None:
    every = api(server, "/api/tasks")
    assert every["total"] == 15 and every["rows"][0]["task_id"] == 14  # newest first
    assert every["facets"]["app"] == ["analyse", "collect", "simulate"]
    assert every["facets"]["block"] == ["0"]
    assert [r["task_id"] for r in api(server, "/api/tasks?state=failed")["rows"]] == [7]
    both = api(server, "/api/tasks?app=analyse&state=exec_done")
    assert sorted(r["task_id"] for r in both["rows"]) == [10, 11]
    assert api(server, "/api/tasks?executor=htex&block=0")["total"] == 12  # tasks 0-11 ran
    page = api(server, "/api/tasks?limit=5&offset=5")
    assert [r["task_id"] for r in page["rows"]] == [9, 8, 7, 6, 5]


def test_task_page(server: DashboardServer) -> None:
    d = api(server, "/api/task?id=7")
    assert d["state"] == "failed" and len(d["tries"]) == 3 and len(d["story"]) == 12
    assert d["error"] == "ValueError('bad seed 7')"
    assert len(d["resources"]["times"]) == 6
    assert d["resources"]["cpu"] == pytest.approx([90.0] * 5)  # 0.9 s CPU per 1 s sample
    assert d["resources"]["rss"][:2] == [100.0, 120.0]
    assert fetch(server, "/api/task?id=999")[0] == 404
    assert fetch(server, "/api/task?id=x")[0] == 404
    assert fetch(server, "/nothing")[0] == 404


def test_node_resources(server: DashboardServer) -> None:
    nodes = api(server, "/api/resources")["nodes"]
    assert set(nodes) == {"node-a", "node-b"}  # task 8 ran on node-a, task 7 on node-b
    assert nodes["node-b"]["rss"][-1] == 200.0


SAMPLE_LINE = re.compile(
    r'^[a-z_]+(\{([a-z_]+="[^"]*",?)*\})? -?[0-9.e+]+$|^[a-z_]+\{.*le="\+Inf".*\} \d+$'
)


def parse_metrics(text: str) -> dict[str, float]:
    """Check the exposition format line by line; return {name{labels}: value}."""
    declared: set[str] = set()
    out = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            declared.add(line.split()[2])
            continue
        if line.startswith("# HELP "):
            continue
        assert SAMPLE_LINE.match(line), line
        name = re.split(r"[{ ]", line, maxsplit=1)[0]
        assert re.sub(r"_(bucket|sum|count)$", "", name) in declared, line
        key, value = line.rsplit(" ", 1)
        out[key] = float(value)
    return out


def test_metrics(server: DashboardServer) -> None:
    status, ctype, body = fetch(server, "/metrics")
    assert status == 200 and ctype.startswith("text/plain; version=0.0.4")
    m = parse_metrics(body)
    run = 'run_id="sample-run"'
    assert m[f'conveyor_tasks{{{run},app="simulate",state="exec_done"}}'] == 7
    assert m[f'conveyor_tasks{{{run},app="analyse",state="dep_fail"}}'] == 1
    assert m[f'conveyor_task_run_seconds_count{{{run},app="simulate"}}'] == 7
    assert m[f'conveyor_task_run_seconds_bucket{{{run},app="simulate",le="+Inf"}}'] == 7
    assert (
        m[f'conveyor_task_run_seconds_bucket{{{run},app="simulate",le="0.5"}}'] == 6
    )  # 0.0 .. 0.5 s
    assert m[f'conveyor_blocks{{{run},executor="htex",state="RUNNING"}}'] == 1
    assert m[f"conveyor_workers{{{run}}}"] == 8
    assert m[f"conveyor_tasks_queued{{{run}}}"] == 1
    assert m[f"conveyor_workflow_finished{{{run}}}"] == 1


def test_bad_database_is_a_clear_json_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not sqlite" * 100)
    for srv in serving(bad):
        status, ctype, body = fetch(srv, "/api/summary")
        assert status == 503 and "not an SQLite database" in json.loads(body)["error"]
        assert fetch(srv, "/metrics")[0] == 503


def test_metrics_of_a_real_run(tmp_path: Path) -> None:
    import monitoring_run as flow

    for srv in serving(flow.run_workflow(tmp_path)):
        status, _, body = fetch(srv, "/metrics")
        assert status == 200
        m = parse_metrics(body)
        tasks = {k: v for k, v in m.items() if k.startswith("conveyor_tasks{")}
        by_state: dict[str, float] = {}
        for key, value in tasks.items():
            state = re.search(r'state="([a-z_]+)"', key)
            assert state
            by_state[state.group(1)] = by_state.get(state.group(1), 0) + value
        assert by_state == flow.EXPECTED_STATES
        square = [
            v
            for k, v in m.items()
            if k.startswith("conveyor_task_run_seconds_count") and 'app="square"' in k
        ]
        assert square == [8]
        assert any(k.startswith("conveyor_blocks{") for k in m)
        assert [v for k, v in m.items() if k.startswith("conveyor_workflow_finished")] == [1]
