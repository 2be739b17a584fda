"""Every launcher, by exact string: launchers are pure functions of (command, tasks, nodes)."""

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


def _scripted(name_var: str, run_line: str) -> str:
    return "\n".join(
        [
            "set -e",
            f'CMD="${{CONVEYOR_SCRIPT_DIR:-$PWD}}/cmd_${{{name_var}:-conveyor}}_$$.sh"',
            "cat > \"$CMD\" <<'CONVEYOR_POOL_CMD'",
            "pool --x 1",
            "CONVEYOR_POOL_CMD",
            'chmod u+x "$CMD"',
            "trap 'rm -f \"$CMD\"' EXIT",
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
        'mpiexec --bind-to none -n 6 -ppn 2 /bin/bash "$CMD"',
    ),
    (
        MpiExecLauncher(bind_cmd="--cpu-bind", overrides="-x FOO"),
        "JOBNAME",
        'mpiexec --cpu-bind none -x FOO -n 6 -ppn 2 /bin/bash "$CMD"',
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


def test_gnu_parallel_renders_exactly() -> None:
    hosts = (
        'if [ -n "$PBS_NODEFILE" ]; then sort -u "$PBS_NODEFILE" > "$HOSTS"; '
        'else echo localhost > "$HOSTS"; fi'
    )
    line = "\n".join(
        [
            'HOSTS="$CMD.hosts"',
            hosts,
            'seq 1 6 | parallel --sshloginfile "$HOSTS" --jobs 2 bash "$CMD"',
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


def test_parallel_launcher_script_runs_and_cleans_up(tmp_path: Path) -> None:
    text = MpiRunLauncher(bash_location="/bin/bash")("echo ran", 1, 1).replace(
        "mpirun -np 1 /bin/bash", "/bin/bash"
    )
    env = {"CONVEYOR_SCRIPT_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["bash", "-c", text], env=env, capture_output=True, text=True, check=True)
    assert done.stdout == "ran\n"
    assert list(tmp_path.iterdir()) == [], "the helper script was not removed"


def test_a_provider_refuses_what_is_not_a_launcher() -> None:
    with pytest.raises(BadLauncher, match="expecting a conveyor Launcher"):
        LocalProvider(launcher="srun")  # type: ignore[arg-type]
