"""PBS Pro and Torque at the command level: argv, job scripts, and every documented state
parsed from outputs written as those systems document them (tests/data/batch/)."""

from pathlib import Path

import pytest

from conveyor.errors import ConfigurationError
from conveyor.launchers import AprunLauncher, SimpleLauncher
from conveyor.providers.batch import JobScript
from conveyor.providers.pbspro import PBSProProvider
from conveyor.providers.pbspro import commands as pbs
from conveyor.providers.pbspro.template import render_job_script as render_pbs
from conveyor.providers.states import JobState
from conveyor.providers.torque import TorqueProvider
from conveyor.providers.torque import commands as torque
from conveyor.providers.torque.template import render_job_script as render_torque

DATA = Path(__file__).parents[2] / "data" / "batch"
SCRIPT = JobScript("conveyor.b-0", "/s/b.stdout", "/s/b.stderr", "POOL --x", 4, "/s")


def test_pbspro_takes_parsls_parameters_and_defaults() -> None:
    p = PBSProProvider()
    assert (p.options.walltime, p.options.cmd_timeout, p.options.cpus_per_node) == (
        "00:20:00",
        120,
        1,
    )
    assert p.label == "pbspro" and p.account is None and p.queue is None
    positional = PBSProProvider("acct", "debug", "#PBS -l filesystems=home", "ngpus=4")
    assert positional.options.select_options == "ngpus=4"
    assert positional.options.scheduler_options == "#PBS -l filesystems=home"
    with pytest.raises(ConfigurationError):
        PBSProProvider(queue="bad queue; rm -rf /")
    with pytest.raises(ConfigurationError):
        PBSProProvider(cpus_per_node=0)


def test_pbspro_job_script_has_select_walltime_and_files() -> None:
    opts = PBSProProvider(
        nodes_per_block=2,
        cpus_per_node=32,
        select_options="ngpus=4",
        walltime="1:00:00",
        scheduler_options="#PBS -l filesystems=home:eagle",
        worker_init="module load conda",
        launcher=SimpleLauncher(),
    ).options
    text = render_pbs(opts, SCRIPT)
    lines = text.splitlines()
    assert lines[:8] == [
        "#!/bin/bash",
        "#PBS -S /bin/bash",
        "#PBS -N conveyor.b-0",
        "#PBS -m n",
        "#PBS -l walltime=01:00:00",
        "#PBS -l select=2:ncpus=32:ngpus=4",
        "#PBS -o /s/b.stdout",
        "#PBS -e /s/b.stderr",
    ]
    assert lines[8] == "#PBS -l filesystems=home:eagle"
    assert "export CONVEYOR_BLOCK_DEADLINE=$(( $(date +%s) + 3600 ))" in lines
    assert lines.index("module load conda") < lines.index("POOL --x")


def test_pbspro_select_options_keep_a_given_colon() -> None:
    assert PBSProProvider(select_options=":mem=8gb").options.select == "1:ncpus=1:mem=8gb"
    assert PBSProProvider().options.select == "1:ncpus=1"


def test_pbspro_argv() -> None:
    assert pbs.qsub_argv("/s/b.submit", None, None) == ["qsub", "/s/b.submit"]
    assert pbs.qsub_argv("/s/b.submit", "debug", "acct") == [
        "qsub",
        "-q",
        "debug",
        "-A",
        "acct",
        "/s/b.submit",
    ]
    assert pbs.qstat_argv(["1.s", "2.s"]) == ["qstat", "-f", "-F", "json", "-x", "1.s", "2.s"]
    assert pbs.qdel_argv(["1.s", "2.s"]) == ["qdel", "1.s", "2.s"]


def test_pbspro_qsub_output_is_the_job_id() -> None:
    assert pbs.parse_qsub((DATA / "pbspro" / "qsub.out").read_text()) == "1234.pbs01"
    assert pbs.parse_qsub("42[].pbs01\n") == "42[].pbs01"
    assert pbs.parse_qsub("qsub: Unknown queue\n") is None


def test_every_documented_pbspro_state_is_parsed_and_mapped() -> None:
    jobs = pbs.parse_qstat_json((DATA / "pbspro" / "qstat_states.json").read_text())
    states = {attrs["job_state"]: pbs.seen(attrs) for attrs in jobs.values()}
    assert set(states) == set(pbs.PBSPRO_STATES) - {"F"}
    for word, seen in states.items():
        assert seen.word == word and seen.state is pbs.PBSPRO_STATES[word]
    assert "start time in the future" in states["W"].detail


