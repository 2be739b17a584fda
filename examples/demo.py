"""The demo workflow behind `make run`: a small DAG on HTEX + LocalProvider on this machine.

It shows the Parsl-compatible API: python and bash apps, futures as dependencies,
a join app and a fan-in, all run by worker pools started through a LocalProvider block.
As in Parsl, the pools run in the submitting process's working directory: a bash app's
relative paths (its inputs, outputs and stdout) resolve where the workflow was started.
"""

from __future__ import annotations

import os
import tempfile
import time

import conveyor
from conveyor import (
    Config,
    File,
    HighThroughputExecutor,
    LocalProvider,
    bash_app,
    join_app,
    python_app,
)


@python_app
def square(x: int) -> int:
    return x * x


@python_app
def total(*values: int) -> int:
    return sum(values)


@join_app
def sum_of_squares(n: int) -> conveyor.AppFuture:
    return total(*[square(i) for i in range(n)])


@bash_app
def greet(name: str, stdout: str | None = None) -> str:
    return f"echo hello from a worker pool, {name}"


@bash_app
def shout(inputs: list[File], outputs: list[File], stdout: str | None = None) -> str:
    # relative paths: the pool runs in the directory the workflow was started in
    return f"tr a-z A-Z < {inputs[0]} > {outputs[0]} && echo wrote {outputs[0]}"


def relative_paths() -> None:
    """A bash app reading and writing relative paths in the working directory."""
    with open("words.txt", "w") as f:
        f.write("relative paths resolve in the workflow's directory\n")
    fut = shout(inputs=[File("words.txt")], outputs=[File("loud.txt")], stdout="shout.out")
    fut.outputs[0].result()
    with open("loud.txt") as f, open("shout.out") as out:
        loud, said = f.read().strip(), out.read().strip()
    assert loud == "RELATIVE PATHS RESOLVE IN THE WORKFLOW'S DIRECTORY", loud
    assert said == "wrote loud.txt", said
    print(f"bash app wrote {os.path.abspath('loud.txt')}: {loud}")


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="conveyor-demo-")
    os.chdir(workdir)  # the workflow's directory: relative paths below resolve here
    run_dir = os.path.join(workdir, "runinfo")
    config = Config(
        executors=[
            HighThroughputExecutor(
                label="htex_local",
                max_workers_per_node=2,
                provider=LocalProvider(init_blocks=1, max_blocks=1),
            )
        ],
        run_dir=run_dir,
    )
    start = time.perf_counter()
    with conveyor.load(config):
        squares = [square(i) for i in range(10)]
        print("squares:", [f.result() for f in squares])
        print("sum of squares 0..99 (join app):", sum_of_squares(100).result())
        out = f"{run_dir}/greet.out"
        greet("conveyor", stdout=out).result()
        with open(out) as f:
            print("bash app said:", f.read().strip())
        relative_paths()
        many = [square(i) for i in range(2000)]
        print("2000 tasks, fan-in total:", total(*many).result())
    print(f"done in {time.perf_counter() - start:.2f} s; logs in {run_dir}")


if __name__ == "__main__":
    main()
