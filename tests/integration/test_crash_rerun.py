"""A workflow killed with SIGKILL mid-run is rerun: finished tasks come from its checkpoint.

The workflow is a real script in a subprocess (its own session, so ``kill -9`` of the
group takes HTEX's interchange and pool with it). Each execution of a task writes a
marker file, so the markers count how often each task really ran.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

N_TASKS = 8
N_QUICK = 5  # tasks 0..4 finish in the first run; 5..7 block until it is killed

SCRIPT = textwrap.dedent(
    """
    import sys
    from concurrent.futures import as_completed

    import conveyor
    from conveyor import Config, python_app
    from conveyor.elaborations.memoization import BasicMemoizer
    from conveyor.utils import get_all_checkpoints

    root, kind = sys.argv[1], sys.argv[2]
    N_TASKS, N_QUICK = int(sys.argv[3]), int(sys.argv[4])


    @python_app(cache=True)
    def step(i, markers, hold):
        import os, time, uuid
        open(os.path.join(markers, f"{i}-{uuid.uuid4().hex}"), "w").close()
        while i >= N_QUICK and os.path.exists(hold):
            time.sleep(0.05)
        return i * i


    def executor():
        if kind == "threads":
            from conveyor import ThreadPoolExecutor
            return ThreadPoolExecutor(label="threads", max_threads=N_TASKS)
        from conveyor import HighThroughputExecutor, LocalProvider
        return HighThroughputExecutor(
            label="htex", max_workers_per_node=N_TASKS, cores_per_worker=0.1, encrypted=False,
            provider=LocalProvider(init_blocks=1, max_blocks=1),
        )


    run_dir = f"{root}/runinfo"
    memoizer = BasicMemoizer(
        checkpoint_mode="task_exit", checkpoint_files=get_all_checkpoints(run_dir)
    )
    config = Config(executors=[executor()], run_dir=run_dir, memoizer=memoizer, strategy=None)
    with conveyor.load(config):
        # quick tasks first, so none waits in a queue behind a blocked one
        for batch in (range(N_QUICK), range(N_QUICK, N_TASKS)):
            futures = [step(i, f"{root}/markers", f"{root}/hold") for i in batch]
            for fut in as_completed(futures):
                how = "memo" if fut.story()[-1][1] == "MEMO_DONE" else "ran"
                print(how, fut.result(), flush=True)
    print("finished", flush=True)
    """
)


def _start(root: Path, kind: str) -> subprocess.Popen[str]:
    script = root / "workflow.py"
    script.write_text(SCRIPT)
    return subprocess.Popen(
        [sys.executable, str(script), str(root), kind, str(N_TASKS), str(N_QUICK)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _runs_per_task(root: Path) -> dict[int, int]:
    counts = dict.fromkeys(range(N_TASKS), 0)
    for marker in (root / "markers").iterdir():
        counts[int(marker.name.split("-")[0])] += 1
    return counts


def _run_until_quick_tasks_done_then_kill(root: Path, kind: str) -> None:
    (root / "markers").mkdir()
    (root / "hold").touch()
    proc = _start(root, kind)
    assert proc.stdout is not None
    done = 0
    try:
        while done < N_QUICK:
            line = proc.stdout.readline()
            assert line, "workflow exited before its quick tasks finished"
            done += line.startswith("ran ")
        while len(list((root / "markers").iterdir())) < N_TASKS:  # blocked tasks have started
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    (root / "hold").unlink()


def _rerun(root: Path, kind: str) -> list[str]:
    proc = _start(root, kind)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    lines = out.splitlines()
    assert lines[-1] == "finished"
    assert sorted(int(line.split()[1]) for line in lines[:-1]) == [i * i for i in range(N_TASKS)]
    return lines[:-1]


@pytest.mark.parametrize("kind", ["threads", "htex"])
def test_rerun_after_kill_reuses_finished_tasks(tmp_path: Path, kind: str) -> None:
    _run_until_quick_tasks_done_then_kill(tmp_path, kind)
    assert set(_runs_per_task(tmp_path).values()) == {1}  # every task started once

    lines = _rerun(tmp_path, kind)

    assert sum(line.startswith("memo ") for line in lines) == N_QUICK
    counts = _runs_per_task(tmp_path)
    assert [counts[i] for i in range(N_QUICK)] == [1] * N_QUICK, counts
    assert [counts[i] for i in range(N_QUICK, N_TASKS)] == [2] * (N_TASKS - N_QUICK), counts


def test_torn_last_checkpoint_record_is_ignored(tmp_path: Path) -> None:
    _run_until_quick_tasks_done_then_kill(tmp_path, "threads")
    checkpoint = tmp_path / "runinfo" / "000" / "checkpoint" / "tasks.pkl"
    size = checkpoint.stat().st_size
    assert size > 0, "the killed run left no checkpoint"
    with open(checkpoint, "r+b") as f:  # tear the last record, as a crash mid-write would
        f.truncate(size - 10)

    lines = _rerun(tmp_path, "threads")

    # the torn record (one task) is dropped; every earlier record is reused
    assert sum(line.startswith("memo ") for line in lines) == N_QUICK - 1
    counts = _runs_per_task(tmp_path)
    assert sorted(counts[i] for i in range(N_QUICK)) == [1] * (N_QUICK - 1) + [2], counts
