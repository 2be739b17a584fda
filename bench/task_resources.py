"""Node utilisation with per-task cores: 1-core and 2-core tasks mixed on one HTEX pool.

Usage: ``python bench/task_resources.py [N] [SECONDS]`` (defaults 40, 0.2). N tasks in a
shuffled order, a third of them asking ``cores=2`` and running 2 x SECONDS, the others
``cores=1`` running SECONDS, all on one pool of a node with ``PARSL_CORES=2`` (tasks sleep:
the CPUs are accounted, not burnt, so the bench is cheap on a shared machine). Printed:

* ``utilisation`` — core-seconds the tasks held / (node cores x makespan);
* ``ideal makespan`` — core-seconds / node cores, the best any schedule could do;
* ``most cores held at once`` — must never exceed the node's cores.
"""

import random
import sys
import tempfile
import time
from typing import Any

import conveyor
from conveyor import Config, HighThroughputExecutor, LocalProvider, python_app

NODE_CORES = 2


@python_app
def occupy(seconds: float, parsl_resource_specification: Any = None) -> tuple[float, float]:
    import time as _time

    start = _time.time()
    _time.sleep(seconds)
    return start, _time.time()


def most_at_once(spans: list[tuple[float, float, int]]) -> int:
    events = sorted([(s, c) for s, _, c in spans] + [(e, -c) for _, e, c in spans])
    held = peak = 0
    for _, delta in events:
        held += delta
        peak = max(peak, held)
    return peak


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
    cores = [2 if i % 3 == 0 else 1 for i in range(n)]
    random.Random(7).shuffle(cores)
    htex = HighThroughputExecutor(
        label="htex",
        max_workers_per_node=NODE_CORES,
        provider=LocalProvider(init_blocks=1, worker_init=f"export PARSL_CORES={NODE_CORES}"),
    )
    with (
        tempfile.TemporaryDirectory() as run_dir,
        conveyor.load(Config(executors=[htex], run_dir=run_dir, strategy=None)),
    ):
        occupy(0.0).result()  # the pool is up
        begin = time.time()
        futures = [occupy(seconds * c, parsl_resource_specification={"cores": c}) for c in cores]
        results = [f.result() for f in futures]
        makespan = time.time() - begin
    spans = [(s, e, c) for (s, e), c in zip(results, cores, strict=True)]
    core_seconds = sum((e - s) * c for s, e, c in spans)
    print(f"tasks: {n} ({cores.count(2)} with cores=2), node cores: {NODE_CORES}")
    print(f"makespan: {makespan:.2f} s, ideal makespan: {core_seconds / NODE_CORES:.2f} s")
    print(f"utilisation: {core_seconds / (NODE_CORES * makespan):.1%}")
    print(f"most cores held at once: {most_at_once(spans)}")


if __name__ == "__main__":
    main()
