"""The floor: cases.py's own cases, run on concurrent.futures.ProcessPoolExecutor(2).

    python floor.py CASE N ENCRYPTED RUN_DIR

A stand-in for the few ``parsl`` names cases.py uses is put in place before cases.py is
imported: its ``python_app`` submits the function to one ProcessPoolExecutor(2), and
first waits for any future among the arguments (ProcessPool cannot pass a future on, so
a chain pays one full round trip per hop). The case functions themselves run unchanged,
so conveyor, Parsl and the floor time the same code. Encryption does not apply: the
runner measures the floor unencrypted only.
"""

import sys
import types
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

#: function name -> the undecorated function (workers are forked: they see this too)
FUNCTIONS: dict[str, Callable[..., Any]] = {}
POOL: list[ProcessPoolExecutor] = []


def run_by_name(name: str, args: tuple[Any, ...]) -> Any:
    """In a worker: call the undecorated function."""
    return FUNCTIONS[name](*args)


def python_app(func: Callable[..., Any]) -> Callable[..., Future[Any]]:
    """The stand-in decorator: submit to the pool, future arguments resolved first."""
    FUNCTIONS[func.__name__] = func

    def submit(*args: Any) -> Future[Any]:
        values = tuple(a.result() if isinstance(a, Future) else a for a in args)
        return POOL[0].submit(run_by_name, func.__name__, values)

    return submit


class Loaded:
    """What ``parsl.load`` returns here: owns the pool."""

    def cleanup(self) -> None:
        POOL.pop().shutdown(wait=True, cancel_futures=True)


class Anything:
    """Accepts the config classes' arguments (the floor has no configuration)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.options = kwargs


def load(_config: Any) -> Loaded:
    POOL.append(ProcessPoolExecutor(2))
    return Loaded()


def install_stand_in() -> None:
    """Register the stand-in ``parsl`` modules cases.py and bench_config.py import."""
    names = {
        "parsl": {"load": load, "clear": lambda: None},
        "parsl.app": {},
        "parsl.app.app": {"python_app": python_app},
        "parsl.config": {"Config": Anything},
        "parsl.executors": {"HighThroughputExecutor": Anything},
        "parsl.providers": {"LocalProvider": Anything},
    }
    for name, attributes in names.items():
        module = types.ModuleType(name)
        module.__dict__.update(attributes)
        sys.modules[name] = module


if __name__ == "__main__":
    install_stand_in()
    import cases

    cases.main()
