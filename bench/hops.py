"""Where one task's round trip goes, hop by hop, measured inside every process.

    python bench/hops.py [N] [PAYLOAD_BYTES]

Runs N sequential no-op app calls (or, with PAYLOAD_BYTES, calls that get that many bytes
and return them) through the kernel on the benchmarked HTEX (bench_config)
with hop_marks/sitecustomize.py loaded in every process (client, interchange, pool
manager, workers). It marks each task where it crosses a boundary:

    submit (app call reaches the HTEX client) -> ix_recv (the interchange decoded the
    Submit) -> ix_sent (Tasks sent to a pool) -> mgr_recv -> mgr_to_worker -> worker_recv
    (started) -> worker_done (finished) -> mgr_from_worker -> mgr_flush -> ix_recv_result
    -> ix_sent_result -> client_recv -> settled (AppFuture's outcome handed over) -> woke
    (the user's ``result()`` returned)

and prints the median of each hop (µs) and its share of the sum. Every process's clock
is CLOCK_MONOTONIC, one clock per machine. The marks cost a few µs each (a line written
to a file), so the sum is a little above the latency case's median.
"""

import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAGES = [
    "submit", "ix_recv", "ix_sent", "mgr_recv", "mgr_to_worker", "worker_recv",
    "worker_done", "mgr_from_worker", "mgr_flush", "ix_recv_result", "ix_sent_result",
    "client_recv", "settled", "woke",
]  # fmt: skip


def workload(n: int, run_dir: str, size: int = 0) -> None:
    """In the child: warm up, then N sequential round trips, marking the user's wake-up."""
    import time

    from bench_config import config
    from sitecustomize import mark

    import conveyor

    @conveyor.python_app
    def echo(blob: bytes) -> bytes:
        return blob

    blob = os.urandom(size)
    dfk = conveyor.load(config(run_dir))
    for _ in range(50):
        echo(blob).result()
    mark(f"start {time.monotonic_ns()}\nignore")
    for _ in range(n):
        echo(blob).result()
        mark("woke")
    dfk.cleanup()


def read_marks(prefix: str) -> dict[str, list[int]]:
    """Every stage's marks after the warm-up, in time order."""
    lines = [
        ln.split() for fn in glob.glob(prefix + ".*") for ln in Path(fn).read_text().splitlines()
    ]
    start = max(int(t) for stage, t in lines if stage == "start")
    marks: dict[str, list[int]] = {stage: [] for stage in STAGES}
    for stage, t in lines:
        if stage in marks and int(t) > start:
            marks[stage].append(int(t))
    return {stage: sorted(ts) for stage, ts in marks.items()}


def hops(marks: dict[str, list[int]]) -> list[tuple[str, float]]:
    """Median µs from each stage to the next (the k-th mark of each stage is task k)."""
    n = min(len(ts) for ts in marks.values())
    out = []
    for a, b in zip(STAGES, STAGES[1:], strict=False):
        out.append(
            (f"{a} -> {b}", statistics.median((marks[b][k] - marks[a][k]) / 1e3 for k in range(n)))
        )
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "marks")
        env = dict(os.environ, CONVEYOR_HOP_MARKS=prefix)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(HERE / "hop_marks"), str(HERE), env.get("PYTHONPATH", "")]
        )
        code = f"import hops; hops.workload({n}, {tmp + '/run'!r}, {size})"
        subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=HERE)
        rows = hops(read_marks(prefix))
    total = sum(us for _, us in rows)
    print("| hop | median µs | share |\n|---|---|---|")
    for name, us in rows:
        print(f"| {name} | {us:,.1f} | {us / total:.0%} |")
    print(f"| sum of the medians | {total:,.1f} | |")
    print(json.dumps({name: round(us, 1) for name, us in rows}))


if __name__ == "__main__":
    main()
