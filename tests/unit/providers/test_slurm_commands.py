"""SlurmProvider's pure parts: state map, command lines, output parsing, options, job script."""

import pytest

from conveyor.errors import BadLauncher, ConfigurationError
from conveyor.launchers import SrunLauncher
from conveyor.providers.slurm import SlurmOptions, SlurmProvider
from conveyor.providers.slurm import commands as cmd
from conveyor.providers.slurm.template import JobScript, render_job_script
from conveyor.providers.states import JobState

# the states ../shared/SLURM.md says a provider must map, with what each must become
REQUIRED = {
    "PENDING": JobState.PENDING,
    "RUNNING": JobState.RUNNING,
    "COMPLETING": JobState.RUNNING,
    "COMPLETED": JobState.COMPLETED,
    "FAILED": JobState.FAILED,
    "CANCELLED": JobState.CANCELLED,
    "TIMEOUT": JobState.TIMEOUT,
    "NODE_FAIL": JobState.FAILED,
    "PREEMPTED": JobState.FAILED,
    "OUT_OF_MEMORY": JobState.FAILED,
    "BOOT_FAIL": JobState.FAILED,
    "DEADLINE": JobState.TIMEOUT,
    "SUSPENDED": JobState.HELD,
}


@pytest.mark.parametrize(("slurm", "expected"), REQUIRED.items())
def test_every_required_slurm_state_is_mapped(slurm: str, expected: JobState) -> None:
    assert cmd.job_status(slurm).state is expected
    assert cmd.job_status(slurm.lower()).state is expected


def test_unknown_states_are_unknown_and_messages_keep_slurms_words() -> None:
    assert cmd.job_status("WEIRD").state is JobState.UNKNOWN
    assert cmd.job_status("PENDING", "Resources").message == "PENDING (Resources)"
    assert cmd.job_status("RUNNING", "None").message == "RUNNING"
    status = cmd.job_status("FAILED", "", ("/o", "/e"))
    assert (status.stdout_path, status.stderr_path) == ("/o", "/e")


@pytest.mark.parametrize(
    ("text", "job"),
    [
        ("1234\n", "1234"),
        ("1234;cluster2\n", "1234"),
        ("Submitted batch job 77\n", "77"),
        ("sbatch: warning: something\n88\n", "88"),
        ("", None),
        ("garbage\n", None),
    ],
)
def test_parse_sbatch(text: str, job: str | None) -> None:
    assert cmd.parse_sbatch(text) == job


def test_squeue_and_sacct_round_trip() -> None:
    argv = cmd.squeue_argv(["1", "2"], clusters="c1")
    assert argv[0] == "squeue" and "--states=all" in argv and argv[-1] == "--jobs=1,2"
    assert "--clusters=c1" in argv
    parsed = cmd.parse_squeue("1|RUNNING|None\n2|PENDING|Priority\nnot a line\n")
    assert parsed == {"1": ("RUNNING", "None"), "2": ("PENDING", "Priority")}
    assert cmd.sacct_argv(["5"])[-1] == "--jobs=5"
    sacct = cmd.parse_sacct("5|CANCELLED by 0|0:15\n5.batch|CANCELLED|0:15\n6|COMPLETED|0:0\n")
    assert sacct == {"5": ("CANCELLED", "0:15"), "6": ("COMPLETED", "0:0")}
    assert cmd.scancel_argv(["5", "6"]) == ["scancel", "5", "6"]


@pytest.mark.parametrize(
    ("walltime", "seconds"),
    [
        ("30", 1800),
        ("10:30", 630),
        ("01:10:30", 4230),
        ("2-03", 2 * 86400 + 3 * 3600),
        ("2-03:10", 2 * 86400 + 3 * 3600 + 600),
        ("1-00:00:05", 86405),
    ],
)
def test_walltime_seconds(walltime: str, seconds: int) -> None:
    assert cmd.walltime_seconds(walltime) == seconds


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"walltime": "ten minutes"}, "walltime"),
        ({"init_blocks": -1}, "init_blocks"),
        ({"min_blocks": 3, "max_blocks": 2}, "min_blocks"),
        ({"parallelism": 2}, "parallelism"),
        ({"nodes_per_block": 0}, "nodes_per_block"),
        ({"cores_per_node": -2}, "cores_per_node"),
        ({"partition": "debug; rm -rf /"}, "partition"),
    ],
)
def test_bad_options_are_configuration_errors(options: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        SlurmProvider(**options)  # type: ignore[arg-type]


def test_bad_launcher_and_unknown_option() -> None:
    with pytest.raises(BadLauncher):
        SlurmProvider(launcher="srun")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="no_such_option"):
        SlurmProvider(no_such_option=1)  # type: ignore[arg-type]


def test_parsl_style_construction() -> None:
    provider = SlurmProvider(
        "debug", nodes_per_block=2, init_blocks=0, max_blocks=3, walltime="00:30:00"
    )
    assert provider.options.partition == "debug"
    assert (provider.nodes_per_block, provider.init_blocks, provider.max_blocks) == (2, 0, 3)
    same = SlurmProvider(provider.options)
    assert same.options is provider.options


def test_job_script_has_every_option_in_order() -> None:
    opts = SlurmOptions(
        partition="debug",
        account="proj1",
        qos="high",
        constraint="haswell",
        nodes_per_block=2,
        cores_per_node=8,
        mem_per_node=16,
        walltime="01:00:00",
        scheduler_options="#SBATCH --gres=gpu:1",
        worker_init="module load python",
        launcher=SrunLauncher(),
    )
    text = render_job_script(opts, JobScript("blk", "/d/o", "/d/e", "pool --x", 1, "/d"))
    lines = text.splitlines()
    assert lines[:7] == [
        "#!/bin/bash",
        "#SBATCH --job-name=blk",
        "#SBATCH --output=/d/o",
        "#SBATCH --error=/d/e",
        "#SBATCH --nodes=2",
        "#SBATCH --time=01:00:00",
        "#SBATCH --ntasks-per-node=1",
    ]
    for expected in (
        "#SBATCH --exclusive",
        "#SBATCH --cpus-per-task=8",
        "#SBATCH --mem=16g",
        "#SBATCH --partition=debug",
        "#SBATCH --account=proj1",
        "#SBATCH --qos=high",
        "#SBATCH --constraint=haswell",
        "#SBATCH --gres=gpu:1",
        "export CONVEYOR_SCRIPT_DIR=/d",
        "export CONVEYOR_BLOCK_DEADLINE=$(( $(date +%s) + 3600 ))",
        "module load python",
    ):
        assert expected in lines
    assert lines.index("module load python") < lines.index("pool --x")
    assert 'srun --ntasks 2 --ntasks-per-node 1 -l bash "$CMD"' in lines


def test_job_script_leaves_out_what_is_not_set() -> None:
    opts = SlurmOptions(exclusive=False)
    text = render_job_script(opts, JobScript("b", "o", "e", "pool", 1, "/d"))
    for absent in ("--exclusive", "--partition", "--account", "--mem", "--cpus-per-task"):
        assert absent not in text
