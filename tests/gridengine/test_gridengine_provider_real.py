"""GridEngineProvider against a real sge_qmaster + sge_execd: submit, watch, cancel, refuse."""

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conveyor.errors import SubmitException
from conveyor.launchers import SimpleLauncher
from conveyor.providers.gridengine import GridEngineProvider
from conveyor.providers.states import JobState, JobStatus

pytestmark = [pytest.mark.gridengine, pytest.mark.usefixtures("gridengine")]

Jobs = Callable[[], list[tuple[str, str, str]]]


def _provider(tmp_path: Path, **kw: object) -> GridEngineProvider:
    options: dict[str, object] = {"walltime": "00:02:00", "launcher": SimpleLauncher()}
    options.update(kw)
    provider = GridEngineProvider(**options)
    provider.script_dir = str(tmp_path)
    return provider


def _wait(provider: GridEngineProvider, job: str, want: Callable[[JobStatus], bool]) -> JobStatus:
    deadline = time.monotonic() + 60
    while True:
        (status,) = provider.status([job])
        if want(status) or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def _terminal(provider: GridEngineProvider, job: str) -> JobStatus:
    return _wait(provider, job, lambda s: s.terminal)


def test_a_job_runs_and_completes_with_its_output(tmp_path: Path) -> None:
    provider = _provider(tmp_path)
    job = provider.submit("echo hello from $JOB_ID on $HOSTNAME", 1, "conveyor.test")
    assert job.isdigit()
    status = _terminal(provider, job)
    assert status.state is JobState.COMPLETED, status
    assert status.exit_code == 0
    assert status.stdout is not None and f"hello from {job} on" in status.stdout
    script = next(tmp_path.glob("conveyor.test.*.submit")).read_text()
    assert "#$ -l h_rt=00:02:00" in script and "#$ -N conveyor.test" in script


def test_a_failing_job_is_failed_with_its_exit_status(tmp_path: Path) -> None:
    provider = _provider(tmp_path)
    job = provider.submit("exit 3", 1, "conveyor.fails")
    status = _terminal(provider, job)
    assert status.state is JobState.FAILED, status
    assert status.exit_code == 3 and "exit_status 3" in (status.message or "")


def test_a_job_over_its_walltime_is_timeout(tmp_path: Path) -> None:
    provider = _provider(tmp_path, walltime="00:00:02")
    job = provider.submit("sleep 60", 1, "conveyor.slow")
    status = _terminal(provider, job)
    assert status.state is JobState.TIMEOUT, status
    assert "h_rt" in (status.message or "")


def test_cancel_stops_a_running_job(tmp_path: Path, qstat_jobs: Jobs) -> None:
    provider = _provider(tmp_path)
    job = provider.submit("sleep 60", 1, "conveyor.sleeper")
    assert _wait(provider, job, lambda s: s.state is JobState.RUNNING).state is JobState.RUNNING
    assert provider.cancel([job]) == [True]
    assert _terminal(provider, job).state is JobState.CANCELLED
    deadline = time.monotonic() + 30
    while job in [j for j, _, _ in qstat_jobs()]:
        assert time.monotonic() < deadline, "the cancelled job stayed in qstat"
        time.sleep(0.2)
    (status,) = provider.status([job])
    assert status.state is JobState.CANCELLED, status


def test_a_held_job_is_held_and_can_be_cancelled(tmp_path: Path) -> None:
    provider = _provider(tmp_path, scheduler_options="#$ -h")
    job = provider.submit("true", 1, "conveyor.held")
    status = _wait(provider, job, lambda s: s.state is not JobState.PENDING)
    assert status.state is JobState.HELD and status.message == "hqw", status
    assert provider.cancel([job]) == [True]
    assert _terminal(provider, job).state is JobState.CANCELLED


def test_an_unknown_queue_is_refused_with_grid_engines_words(tmp_path: Path) -> None:
    provider = _provider(tmp_path, queue="nosuch.q")
    with pytest.raises(SubmitException, match="nosuch.q") as info:
        provider.submit("true", 1, "conveyor.badqueue")
    assert info.value.retcode not in (0, None)
    assert "Grid Engine refused the job" in info.value.message


def test_a_job_grid_engine_never_knew_is_missing(tmp_path: Path) -> None:
    provider = _provider(tmp_path)
    (status,) = provider.status(["999999"])
    assert status.state is JobState.MISSING


def test_cancelling_an_unknown_job_says_so(tmp_path: Path) -> None:
    provider = _provider(tmp_path)
    assert provider.cancel(["999999"]) == [False]


def test_scheduler_options_reach_grid_engine(tmp_path: Path) -> None:
    provider = _provider(tmp_path, scheduler_options="#$ -pe conveyor 2")
    job = provider.submit('echo "slots=$NSLOTS pe=$PE"', 1, "conveyor.pe")
    status = _terminal(provider, job)
    assert status.state is JobState.COMPLETED, status
    assert "slots=2 pe=conveyor" in (status.stdout or ""), status.stdout
