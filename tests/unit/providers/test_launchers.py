"""Every launcher, by exact string: launchers are pure functions of (command, tasks, nodes)."""

import logging
import subprocess
from pathlib import Path

import pytest

from conveyor.errors import BadLauncher
from conveyor.launchers import (
    AprunLauncher,
    GnuParallelLauncher,
    JsrunLauncher,
    Launcher,
    MpiExecLauncher,
    MpiRunLauncher,
    SimpleLauncher,
    SingleNodeLauncher,
    SrunLauncher,
    SrunMPILauncher,
    WrappedLauncher,
)
from conveyor.providers.local import LocalProvider


def _scripted(name_var: str, run_line: str, script_dir: str = "") -> str:
    return "\n".join(
        [
            "set -e",
            f'SCRIPT_DIR="{script_dir}"',
            '[[ -n $SCRIPT_DIR ]] || SCRIPT_DIR="${CONVEYOR_SCRIPT_DIR:-}"',
            '[[ -d $SCRIPT_DIR ]] || SCRIPT_DIR=""',
            f'CMD="${{SCRIPT_DIR:+$SCRIPT_DIR/}}cmd_${{{name_var}:-conveyor}}_$$.sh"',
            "cat > \"$CMD\" <<'CONVEYOR_POOL_CMD'",
            "pool --x 1",
            "CONVEYOR_POOL_CMD",
            'chmod u+x "$CMD"',
            "[[ -n $SCRIPT_DIR ]] || trap 'rm -f \"$CMD\"' EXIT",
            run_line,
        ]
    )


CASES = [
    (SrunLauncher(), "SLURM_JOB_NAME", 'srun --ntasks 6 --ntasks-per-node 2 -l bash "$CMD"'),
    (
        SrunLauncher(overrides="--cpu-bind=none"),
        "SLURM_JOB_NAME",
        'srun --ntasks 6 --ntasks-per-node 2 -l --cpu-bind=none bash "$CMD"',
    ),
    (
        SrunMPILauncher(),
        "SLURM_JOB_NAME",
        'for i in $(seq 1 6); do\n  srun --exact --nodes 1 --ntasks 1 bash "$CMD" &\ndone\nwait',
    ),
    (
        MpiExecLauncher(),
        "JOBNAME",
        'mpiexec --bind-to none -n 6 -ppn 2 bash "$CMD"',
    ),
    (
        MpiExecLauncher(bind_cmd="--cpu-bind", overrides="-x FOO"),
        "JOBNAME",
        'mpiexec --cpu-bind none -x FOO -n 6 -ppn 2 bash "$CMD"',
    ),
    (MpiRunLauncher(), "JOBNAME", 'mpirun -np 6 /bin/bash "$CMD"'),
    (AprunLauncher(), "JOBNAME", 'aprun -n 6 -N 2 /bin/bash "$CMD"'),
    (JsrunLauncher(), "LSB_JOBNAME", 'jsrun -n 6 -r 2 -a 1 /bin/bash "$CMD"'),
]


@pytest.mark.parametrize(("launcher", "name_var", "run_line"), CASES, ids=lambda c: repr(c)[:40])
def test_parallel_launchers_render_exactly(
    launcher: Launcher, name_var: str, run_line: str
) -> None:
    assert launcher("pool --x 1", 2, 3) == _scripted(name_var, run_line)
    # Parsl's call signature: (command, tasks_per_node, nodes_per_block, script_dir)
    rendered = launcher(
        command="pool --x 1", tasks_per_node=2, nodes_per_block=3, script_dir="/d/s"
    )
    assert rendered == _scripted(name_var, run_line, "/d/s")


def test_gnu_parallel_renders_exactly() -> None:
    hosts = (
        'if [ -n "$PBS_NODEFILE" ]; then sort -u "$PBS_NODEFILE" > "$HOSTS"; '
        'else echo localhost > "$HOSTS"; fi'
    )
    line = "\n".join(
        [
            'HOSTS="$CMD.hosts"',
            hosts,
            "for i in $(seq 1 6); do printf 'bash %q\\n' \"$CMD\"; done |",
            '  parallel --sshloginfile "$HOSTS" --jobs 2',
        ]
    )
    assert GnuParallelLauncher()("pool --x 1", 2, 3) == _scripted("JOBNAME", line)


def test_simple_and_wrapped_launchers() -> None:
    assert SimpleLauncher()("pool --x 1", 4, 1) == "pool --x 1"
    assert WrappedLauncher("apptainer exec img.sif")("pool", 1, 1) == "apptainer exec img.sif pool"


