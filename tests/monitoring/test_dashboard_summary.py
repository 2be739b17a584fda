"""Pure aggregations behind the dashboard, the CLI and /metrics (no database needed)."""

from __future__ import annotations

from conveyor.monitoring.summary import node_resources, task_resources, timeline
from conveyor.monitoring.text import duration, table


def test_timeline_counts_tasks_per_state_at_each_point() -> None:
    changes = [
        (0.0, 1, "pending"),
        (0.0, 2, "pending"),
        (1.0, 1, "launched"),
        (2.0, 1, "running"),
        (3.0, 1, "exec_done"),
        (3.5, 1, "running_ended"),  # a worker's later clock: the task stays done
        (4.0, 2, "dep_fail"),
    ]
    t = timeline(changes, 0.0, 4.0, points=5)
    assert t["times"] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert t["series"] == {
        "pending": [2, 1, 1, 1, 0],
        "launched": [0, 1, 0, 0, 0],
        "running": [0, 0, 1, 0, 0],
        "exec_done": [0, 0, 0, 1, 1],
        "dep_fail": [0, 0, 0, 0, 1],
    }


def sample(t: float, cpu: float, rss: int, task: int = 1, host: str = "n1") -> dict[str, object]:
    return {
        "task_id": task,
        "try_id": 0,
        "time": t,
        "pid": 10 + task,
        "user": cpu,
        "system": 0.0,
        "rss": rss * 2**20,
        "mem_pct": 1.0,
        "host": host,
    }


def test_cpu_comes_from_cpu_time_between_samples() -> None:
    r = task_resources([sample(10.0, 1.0, 100), sample(11.0, 1.5, 110), sample(13.0, 3.5, 120)])
    assert r["times"] == [10.0, 11.0, 13.0] and r["rss"] == [100.0, 110.0, 120.0]
    assert r["cpu_times"] == [11.0, 13.0] and r["cpu"] == [50.0, 100.0]


def test_node_resources_sum_the_tasks_of_each_node_per_second() -> None:
    rows = [
        sample(10.0, 0.0, 100, task=1),
        sample(10.2, 0.0, 50, task=2),
        sample(11.0, 1.0, 100, task=1),
        sample(11.2, 0.5, 50, task=2),
        sample(11.0, 0.0, 70, task=3, host="n2"),
    ]
    nodes = node_resources(rows)
    assert nodes["n1"]["times"] == [10.0, 11.0] and nodes["n1"]["rss"] == [150.0, 150.0]
    assert nodes["n1"]["cpu_times"] == [11.0] and nodes["n1"]["cpu"] == [150.0]
    assert nodes["n2"]["rss"] == [70.0] and nodes["n2"]["cpu"] == []


def test_table_aligns_numbers_and_fits_the_width() -> None:
    text = table(
        ("name", "n", "time"), [("alpha", 5, duration(0.5)), ("b", 12, duration(75))], width=40
    )
    assert text.splitlines() == ["name    n  time", "alpha   5  0.50s", "b      12  1m15s"]
    cut = table(("name",), [("x" * 80,)], width=20).splitlines()[1]
    assert len(cut) == 20 and cut.endswith("…")
    assert [duration(s) for s in (None, 3.14159, 42.0, 7322)] == ["-", "3.14s", "42.0s", "2h02m"]
