"""PBS Pro, Torque, LSF and HTCondor providers driven against a fake batch system
(fakebatch/fakebatch.py: their commands on PATH, jobs kept in a directory and run as local
process groups, outputs in the documented formats): submit, watch, cancel, refusals,
undocumented states, and an HTEX workflow across two blocks for each system.

These are not real schedulers: they check that each provider drives its commands and
reads their documented outputs end to end, not how a real PBS/LSF/HTCondor behaves."""

import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

import conveyor
from conveyor import Config, python_app
from conveyor.errors import SubmitException
from conveyor.executors.blocks.states import BlockState
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.launchers import SimpleLauncher, SingleNodeLauncher
from conveyor.providers.batch import BatchProvider
from conveyor.providers.condor import CondorProvider
from conveyor.providers.lsf import LSFProvider
from conveyor.providers.pbspro import PBSProProvider
from conveyor.providers.states import JobState, JobStatus
from conveyor.providers.torque import TorqueProvider

FAKE = Path(__file__).with_name("fakebatch") / "fakebatch.py"
COMMANDS = "qsub qstat qdel bsub bjobs bkill condor_submit condor_q condor_history condor_rm"
SYSTEMS: dict[str, Callable[..., BatchProvider]] = {
    "pbspro": PBSProProvider,
    "torque": TorqueProvider,
    "lsf": LSFProvider,
    "condor": CondorProvider,
}


@pytest.fixture
def fake_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The fake's commands on PATH; at the end, no job of it is left running."""
    bin_dir, jobs = tmp_path / "bin", tmp_path / "jobs"
    bin_dir.mkdir()
    for name in COMMANDS.split():
        wrapper = bin_dir / name
        wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} {FAKE} {name} "$@"\n')
        wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKEBATCH_DIR", str(jobs))
    yield jobs
    left = []
    for pid_file in jobs.glob("*.pid"):
        pgid = int(pid_file.read_text())
        if any(_in_group(p, pgid) for p in psutil.process_iter()):
            left.append(pid_file.stem)
            os.killpg(pgid, signal.SIGKILL)
    assert not left, f"jobs still running after the test: {left}"


