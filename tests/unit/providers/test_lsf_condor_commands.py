"""LSF and HTCondor at the command level: argv, job scripts and submit descriptions, and
every documented state parsed from outputs written as documented (tests/data/batch/)."""

from pathlib import Path

import pytest

from conveyor.errors import ConfigurationError
from conveyor.launchers import SimpleLauncher
from conveyor.providers.batch import JobScript
from conveyor.providers.condor import CondorProvider
from conveyor.providers.condor import commands as condor
from conveyor.providers.condor.template import render_job_script as condor_script
from conveyor.providers.condor.template import render_submit
from conveyor.providers.lsf import LSFProvider
from conveyor.providers.lsf import commands as lsf
from conveyor.providers.lsf.template import render_job_script as render_lsf
from conveyor.providers.states import JobState

DATA = Path(__file__).parents[2] / "data" / "batch"
SCRIPT = JobScript("conveyor.b-0", "/s/b.stdout", "/s/b.stderr", "POOL --x", 2, "/s")


def test_lsf_takes_parsls_parameters_and_defaults() -> None:
    p = LSFProvider()
    assert (p.options.walltime, p.options.cmd_timeout, p.label) == ("00:10:00", 120, "LSF")
    assert p.options.request_by_nodes and not p.options.bsub_redirection
    by_cores = LSFProvider(request_by_nodes=False, cores_per_block=10, cores_per_node=4)
    assert by_cores.nodes_per_block == 3
    with pytest.raises(ConfigurationError, match="cores_per_block and cores_per_node"):
        LSFProvider(request_by_nodes=False)


def test_lsf_job_script_by_nodes_and_by_cores() -> None:
    opts = LSFProvider(
        nodes_per_block=2,
        walltime="01:30:20",
        project="CSC123",
        queue="batch",
        scheduler_options="#BSUB -alloc_flags smt4",
        launcher=SimpleLauncher(),
    ).options
    lines = render_lsf(opts, SCRIPT).splitlines()
    assert lines[:9] == [
        "#!/bin/bash",
        "#BSUB -W 91",
        "#BSUB -J conveyor.b-0",
        "#BSUB -o /s/b.stdout",
        "#BSUB -e /s/b.stderr",
        "#BSUB -alloc_flags smt4",
        "#BSUB -P CSC123",
        "#BSUB -q batch",
        "#BSUB -nnodes 2",
    ]
    cores = LSFProvider(request_by_nodes=False, cores_per_block=8, cores_per_node=4).options
    text = render_lsf(cores, SCRIPT)
    assert '#BSUB -n 8\n#BSUB -R "span[ptile=4]"' in text and "-nnodes" not in text


def test_lsf_argv_and_bsub_output() -> None:
    assert lsf.bsub_argv("/s/b.submit", False) == (["bsub", "/s/b.submit"], None)
    assert lsf.bsub_argv("/s/b.submit", True) == (["bsub"], "/s/b.submit")
    assert lsf.bjobs_argv(["1", "2"]) == [
        "bjobs",
        "-a",
        "-o",
        "jobid stat exit_code exit_reason",
        "-json",
        "1",
        "2",
    ]
    assert lsf.bkill_argv(["1"]) == ["bkill", "1"]
    assert lsf.parse_bsub((DATA / "lsf" / "bsub.out").read_text()) == "4321"
    assert lsf.parse_bsub("Project 'x' does not exist. Job not submitted.\n") is None


def test_every_documented_lsf_state_is_parsed_and_mapped() -> None:
    records = lsf.parse_bjobs((DATA / "lsf" / "bjobs.json").read_text())
    assert "999" not in records, "a not-found record is no job"
    plain = {r["STAT"]: lsf.seen(r) for j, r in records.items() if int(j) < 320}
    assert set(plain) == set(lsf.LSF_STATES)
    for word, seen in plain.items():
        assert seen.state is lsf.LSF_STATES[word], word
    assert (plain["DONE"].exit_code, plain["EXIT"].exit_code) == (0, 3)
    assert lsf.seen(records["321"]).state is JobState.TIMEOUT
    assert lsf.seen(records["322"]).state is JobState.CANCELLED
    assert "TERM_RUNLIMIT" in lsf.seen(records["321"]).detail


