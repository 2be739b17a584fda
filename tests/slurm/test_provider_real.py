"""SlurmProvider against a real slurmctld with four slurmd nodes: submit, status, cancel."""

import time
from pathlib import Path

import pytest

from conveyor.errors import SubmitException
from conveyor.launchers import SimpleLauncher, SrunLauncher
from conveyor.providers.slurm import SlurmProvider
from conveyor.providers.states import JobState, JobStatus

pytestmark = [pytest.mark.slurm, pytest.mark.usefixtures("slurm_cluster")]


def _provider(tmp_path: Path, **kw: object) -> SlurmProvider:
    options: dict[str, object] = {"walltime": "00:02:00", "launcher": SimpleLauncher()}
    options.update(kw)
    provider = SlurmProvider(**options)  # type: ignore[arg-type]
    provider.script_dir = str(tmp_path)
    return provider


def _wait_terminal(provider: SlurmProvider, job: str, timeout: float = 30) -> JobStatus:
    deadline = time.monotonic() + timeout
    while True:
        (status,) = provider.status([job])
        if status.terminal or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def test_a_job_runs_and_completes_with_its_output(tmp_path: Path) -> None:
    provider = _provider(tmp_path)
    job = provider.submit("echo hello from $SLURMD_NODENAME", 1, "conveyor.test")
    assert job.isdigit()
    status = _wait_terminal(provider, job)
    assert status.state is JobState.COMPLETED, status
    assert status.stdout is not None and "hello from n" in status.stdout
    script = next(tmp_path.glob("conveyor.test.*.submit")).read_text()
    assert "#SBATCH --time=00:02:00" in script and "#SBATCH --nodes=1" in script


def test_a_failing_job_is_failed(tmp_path: Path) -> None:
    provider = _provider(tmp_path)
    job = provider.submit("exit 3", 1, "conveyor.fails")
    assert _wait_terminal(provider, job).state is JobState.FAILED


def test_cancel_stops_a_running_job(tmp_path: Path) -> None:
    provider = _provider(tmp_path)
    job = provider.submit("sleep 60", 1, "conveyor.sleeper")
    deadline = time.monotonic() + 20
    while provider.status([job])[0].state is not JobState.RUNNING:
        assert time.monotonic() < deadline, "job never started"
        time.sleep(0.1)
    assert provider.cancel([job]) == [True]
    assert _wait_terminal(provider, job).state is JobState.CANCELLED


def test_an_impossible_job_is_refused_with_slurms_words(tmp_path: Path) -> None:
    provider = _provider(tmp_path, nodes_per_block=5)
    with pytest.raises(SubmitException, match="Node count specification invalid") as info:
        provider.submit("true", 1, "conveyor.toobig")
    assert info.value.retcode == 1


def test_an_unknown_partition_is_refused(tmp_path: Path) -> None:
    provider = _provider(tmp_path, partition="nosuchpartition")
    with pytest.raises(SubmitException, match="(?i)invalid partition"):
        provider.submit("true", 1, "conveyor.badpart")


def test_a_job_slurm_never_knew_is_missing(tmp_path: Path) -> None:
    provider = _provider(tmp_path)
    (status,) = provider.status(["999999"])
    assert status.state is JobState.MISSING


def test_srun_launcher_starts_one_copy_per_node(tmp_path: Path) -> None:
    provider = _provider(tmp_path, nodes_per_block=2, launcher=SrunLauncher())
    job = provider.submit('echo "node=$SLURMD_NODENAME"', 1, "conveyor.srun")
    status = _wait_terminal(provider, job)
    assert status.state is JobState.COMPLETED, status.stderr
    assert status.stdout is not None
    nodes = {line.split("node=")[1] for line in status.stdout.splitlines() if "node=" in line}
    assert len(nodes) == 2, status.stdout
