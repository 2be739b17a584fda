"""Each batch provider takes Parsl 2026.10.26's constructor parameters, in Parsl's
positional order, with Parsl's defaults (recorded here from Parsl's signatures)."""

import dataclasses
from typing import Any

import pytest

from conveyor.providers.batch import BatchOptions
from conveyor.providers.condor import CondorProvider
from conveyor.providers.condor.options import POSITIONAL as CONDOR
from conveyor.providers.gridengine import GridEngineProvider
from conveyor.providers.gridengine.options import POSITIONAL as GRIDENGINE
from conveyor.providers.lsf import LSFProvider
from conveyor.providers.lsf.options import POSITIONAL as LSF
from conveyor.providers.pbspro import PBSProProvider
from conveyor.providers.pbspro.options import POSITIONAL as PBSPRO
from conveyor.providers.torque import TorqueProvider
from conveyor.providers.torque.options import POSITIONAL as TORQUE

_BLOCKS = {"init_blocks": 1, "min_blocks": 0, "max_blocks": 1, "parallelism": 1}
PARSL: dict[str, dict[str, Any]] = {
    "PBSProProvider": {
        **{"account": None, "queue": None, "scheduler_options": "", "select_options": ""},
        **{"worker_init": "", "nodes_per_block": 1, "cpus_per_node": 1, **_BLOCKS},
        **{"launcher": "SingleNodeLauncher", "walltime": "00:20:00", "cmd_timeout": 120},
    },
    "TorqueProvider": {
        **{"account": None, "queue": None, "scheduler_options": "", "worker_init": ""},
        **{"nodes_per_block": 1, **_BLOCKS, "launcher": "AprunLauncher"},
        **{"walltime": "00:20:00", "cmd_timeout": 120},
    },
    "LSFProvider": {
        **{"nodes_per_block": 1, "cores_per_block": None, "cores_per_node": None, **_BLOCKS},
        **{"walltime": "00:10:00", "scheduler_options": "", "worker_init": "", "project": None},
        **{"queue": None, "cmd_timeout": 120, "bsub_redirection": False},
        **{"request_by_nodes": True, "launcher": "SingleNodeLauncher"},
    },
    "CondorProvider": {
        **{"nodes_per_block": 1, "cores_per_slot": None, "mem_per_slot": None, **_BLOCKS},
        **{"environment": None, "project": "", "scheduler_options": ""},
        **{"transfer_input_files": [], "walltime": "00:10:00", "worker_init": ""},
        **{"launcher": "SingleNodeLauncher", "requirements": "", "cmd_timeout": 60},
        "cmd_chunk_size": 100,
    },
    "GridEngineProvider": {
        **{"nodes_per_block": 1, **_BLOCKS, "walltime": "00:10:00", "scheduler_options": ""},
        **{"worker_init": "", "launcher": "SingleNodeLauncher", "cmd_timeout": 60, "queue": None},
    },
}
OURS: list[tuple[Any, tuple[str, ...]]] = [
    (PBSProProvider, PBSPRO),
    (TorqueProvider, TORQUE),
    (LSFProvider, LSF),
    (CondorProvider, CONDOR),
    (GridEngineProvider, GRIDENGINE),
]


def _default(opts: BatchOptions, name: str) -> Any:
    value = getattr(opts, name)
    return type(value).__name__ if name == "launcher" else value


@pytest.mark.parametrize(("provider", "positional"), OURS, ids=lambda p: getattr(p, "__name__", ""))
def test_parameters_order_and_defaults_are_parsls(
    provider: Any, positional: tuple[str, ...]
) -> None:
    parsl = PARSL[provider.__name__]
    assert list(positional) == list(parsl), "positional order differs from Parsl's"
    opts = provider().options
    fields = {f.name for f in dataclasses.fields(opts)}
    assert set(parsl) <= fields
    assert {name: _default(opts, name) for name in parsl} == parsl


def test_positional_arguments_land_where_parsl_puts_them() -> None:
    assert PBSProProvider("acct", "q").options.queue == "q"
    assert LSFProvider(2, None, None, 1, 0, 3).options.max_blocks == 3
    assert CondorProvider(1, 4).options.cores_per_slot == 4
    assert GridEngineProvider(1, 1, 0, 1, 1, "01:00:00").options.walltime == "01:00:00"
    assert TorqueProvider("acct", "q", "", "", 5).nodes_per_block == 5