def test_condor_takes_parsls_parameters_and_defaults() -> None:
    c = CondorProvider()
    assert (c.options.cmd_timeout, c.options.cmd_chunk_size, c.label) == (60, 100, "condor")
    assert c.block_seconds is None, "HTCondor enforces no walltime"
    slot = CondorProvider(cores_per_slot=4, mem_per_slot=2.5)
    assert (slot.cores_per_node, slot.mem_per_node) == (4, 2.5)
    with pytest.raises(ConfigurationError):
        CondorProvider(mem_per_slot=0)


def test_condor_submit_description_and_script() -> None:
    opts = CondorProvider(
        nodes_per_block=1,
        cores_per_slot=2,
        mem_per_slot=1.5,
        environment={"GREETING": 'it\'s "fine"'},
        project="myproj",
        requirements='OpSys == "LINUX"',
        transfer_input_files=["/data/in.txt"],
        scheduler_options="+WantFlocking = true",
        worker_init="source env.sh",
        launcher=SimpleLauncher(),
    ).options
    text = render_submit(opts, SCRIPT, "/s/b.script")
    for line in [
        "universe                = vanilla",
        "executable              = /bin/bash",
        "arguments               = b.script",
        "transfer_input_files    = /s/b.script,/data/in.txt",
        "output                  = /s/b.stdout",
        "log                     = /s/b.log",
        'requirements            = OpSys == "LINUX"',
        '+projectname            = "myproj"',
        "environment             = \"GREETING='it''s \"\"fine\"\"' JOBNAME='conveyor.b-0'\"",
        "request_memory          = 1536",
        "request_cpus            = 2",
        "+WantFlocking = true",
    ]:
        assert line in text.splitlines(), line
    assert text.rstrip().endswith("queue")
    script = condor_script(opts, SCRIPT)
    assert "export PARSL_CORES=2" in script and "export PARSL_MEMORY_GB=1.5" in script
    assert "CONVEYOR_BLOCK_DEADLINE" not in script
    assert script.index("source env.sh") < script.index("POOL --x")


def test_condor_argv_and_submit_output() -> None:
    assert condor.condor_submit_argv("/s/b.submit") == ["condor_submit", "/s/b.submit"]
    assert condor.condor_q_argv(["5.0"])[:3] == ["condor_q", "-json", "-attributes"]
    assert condor.condor_history_argv(["5.0"])[0] == "condor_history"
    assert condor.condor_rm_argv(["5.0", "6.0"]) == ["condor_rm", "5.0", "6.0"]
    out = (DATA / "condor" / "condor_submit.out").read_text()
    assert condor.parse_condor_submit(out) == "118907.0"
    assert condor.parse_condor_submit("ERROR: Parse error in expression\n") is None


def test_every_documented_condor_status_is_parsed_and_mapped() -> None:
    queued = condor.parse_ads((DATA / "condor" / "condor_q.json").read_text())
    history = condor.parse_ads((DATA / "condor" / "condor_history.json").read_text())
    codes = {str(ad["JobStatus"]) for ad in [*queued.values(), *history.values()]}
    assert codes == set(condor.CONDOR_STATES)
    for ad in queued.values():
        assert condor.seen(ad).state is condor.CONDOR_STATES[str(ad["JobStatus"])]
    assert "Failed to execute" in condor.seen(queued["505.0"]).detail
    assert condor.seen(history["510.0"]).state is JobState.COMPLETED
    assert (condor.seen(history["511.0"]).state, condor.seen(history["511.0"]).exit_code) == (
        JobState.FAILED,
        3,
    )
    assert condor.seen(history["512.0"]).state is JobState.FAILED
    assert condor.seen(history["513.0"]).state is JobState.CANCELLED
    assert condor.parse_ads("") == {}
