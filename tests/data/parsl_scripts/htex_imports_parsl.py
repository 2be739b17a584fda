"""A Parsl script whose HTEX app imports parsl inside its body, on the worker."""

import sys

import parsl
from parsl.app.app import python_app
from parsl.config import Config
from parsl.executors import HighThroughputExecutor
from parsl.providers import LocalProvider


@python_app
def where_file_comes_from():
    from parsl.data_provider.files import File

    return File.__module__


if __name__ == "__main__":
    htex = HighThroughputExecutor(max_workers_per_node=1, provider=LocalProvider(init_blocks=1))
    with parsl.load(Config(executors=[htex], run_dir=sys.argv[1])):
        print(where_file_comes_from().result())
