"""Grid Engine at the command level: argv, the job script, and parsing of qsub/qstat/qacct
outputs (tests/data/batch/gridengine: ``*_real`` and ``qacct_*`` were captured from the
real Son of Grid Engine 8.1.9 the tests in tests/gridengine/ start; ``qstat_states.xml``
holds, in the same format, one job per state letter combination qstat(1) documents)."""

from pathlib import Path

import pytest

from conveyor.launchers import SimpleLauncher
from conveyor.providers.batch import JobScript
from conveyor.providers.gridengine import GridEngineProvider
from conveyor.providers.gridengine import commands as ge
from conveyor.providers.gridengine.template import render_job_script
from conveyor.providers.states import JobState

DATA = Path(__file__).parents[2] / "data" / "batch" / "gridengine"


def test_parsls_parameters_and_defaults() -> None:
    p = GridEngineProvider()
    assert (p.options.walltime, p.options.cmd_timeout, p.label) == ("00:10:00", 60, "grid_engine")
    assert p.queue is None
    assert GridEngineProvider(2, 0, 0, 3).options.max_blocks == 3


def test_job_script() -> None:
    opts = GridEngineProvider(
        walltime="02:00:00",
        scheduler_options="#$ -pe smp 4",
        worker_init="conda activate x",
        launcher=SimpleLauncher(),
    ).options
    script = JobScript("conveyor.b-0", "/s/b.stdout", "/s/b.stderr", "POOL", 1, "/s")
    lines = render_job_script(opts, script).splitlines()
    assert lines[:8] == [
        "#!/bin/bash",
        "#$ -S /bin/bash",
        "#$ -N conveyor.b-0",
        "#$ -o /s/b.stdout",
        "#$ -e /s/b.stderr",
        "#$ -cwd",
        "#$ -l h_rt=02:00:00",
        "#$ -pe smp 4",
    ]
    assert lines.index("conda activate x") < lines.index("POOL")


def test_argv() -> None:
    assert ge.qsub_argv("/s/b.submit") == ["qsub", "-terse", "/s/b.submit"]
    assert ge.qsub_argv("/s/b.submit", "all.q") == ["qsub", "-terse", "-q", "all.q", "/s/b.submit"]
    assert ge.qstat_argv() == ["qstat", "-xml"]
    assert ge.qstat_argv(finished=True) == ["qstat", "-xml", "-s", "z"]
    assert ge.qacct_argv("7") == ["qacct", "-j", "7"]
    assert ge.qdel_argv(["7", "8"]) == ["qdel", "7", "8"]


def test_qsub_terse_output() -> None:
    assert ge.parse_qsub("12\n") == "12"
    assert ge.parse_qsub("13.1-4:1\n") == "13"
    refused = (DATA / "qsub_refused.stderr").read_text()
    assert ge.parse_qsub(refused) is None and "unknown queue" in refused


def test_real_qstat_xml() -> None:
    assert ge.parse_qstat_xml((DATA / "qstat_real.xml").read_text()) == {
        "46": "r",
        "47": "r",
        "48": "hqw",
    }
    finished = ge.parse_qstat_xml((DATA / "qstat_finished_real.xml").read_text())
    assert set(finished.values()) == {"z"} and set(finished) == {"44", "45", "46", "47", "48"}


def test_every_documented_state_is_parsed_and_mapped() -> None:
    states = ge.parse_qstat_xml((DATA / "qstat_states.xml").read_text())
    assert set(states.values()) == set(ge.GRIDENGINE_STATES) - {"z"}
    for letters in states.values():
        assert ge.seen(letters).state is ge.GRIDENGINE_STATES[letters]
    assert ge.seen("Eqw").state is JobState.FAILED
    assert ge.seen("hqw").state is JobState.HELD
    assert ge.seen("xyz").state is JobState.UNKNOWN


@pytest.mark.parametrize(
    ("name", "state", "code", "words"),
    [
        ("completed", JobState.COMPLETED, 0, "exit_status 0"),
        ("failed", JobState.FAILED, 3, "exit_status 3"),
        ("deleted", JobState.FAILED, 137, "assumedly after job"),
        ("h_rt", JobState.TIMEOUT, 137, "h_rt"),
    ],
)
def test_real_accounting_records(name: str, state: JobState, code: int, words: str) -> None:
    seen = ge.finished(ge.parse_qacct((DATA / f"qacct_{name}.txt").read_text()))
    assert (seen.state, seen.exit_code) == (state, code), seen
    assert words in seen.detail


def test_qacct_keeps_the_last_of_several_records() -> None:
    text = (DATA / "qacct_failed.txt").read_text() + (DATA / "qacct_completed.txt").read_text()
    assert ge.parse_qacct(text)["exit_status"] == "0"
    assert ge.parse_qacct((DATA / "qacct_unknown.out").read_text()).get("failed") is None
