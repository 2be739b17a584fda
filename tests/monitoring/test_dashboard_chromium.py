"""The dashboard in a real headless Chromium, over a real run's monitoring database.

`conveyor dashboard` runs as a subprocess; Chromium (Debian's `chromium`, installed by
`make test-deps` when root) loads the page with its JavaScript, and the test reads the
rendered DOM (`--dump-dom`) and a screenshot (`--screenshot`, decoded here with zlib).
Without Chromium the tests skip with the reason, except under CI=true where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import monitoring_run as flow
import pytest
from monitoring_run import GATED, wait_for_workflow_row

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        reason = "chromium is not installed (make test-deps installs it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="module")
def run_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return flow.run_workflow(tmp_path_factory.mktemp("squares"))


@pytest.fixture(scope="module")
def dashboard(run_db: Path) -> Iterator[str]:
    runinfo = run_db.parent if run_db.parent.name == "runinfo" else run_db.parent.parent
    errors = run_db.with_name("dashboard.stderr")
    with (
        errors.open("w") as err,
        subprocess.Popen(
            [sys.executable, "-m", "conveyor", "dashboard", str(runinfo), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        ) as proc,
    ):
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            match = re.search(r"http://127\.0\.0\.1:\d+/", line)
            assert match, (line, errors.read_text())
            yield match.group(0)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def browse(chromium: str, url: str, tmp: Path, *extra: str) -> str:
    """Load ``url`` in headless Chromium and let its scripts run; return stdout."""
    proc = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",  # root in a container
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp / 'profile'}",
            "--enable-logging=stderr",  # the page's console, to catch script errors
            "--v=0",
            "--virtual-time-budget=8000",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    errors = [line for line in proc.stderr.splitlines() if "CONSOLE" in line and "Uncaught" in line]
    assert not errors, errors
    return proc.stdout


def count(dom: str, element_id: str) -> int:
    match = re.search(rf'id="{element_id}" data-count="(\d+)"', dom)
    assert match, f"{element_id} not in the page"
    return int(match.group(1))


def test_overview_shows_the_runs_counts(chromium: str, dashboard: str, tmp_path: Path) -> None:
    dom = browse(chromium, dashboard, tmp_path, "--dump-dom")
    assert count(dom, "card-total") == flow.TOTAL
    assert count(dom, "card-done") == flow.EXPECTED_STATES["exec_done"]
    assert count(dom, "card-failures") == 3  # failed + dep_fail
    for state, n in flow.EXPECTED_STATES.items():
        assert count(dom, f"count-{state}") == n
    rows = re.findall(r'<tr class="link" data-task="(\d+)" data-state="([a-z_]+)"', dom)
    assert sorted(int(t) for t, _ in rows) == list(range(flow.TOTAL))
    assert sum(s == "failed" for _, s in rows) == 2
    assert "squares" in dom  # the workflow name in the header
    assert len(re.findall(r'<tr class="link" data-run="[^"]+"', dom)) == 1  # workflows table
    for app in flow.EXPECTED_APPS:
        assert f'data-app="{app}"' in dom
    assert dom.count("<polygon") >= 3  # the states-over-time chart has an area per state
    assert "Cannot show this database" not in dom


def test_task_page_tells_the_story(chromium: str, dashboard: str, tmp_path: Path) -> None:
    dom = browse(chromium, f"{dashboard}#/task/{flow.FLAKY_TASK}", tmp_path, "--dump-dom")
    assert f'id="task-heading" data-task="{flow.FLAKY_TASK}"' in dom
    states = re.findall(r'<tr data-state="([a-z_]+)">', dom)
    assert states[0] == "pending" and states[-1] == "failed"
    assert "fail_retryable" in states
    assert "bad input 0" in dom  # the error
    assert len(re.findall(r"<tr><td class=\"num\">\d</td>", dom)) == 2  # two tries


def png_pixels(path: Path) -> tuple[int, int, list[bytearray]]:
    """Decode an 8-bit RGB or RGBA, non-interlaced PNG into rows of bytes."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, bytearray(), (0, 0, 0, 0)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color = header
    assert depth == 8 and color in (2, 6), header
    bpp = 3 if color == 2 else 4
    raw, stride = zlib.decompress(bytes(idat)), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    return width, bpp, rows


def test_screenshot_is_not_blank(chromium: str, dashboard: str, tmp_path: Path) -> None:
    shot = tmp_path / "dashboard.png"
    browse(chromium, dashboard, tmp_path, f"--screenshot={shot}", "--window-size=1200,900")
    width, bpp, rows = png_pixels(shot)
    assert (width, len(rows)) == (1200, 900)
    lum = [
        (row[i] * 299 + row[i + 1] * 587 + row[i + 2] * 114) // 1000
        for row in rows[::3]
        for i in range(0, len(row), bpp * 3)
    ]
    mean = sum(lum) / len(lum)
    variance = sum((v - mean) ** 2 for v in lum) / len(lum)
    assert variance > 200, f"screenshot looks blank (luminance variance {variance:.0f})"
    colours = {bytes(row[i : i + 3]) for row in rows[::5] for i in range(0, len(row), bpp * 5)}
    assert len(colours) > 50  # state colours, text, charts — not one flat fill


def test_page_follows_a_running_workflow(chromium: str, tmp_path: Path) -> None:
    (tmp_path / "gated.py").write_text(GATED)
    run = subprocess.Popen(
        [sys.executable, "-m", "conveyor", "run", "gated.py"], cwd=tmp_path, stdout=subprocess.PIPE
    )
    try:
        db = wait_for_workflow_row(tmp_path, run)
        with subprocess.Popen(
            [sys.executable, "-m", "conveyor", "dashboard", str(db), "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
        ) as server:
            try:
                assert server.stdout is not None
                url = re.search(r"http://\S+/", server.stdout.readline())
                assert url, "the dashboard printed no address"
                for _ in range(30):  # the writer's first batches may still be coming
                    dom = browse(chromium, url.group(0), tmp_path, "--dump-dom")
                    if count(dom, "card-total") == 4:
                        break
                else:
                    raise AssertionError("the page never showed the 4 submitted tasks")
                assert count(dom, "card-done") == 0 and 'class="pill running"' in dom
                (tmp_path / "go").touch()
                assert run.wait(timeout=60) == 0
                dom = browse(chromium, url.group(0), tmp_path, "--dump-dom")
                assert count(dom, "card-done") == 4 and 'class="pill finished"' in dom
            finally:
                server.terminate()
    finally:
        (tmp_path / "go").touch()  # never leave the workflow waiting
        if run.poll() is None:
            run.kill()
        run.communicate()
