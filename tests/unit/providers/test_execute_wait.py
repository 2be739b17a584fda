"""Parsl's provider hook ``execute_wait(cmd, timeout=None) -> (retcode, stdout, stderr)``
and the ``resources`` table: every scheduler command of a batch provider goes through the
hook (a subclass replacing it sees and answers each one), and submitted jobs are listed
with their output paths, as Parsl's providers list them."""

import shlex
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from conveyor.providers.pbspro import PBSProProvider
from conveyor.providers.shell import command_line, execute_wait
from conveyor.providers.slurm import SlurmProvider
from conveyor.providers.states import JobState

RESOURCE_KEYS = {"job_id", "status", "job_stdout_path", "job_stderr_path"}


def test_execute_wait_returns_code_and_both_streams() -> None:
    assert execute_wait("echo out; echo err >&2; exit 3") == (3, "out\n", "err\n")


def test_a_missing_program_is_the_shells_127() -> None:
    code, out, err = execute_wait("no-such-program-conveyor-test")
    assert (code, out) == (127, "")
    assert "not found" in err


def test_command_line_keeps_every_argument_whole(tmp_path: Path) -> None:
    args = ["printf", "%s|", "a b", "$HOME", "x;y", "'q'"]
    assert execute_wait(command_line(args)) == (0, "a b|$HOME|x;y|'q'|", "")
    stdin = tmp_path / "in put.txt"
    stdin.write_text("from stdin\n")
    assert execute_wait(command_line(["cat"], str(stdin))) == (0, "from stdin\n", "")


def test_a_timeout_kills_the_whole_command(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    script = f"sleep 600 & echo $! > {shlex.quote(str(pid_file))}; wait"
    with pytest.raises(subprocess.TimeoutExpired):
        execute_wait(script, walltime=1)
    assert _ended(int(pid_file.read_text()))


def test_a_command_that_times_out_is_a_failed_command_to_a_provider(tmp_path: Path) -> None:
    provider = SlurmProvider(partition="debug", cmd_timeout=1)
    pid_file = tmp_path / "pid"
    script = f"sleep 600 & echo $! > {shlex.quote(str(pid_file))}; wait"
    result = provider._run(["sh", "-c", script])
    assert (result.returncode, result.ok) == (-1, False)
    assert "timed out after 1 s" in result.describe()
    assert _ended(int(pid_file.read_text()))


def _ended(pid: int) -> bool:
    """True once ``pid`` is gone or a zombie (killed; its new parent may not have reaped it)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


class Recorder:
    """Stands in for the scheduler: records each command line, answers from a script."""

    def __init__(self, answers: dict[str, tuple[int, str, str]]) -> None:
        self.answers = answers
        self.seen: list[tuple[str, float | None]] = []

    def __call__(self, cmd: str, timeout: float | None = None) -> tuple[int, str, str]:
        self.seen.append((cmd, timeout))
        program = shlex.split(cmd)[0]
        return self.answers.get(program, (127, "", f"{program}: not found"))


def test_slurm_submit_and_status_go_through_execute_wait(tmp_path: Path) -> None:
    provider = SlurmProvider(partition="debug")
    provider.script_dir = tmp_path  # type: ignore[assignment]  # Parsl's tests give a Path
    hook = Recorder({"sbatch": (0, "Submitted batch job 4242\n", "")})
    provider.execute_wait = hook  # type: ignore[method-assign]
    assert provider.submit("pool --x", tasks_per_node=1, job_name="blk") == "4242"
    sbatch = shlex.split(hook.seen[0][0])
    assert sbatch[0] == "sbatch"
    script = Path(sbatch[-1])
    assert script.parent == tmp_path and "pool --x" in script.read_text()

    job = provider.resources["4242"]
    assert set(job) == RESOURCE_KEYS
    assert job["status"].state is JobState.PENDING
    assert Path(job["job_stdout_path"]).parent == tmp_path
    assert job["job_stdout_path"] != job["job_stderr_path"]

    hook.answers["squeue"] = (0, "4242|RUNNING|None\n", "")
    (status,) = provider.status(["4242"])
    assert status.state is JobState.RUNNING
    assert shlex.split(hook.seen[-1][0])[0] == "squeue"
    assert provider.resources["4242"]["status"].state is JobState.RUNNING


def test_pbspro_submit_uses_the_hook_and_lists_the_job(tmp_path: Path) -> None:
    provider = PBSProProvider(queue="debug")
    provider.script_dir = tmp_path  # type: ignore[assignment]
    hook = Recorder({"qsub": (0, "777.server\n", "")})
    provider.execute_wait = hook  # type: ignore[method-assign]
    assert provider.submit("pool", tasks_per_node=2) == "777.server"
    qsub = shlex.split(hook.seen[0][0])
    assert qsub[:3] == ["qsub", "-q", "debug"]
    assert Path(qsub[-1]).parent == tmp_path and "pool" in Path(qsub[-1]).read_text()
    job = provider.resources["777.server"]
    assert set(job) == RESOURCE_KEYS
    assert Path(job["job_stderr_path"]).parent == tmp_path


def test_the_hook_defaults_to_the_providers_cmd_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[float | None] = []

    def fake(cmd: str, timeout: float | None = None) -> tuple[int, str, str]:
        calls.append(timeout)
        return 0, "", ""

    monkeypatch.setattr("conveyor.providers.shell.execute_wait", fake)
    provider = SlurmProvider(partition="debug", cmd_timeout=7)
    provider.execute_wait("true")
    provider.execute_wait("true", 3)
    assert calls == [7, 3]
