"""An unmodified Parsl-style script: imports parsl, runs a chain, a bash app and an error."""

import sys

import parsl
from parsl.app.app import bash_app, python_app
from parsl.app.errors import BashExitFailure
from parsl.config import Config
from parsl.executors import ThreadPoolExecutor


@python_app
def inc(x):
    return x + 1


@bash_app
def fail(code):
    return f"exit {code}"


if __name__ == "__main__":
    n = int(sys.argv[1])
    parsl.load(Config(executors=[ThreadPoolExecutor(max_threads=2)], run_dir=sys.argv[2]))
    f = inc(0)
    for _ in range(n - 1):
        f = inc(f)
    print("chain", f.result())
    try:
        fail(3).result()
    except BashExitFailure as e:
        print("bash exit", e.exitcode)
    parsl.dfk().cleanup()
    parsl.clear()
