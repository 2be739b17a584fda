"""The demo workflow behind `make run`: a small DAG on HTEX + LocalProvider on this machine.

It shows the Parsl-compatible API: python and bash apps, futures as dependencies,
a join app and a fan-in, all run by worker pools started through a LocalProvider block.
"""

from __future__ import annotations

import tempfile
import time

import conveyor
from conveyor import Config, HighThroughputExecutor, LocalProvider, bash_app, join_app, python_app


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


def main() -> None:
    run_dir = tempfile.mkdtemp(prefix="conveyor-demo-")
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
        many = [square(i) for i in range(2000)]
        print("2000 tasks, fan-in total:", total(*many).result())
    print(f"done in {time.perf_counter() - start:.2f} s; logs in {run_dir}")


if __name__ == "__main__":
    main()