def test_single_node_launcher_runs_every_copy_and_reports_failure(tmp_path: Path) -> None:
    out = tmp_path / "out"
    text = SingleNodeLauncher()(f'echo "copy $1" >> {out}', 2, 2)
    assert subprocess.run(["bash", "-c", text], check=False).returncode == 0
    assert sorted(out.read_text().split("\n")[:-1]) == [f"copy {i}" for i in range(1, 5)]
    failing = SingleNodeLauncher()("exit 3", 1, 2)
    assert subprocess.run(["bash", "-c", failing], check=False).returncode == 1
    one_fails = SingleNodeLauncher(fail_on_any=True)('[ "$1" = 2 ] && exit 3; exit 0', 2, 1)
    assert subprocess.run(["bash", "-c", one_fails], check=False).returncode == 1
    tolerant = SingleNodeLauncher()('[ "$1" = 2 ] && exit 3; exit 0', 2, 1)
    assert subprocess.run(["bash", "-c", tolerant], check=False).returncode == 0


def _run_launcher_text(text: str, cwd: Path, **env: str) -> str:
    """Run a launcher's text with ``mpirun`` replaced by a shell function running one copy."""
    fake = 'mpirun() { shift 2; "$@"; }\n'
    environment = {"PATH": "/usr/bin:/bin", **env}
    done = subprocess.run(
        ["bash", "-c", fake + text],
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_parallel_launcher_writes_its_helper_script_to_script_dir(tmp_path: Path) -> None:
    scripts, work = tmp_path / "scripts", tmp_path / "work"
    scripts.mkdir()
    work.mkdir()
    text = MpiRunLauncher()("echo ran in $PWD", 1, 1, str(scripts))
    assert _run_launcher_text(text, work, JOBNAME="job1") == f"ran in {work}\n"
    assert [p.name.startswith("cmd_job1_") for p in scripts.iterdir()] == [True]
    assert list(work.iterdir()) == [], "nothing may land in the working directory"


def test_parallel_launcher_falls_back_to_conveyor_script_dir_then_cwd(tmp_path: Path) -> None:
    scripts, work = tmp_path / "scripts", tmp_path / "work"
    scripts.mkdir()
    work.mkdir()
    text = MpiRunLauncher()("echo ran", 1, 1)
    assert _run_launcher_text(text, work, CONVEYOR_SCRIPT_DIR=str(scripts)) == "ran\n"
    assert len(list(scripts.iterdir())) == 1
    assert list(work.iterdir()) == []
    # no script directory at all: the helper goes to the cwd and is removed at exit
    missing = MpiRunLauncher()("echo ran", 1, 1, str(tmp_path / "missing"))
    assert _run_launcher_text(missing, work) == "ran\n"
    assert list(work.iterdir()) == [], "the helper script was not removed"


@pytest.mark.parametrize(
    "launcher",
    [SrunLauncher(), SrunMPILauncher(), MpiExecLauncher(), AprunLauncher(), JsrunLauncher()],
    ids=lambda launcher: type(launcher).__name__,
)
def test_every_parallel_launcher_text_is_valid_bash(launcher: Launcher) -> None:
    for script_dir in ("", "/tmp/with space", 'odd"$`dir'):
        text = launcher("pool --x 1", 2, 1, script_dir)
        assert subprocess.run(["bash", "-n"], input=text, text=True, check=False).returncode == 0
        assert "SCRIPT_DIR=" in text


def test_gnu_parallel_feeds_one_command_line_per_copy(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # a stand-in for GNU parallel: run each line read from stdin
    fake = 'parallel() { while IFS= read -r line; do eval "$line"; done; }\n'
    text = GnuParallelLauncher()(f'echo copy >> "{out}"', 3, 1, str(tmp_path))
    env = {"PATH": "/usr/bin:/bin", "JOBNAME": "j"}
    subprocess.run(["bash", "-c", fake + text], env=env, cwd=tmp_path, check=True)
    assert out.read_text() == "copy\ncopy\ncopy\n"


def test_wrapped_launcher_warns_about_what_it_ignores(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="conveyor.launchers"):
        assert WrappedLauncher("docker")("test", 2, 2) == "docker test"
    assert "tasks per node" in caplog.text
    assert "nodes per block" in caplog.text


def test_a_provider_refuses_what_is_not_a_launcher() -> None:
    with pytest.raises(BadLauncher, match="expecting a conveyor Launcher"):
        LocalProvider(launcher="srun")  # type: ignore[arg-type]