def _kill_group(pgid: int) -> None:
    """SIGKILL a job's process group and wait until none of it is left."""
    os.killpg(pgid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(_in_group(p, pgid) for p in psutil.process_iter()):
        assert time.monotonic() < deadline, f"process group {pgid} outlived SIGKILL"
        time.sleep(0.05)


def _in_group(proc: psutil.Process, pgid: int) -> bool:
    try:
        return os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE
    except (ProcessLookupError, psutil.Error):
        return False


def _provider(system: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> Any:
    monkeypatch.setenv("FAKEBATCH_DIALECT", system)
    provider = SYSTEMS[system](launcher=SimpleLauncher(), **kw)
    provider.script_dir = str(tmp_path / "scripts")
    return provider


def _until(provider: BatchProvider, job: str, want: Callable[[JobStatus], bool]) -> JobStatus:
    deadline = time.monotonic() + 30
    while True:
        (status,) = provider.status([job])
        if want(status) or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.usefixtures("fake_batch")
def test_a_job_runs_completes_and_a_failing_one_fails(
    system: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = _provider(system, tmp_path, monkeypatch)
    good = provider.submit("echo hello from $JOBNAME", 1, "conveyor.good")
    bad = provider.submit("exit 3", 1, "conveyor.bad")
    done = _until(provider, good, lambda s: s.terminal)
    assert done.state is JobState.COMPLETED, done
    assert done.stdout is not None and "hello from conveyor.good" in done.stdout
    failed = _until(provider, bad, lambda s: s.terminal)
    assert (failed.state, failed.exit_code) == (JobState.FAILED, 3), failed


@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.usefixtures("fake_batch")
def test_cancel_ends_a_running_job(
    system: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = _provider(system, tmp_path, monkeypatch)
    job = provider.submit("sleep 60", 1, "conveyor.sleeper")
    assert _until(provider, job, lambda s: s.state is JobState.RUNNING).state is JobState.RUNNING
    assert provider.cancel([job]) == [True]
    assert _until(provider, job, lambda s: s.terminal).state is JobState.CANCELLED


@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.usefixtures("fake_batch")
def test_a_job_never_known_is_missing_and_its_cancel_fails(
    system: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = _provider(system, tmp_path, monkeypatch)
    unknown = "999.0" if system == "condor" else "999"
    (status,) = provider.status([unknown])
    assert status.state is JobState.MISSING, status
    assert provider.cancel([unknown]) == [False]


@pytest.mark.parametrize("system", SYSTEMS)
def test_an_undocumented_state_is_logged_and_changes_nothing(
    system: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fake_batch: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider = _provider(system, tmp_path, monkeypatch)
    job = provider.submit("sleep 60", 1, "conveyor.odd")
    assert _until(provider, job, lambda s: s.state is JobState.RUNNING).state is JobState.RUNNING
    (fake_batch / f"{job.split('.')[0]}.state").write_text("ZZ")
    with caplog.at_level(logging.WARNING, logger="conveyor.providers.batch"):
        (status,) = provider.status([job])
    assert status.state is JobState.RUNNING, status
    assert "undocumented state 'ZZ'" in caplog.text
    (fake_batch / f"{job.split('.')[0]}.state").unlink()
    provider.cancel([job])
    assert _until(provider, job, lambda s: s.terminal).state is JobState.CANCELLED


@pytest.mark.usefixtures("fake_batch")
def test_a_refused_job_carries_the_schedulers_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = _provider("pbspro", tmp_path, monkeypatch, queue="nosuch")
    with pytest.raises(SubmitException, match="qsub: Unknown queue") as info:
        provider.submit("true", 1, "conveyor.refused")
    assert info.value.retcode == 170 and "PBS Pro refused the job" in info.value.message


@pytest.mark.usefixtures("fake_batch")
def test_lsf_can_submit_the_script_on_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = _provider("lsf", tmp_path, monkeypatch, bsub_redirection=True)
    job = provider.submit("echo piped", 1, "conveyor.stdin")
    status = _until(provider, job, lambda s: s.terminal)
    assert status.state is JobState.COMPLETED and "piped" in (status.stdout or "")


@pytest.mark.parametrize("system", ["pbspro", "torque"])
def test_a_job_ended_on_a_server_without_history_is_completed(
    system: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_batch: Path
) -> None:
    provider = _provider(system, tmp_path, monkeypatch)
    provider.grace = 0.0
    job = provider.submit("sleep 1; echo finished", 1, "conveyor.nohistory")
    (fake_batch / f"{job.split('.')[0]}.purge").touch()
    assert _until(provider, job, lambda s: s.state is JobState.RUNNING).state is JobState.RUNNING
    status = _until(provider, job, lambda s: s.terminal)
    assert status.state is JobState.COMPLETED, status
    assert "keeps no record" in (status.message or "") and "finished" in (status.stdout or "")


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_running_job_the_system_forgets_is_missing(
    system: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_batch: Path
) -> None:
    provider = _provider(system, tmp_path, monkeypatch)
    provider.grace = 0.0
    job = provider.submit("sleep 60", 1, "conveyor.forgotten")
    number = job.split(".")[0]
    assert _until(provider, job, lambda s: s.state is JobState.RUNNING).state is JobState.RUNNING
    (fake_batch / f"{number}.forget").touch()
    try:
        (status,) = provider.status([job])
        assert status.state is JobState.MISSING, status
    finally:
        _kill_group(int((fake_batch / f"{number}.pid").read_text()))


@python_app
def job_name(delay: float) -> str:
    import os
    import time

    time.sleep(delay)
    return os.environ["JOBNAME"]


@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.usefixtures("fake_batch")
def test_an_htex_workflow_across_two_blocks(
    system: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKEBATCH_DIALECT", system)
    provider = SYSTEMS[system](init_blocks=2, max_blocks=2, launcher=SingleNodeLauncher())
    htex = HighThroughputExecutor(label="fake_htex", provider=provider, max_workers_per_node=2)
    config = Config(executors=[htex], run_dir=str(tmp_path / "run"), strategy_period=0.5)
    with conveyor.load(config):
        deadline = time.monotonic() + 60
        while htex.statistics().extra["managers"] < 2:
            assert time.monotonic() < deadline, "the two blocks' pools never connected"
            time.sleep(0.1)
        names = [f.result(timeout=120) for f in [job_name(0.01) for _ in range(200)]]
        assert htex._blocks is not None
        assert set(htex._blocks.block_states().values()) == {BlockState.RUNNING}
    assert len(names) == 200
    assert set(names) == {"conveyor.fake_htex.block-0", "conveyor.fake_htex.block-1"}
