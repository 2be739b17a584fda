"""MPI resource specifications and the launch prefixes an MPI task sees (pure).

An app run in MPI mode names what it needs in ``parsl_resource_specification``:
``num_nodes`` and ``ranks_per_node`` or ``num_ranks`` (the other is derived), optionally
``launcher_options``. Its worker then sees ``PARSL_NUM_NODES``, ``PARSL_RANKS_PER_NODE``,
``PARSL_NUM_RANKS``, ``PARSL_MPI_NODELIST`` and one prefix per launcher
(``PARSL_MPIEXEC_PREFIX``, ``PARSL_SRUN_PREFIX``, ``PARSL_APRUN_PREFIX``), the configured
one also as ``PARSL_MPI_PREFIX``, composed with the same arguments as Parsl's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from conveyor.errors import InvalidResourceSpecification

__all__ = [
    "MPI_KEYS",
    "VALID_LAUNCHERS",
    "check_mpi_spec",
    "compose_all",
    "compose_aprun_launch_cmd",
    "compose_mpiexec_launch_cmd",
    "compose_srun_launch_cmd",
    "mpi_environment",
    "mpi_resources",
    "require_simple_launcher",
    "validate_resource_spec",
]

VALID_LAUNCHERS = ("srun", "aprun", "mpiexec")
#: keys of an MPI resource specification
MPI_KEYS = frozenset({"num_nodes", "ranks_per_node", "num_ranks", "launcher_options"})


def _positive(spec: Mapping[str, Any], key: str) -> int:
    try:
        value = int(spec[key])
    except (TypeError, ValueError):
        raise InvalidResourceSpecification(
            {key}, f"{key} must be a whole number, not {spec[key]!r}"
        ) from None
    if value < 1 or value != float(spec[key]):
        raise InvalidResourceSpecification({key}, f"{key} must be a whole number >= 1")
    return value


def check_mpi_spec(
    spec: Mapping[str, Any], extra_keys: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The MPI keys of ``spec``, checked and completed; InvalidResourceSpecification naming the key.

    With ``num_nodes``, of ``ranks_per_node`` and ``num_ranks`` one is derived from the
    other (both given must agree; neither means one rank per node). Without it the spec is
    kept as given, as Parsl keeps it: such a task gets no nodes and no MPI environment.
    An empty spec, and keys outside ``MPI_KEYS`` and ``extra_keys``, are refused.
    """
    if not spec:
        raise InvalidResourceSpecification(
            {"num_nodes"},
            "MPI mode needs parsl_resource_specification with num_nodes (and ranks_per_node or num_ranks)",
        )
    unknown = set(spec) - MPI_KEYS - extra_keys
    if unknown:
        raise InvalidResourceSpecification(
            unknown, f"unknown MPI resource keys {sorted(unknown)}; valid: {sorted(MPI_KEYS)}"
        )
    if "num_nodes" not in spec:
        return {k: spec[k] for k in MPI_KEYS if k in spec}
    nodes = _positive(spec, "num_nodes")
    per = _positive(spec, "ranks_per_node") if "ranks_per_node" in spec else None
    ranks = _positive(spec, "num_ranks") if "num_ranks" in spec else None
    if ranks is not None and ranks % nodes:
        raise InvalidResourceSpecification(
            {"num_ranks"}, f"num_ranks={ranks} is not divisible by num_nodes={nodes}"
        )
    if per is not None and ranks is not None and per * nodes != ranks:
        raise InvalidResourceSpecification(
            {"num_ranks", "ranks_per_node"},
            f"num_ranks={ranks} contradicts num_nodes={nodes} x ranks_per_node={per}",
        )
    per = per if per is not None else (ranks // nodes if ranks is not None else 1)
    out: dict[str, Any] = {"num_nodes": nodes, "ranks_per_node": per, "num_ranks": nodes * per}
    if "launcher_options" in spec:
        out["launcher_options"] = str(spec["launcher_options"])
    return out


def mpi_resources(
    spec: Mapping[str, Any], other_keys: Iterable[str], provider: object
) -> dict[str, Any]:
    """The checked MPI part of a task's spec, refused when larger than the provider's blocks.

    ``other_keys`` (the executor's own keys, such as ``priority``) may appear beside the MPI
    keys. A LocalProvider's block has the nodes its environment names (``PBS_NODEFILE``
    set in ``worker_init``, say), known only to its pool, which refuses oversized tasks.
    """
    mpi = check_mpi_spec(spec, frozenset(other_keys))
    from conveyor.providers.local import LocalProvider

    nodes = getattr(provider, "nodes_per_block", None)
    local = isinstance(provider, LocalProvider)
    if isinstance(nodes, int) and not local and mpi.get("num_nodes", 0) > nodes:
        raise InvalidResourceSpecification(
            {"num_nodes"},
            f"task needs num_nodes={mpi['num_nodes']} but blocks have nodes_per_block={nodes}",
        )
    return mpi


def require_simple_launcher(provider: object) -> None:
    """TypeError unless the provider starts one pool per block (a SimpleLauncher), as Parsl.

    In MPI mode one pool owns all of its block's nodes; a launcher starting a pool on every
    node would hand each node out once per pool.
    """
    from conveyor.launchers import SimpleLauncher

    if not isinstance(getattr(provider, "launcher", None), SimpleLauncher):
        raise TypeError("mpi_mode requires the provider to be configured to use a SimpleLauncher")


def validate_resource_spec(resource_spec: dict[str, Any]) -> None:
    """Parsl's name: check an MPI specification in place (derived keys are added to it)."""
    resource_spec.update(check_mpi_spec(resource_spec))


def _prefix(
    flags: tuple[str, str, str, str],
    spec: Mapping[str, Any],
    hosts: Sequence[str],
    extra: Sequence[object] = (),
) -> str:
    """``program RANKS n PER_NODE p HOSTS h1,h2 [extra] <launcher_options>``, space-joined."""
    program, ranks, per_node, host_flag = flags
    args = [program, ranks, spec.get("num_ranks"), per_node, spec.get("ranks_per_node")]
    args += [host_flag, ",".join(hosts), *extra, spec.get("launcher_options", "")]
    return " ".join(str(a) for a in args)


def compose_mpiexec_launch_cmd(
    resource_spec: Mapping[str, Any], node_hostnames: Sequence[str]
) -> tuple[str, str]:
    """``mpiexec -n R -ppn P -hosts h1,h2 <launcher_options>`` (MPICH/hydra syntax)."""
    flags = ("mpiexec", "-n", "-ppn", "-hosts")
    return "PARSL_MPIEXEC_PREFIX", _prefix(flags, resource_spec, node_hostnames)


def compose_srun_launch_cmd(
    resource_spec: Mapping[str, Any], node_hostnames: Sequence[str]
) -> tuple[str, str]:
    """``srun --ntasks R --ntasks-per-node P --nodelist h1,h2 --nodes N <launcher_options>``."""
    flags = ("srun", "--ntasks", "--ntasks-per-node", "--nodelist")
    nodes = ("--nodes", len(node_hostnames))
    return "PARSL_SRUN_PREFIX", _prefix(flags, resource_spec, node_hostnames, nodes)


def compose_aprun_launch_cmd(
    resource_spec: Mapping[str, Any], node_hostnames: Sequence[str]
) -> tuple[str, str]:
    """``aprun -n R -N P -node-list h1,h2 <launcher_options>``."""
    flags = ("aprun", "-n", "-N", "-node-list")
    return "PARSL_APRUN_PREFIX", _prefix(flags, resource_spec, node_hostnames)


_COMPOSERS: dict[str, Callable[[Mapping[str, Any], Sequence[str]], tuple[str, str]]] = {
    "aprun": compose_aprun_launch_cmd,
    "srun": compose_srun_launch_cmd,
    "mpiexec": compose_mpiexec_launch_cmd,
}


def compose_all(
    mpi_launcher: str, resource_spec: Mapping[str, Any], node_hostnames: Sequence[str]
) -> dict[str, str]:
    """Every launcher's prefix, and ``PARSL_MPI_PREFIX`` for ``mpi_launcher``."""
    if mpi_launcher not in _COMPOSERS:
        raise RuntimeError(f"unknown mpi_launcher {mpi_launcher!r}; valid: {VALID_LAUNCHERS}")
    table = dict(composer(resource_spec, node_hostnames) for composer in _COMPOSERS.values())
    table["PARSL_MPI_PREFIX"] = table[_COMPOSERS[mpi_launcher](resource_spec, node_hostnames)[0]]
    return table


def mpi_environment(
    mpi_launcher: str, spec: Mapping[str, Any], nodes: Sequence[str]
) -> dict[str, str]:
    """The variables one MPI task runs with: ``PARSL_<KEY>`` per key, node list, prefixes."""
    env = {f"PARSL_{key.upper()}": str(value) for key, value in spec.items()}
    env["PARSL_MPI_NODELIST"] = ",".join(nodes)
    env.update(compose_all(mpi_launcher, spec, nodes))
    return env