@pytest.mark.parametrize(
    ("job_id", "state", "code"),
    [
        ("201.pbs01", JobState.COMPLETED, 0),
        ("202.pbs01", JobState.FAILED, 3),
        ("203.pbs01", JobState.TIMEOUT, 271),
        ("204.pbs01", JobState.FAILED, 271),
        ("205.pbs01", JobState.CANCELLED, None),
        ("206.pbs01", JobState.FAILED, -1),
    ],
)
def test_finished_pbspro_jobs_by_exit_status(job_id: str, state: JobState, code: int) -> None:
    jobs = pbs.parse_qstat_json((DATA / "pbspro" / "qstat_finished.json").read_text())
    seen = pbs.seen(jobs[job_id])
    assert (seen.state, seen.exit_code) == (state, code), seen


def test_pbspro_unknown_ids_are_not_an_error() -> None:
    assert pbs.only_unknown((DATA / "pbspro" / "qstat_unknown.stderr").read_text())
    assert pbs.only_unknown((DATA / "torque" / "qstat_unknown.stderr").read_text())
    assert not pbs.only_unknown("qstat: cannot connect to server pbs01 (errno=111)\n")
    assert not pbs.only_unknown("")
    assert pbs.parse_qstat_json("") == {}


def test_pbs_ids_match_with_or_without_the_server_part() -> None:
    assert pbs.same_job("12.pbs01.example.org", "12.pbs01")
    assert pbs.same_job("12", "12.pbs01")
    assert not pbs.same_job("12.pbs01", "121.pbs01")


def test_torque_takes_parsls_parameters_and_defaults() -> None:
    t = TorqueProvider()
    assert isinstance(t.launcher, AprunLauncher)
    assert (t.options.walltime, t.options.cmd_timeout, t.label) == ("00:20:00", 120, "torque")
    assert TorqueProvider("acct", "batch").options.queue == "batch"


def test_torque_job_script_puts_scheduler_options_first_and_nodes_ppn() -> None:
    opts = TorqueProvider(
        nodes_per_block=3,
        walltime="00:30:00",
        scheduler_options="#PBS -l pmem=2gb",
        launcher=SimpleLauncher(),
    ).options
    lines = render_torque(opts, SCRIPT).splitlines()
    assert lines[:9] == [
        "#!/bin/bash",
        "#PBS -l pmem=2gb",
        "#PBS -S /bin/bash",
        "#PBS -N conveyor.b-0",
        "#PBS -m n",
        "#PBS -l walltime=00:30:00",
        "#PBS -l nodes=3:ppn=4",
        "#PBS -o /s/b.stdout",
        "#PBS -e /s/b.stderr",
    ]


def test_every_documented_torque_state_is_parsed_and_mapped() -> None:
    assert torque.qstat_argv(["1.t"]) == ["qstat", "-x", "1.t"]
    jobs = torque.parse_qstat_xml((DATA / "torque" / "qstat.xml").read_text())
    seen = {job_id.split(".")[0]: torque.seen(attrs) for job_id, attrs in jobs.items()}
    words = {s.word for s in seen.values()}
    assert words == set(torque.TORQUE_STATES)
    for s in seen.values():
        if s.word != "C":
            assert s.state is torque.TORQUE_STATES[s.word]
    assert jobs["401.torque01"]["Resource_List.walltime"] == "00:20:00"
    assert (seen["408"].state, seen["408"].exit_code) == (JobState.COMPLETED, 0)
    assert (seen["409"].state, seen["409"].exit_code) == (JobState.FAILED, 3)
    assert seen["410"].state is JobState.TIMEOUT
    assert seen["411"].state is JobState.FAILED


def test_a_placeholder_walltime_is_accepted_and_its_blocks_refused(tmp_path: Path) -> None:
    provider = PBSProProvider(walltime="YOUR_WALLTIME")
    provider.script_dir = str(tmp_path)
    assert provider.block_seconds is None
    with pytest.raises(ConfigurationError, match="YOUR_WALLTIME"):
        provider.submit("true", 1, "conveyor.placeholder")
    with pytest.raises(ConfigurationError, match="walltime must be a string"):
        PBSProProvider(walltime=600)
