"""parsl.configs.*: every module Parsl ships there imports, or fails saying what is missing."""

import importlib
import subprocess
import sys

import pytest

from conveyor.compat import CONFIG_NAMES, MODULES

#: Parsl's own list of parsl.configs modules in 2026.10.26 (read from its wheel)
PARSL_CONFIG_MODULES = {
    "ASPIRE1",
    "Azure",
    "anvil",
    "bridges",
    "cc_in2p3",
    "delta",
    "ec2",
    "expanse",
    "frontera",
    "gc_multisite",
    "gc_tutorial",
    "htex_local",
    "illinoiscluster",
    "improv",
    "kubernetes",
    "local_threads",
    "midway",
    "osg",
    "polaris",
    "stampede2",
    "summit",
    "toss3_llnl",
    "vineex_local",
    "wqex_local",
}


def _import_through_hook(name: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import conveyor.compat as c; c.install()\n"
        f"from parsl.configs.{name} import config\n"
        "print(type(config).__name__, [type(e).__name__ for e in config.executors])\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_every_parsl_config_module_is_served() -> None:
    assert set(CONFIG_NAMES) == PARSL_CONFIG_MODULES
    assert all(f"parsl.configs.{n}" in MODULES for n in PARSL_CONFIG_MODULES)


def test_local_threads_is_parsls_first_tutorial_config() -> None:
    from conveyor.configs.local_threads import config

    (executor,) = config.executors
    assert type(executor).__name__ == "ThreadPoolExecutor"
    assert config.usage_tracking == 1


def test_htex_local_matches_parsls() -> None:
    from conveyor.configs.htex_local import config

    (htex,) = config.executors
    assert htex.label == "htex_local" and htex.options.pool.cores_per_worker == 1
    assert type(htex.provider).__name__ == "LocalProvider"
    assert (htex.provider.init_blocks, htex.provider.max_blocks) == (1, 1)


@pytest.mark.parametrize("name", ["local_threads", "htex_local", "expanse", "delta"])
def test_configs_whose_parts_conveyor_has_import(name: str) -> None:
    proc = _import_through_hook(name)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Config [")


def _lacking(module: str, name: str) -> bool:
    return name not in MODULES.get(module, {})


@pytest.mark.parametrize(
    ("name", "module", "piece"),
    [
        ("osg", "parsl.providers", "CondorProvider"),
        ("cc_in2p3", "parsl.providers", "GridEngineProvider"),
        ("improv", "parsl.providers", "PBSProProvider"),
        ("ec2", "parsl.providers", "AWSProvider"),
        ("kubernetes", "parsl.providers", "KubernetesProvider"),
        ("wqex_local", "parsl.executors", "WorkQueueExecutor"),
        ("toss3_llnl", "parsl.executors", "FluxExecutor"),
        ("gc_tutorial", "parsl.executors", "GlobusComputeExecutor"),
    ],
)
def test_site_configs_name_the_piece_conveyor_lacks(name: str, module: str, piece: str) -> None:
    proc = _import_through_hook(name)
    if not _lacking(module, piece):  # the piece has landed: the config must now import
        assert proc.returncode == 0, proc.stderr
        return
    assert proc.returncode != 0
    assert f"conveyor does not provide {module}.{piece}" in proc.stderr
    assert "ImportError" in proc.stderr or "MissingFromConveyor" in proc.stderr


def test_interface_lookups_fail_as_parsls_do_without_that_interface() -> None:
    # like Parsl's, midway looks up interface bond0 when imported (absent on test machines)
    try:
        module = importlib.import_module("conveyor.configs.midway")
    except OSError as exc:
        assert "bond0" in str(exc)
    else:
        assert module.config.executors[0].label == "Midway_HTEX_multinode"


@pytest.mark.parametrize("name", sorted(PARSL_CONFIG_MODULES))
def test_every_config_builds_or_names_what_conveyor_lacks(name: str) -> None:
    # interface lookups answer as on the site, so each config's constructor arguments are tried
    code = (
        "import conveyor.compat as c; c.install()\n"
        "import conveyor.addresses as a\n"
        "a.address_by_interface = lambda name: '10.1.2.3'\n"
        "a.address_by_query = lambda timeout=30: '192.0.2.7'\n"
        "from conveyor.importhook import MissingFromConveyor\n"
        "try:\n"
        f"    from parsl.configs.{name} import config\n"
        "except MissingFromConveyor as exc:\n"
        "    print('lacks', exc)\n"
        "else:\n"
        "    print('built', len(config.executors))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(("built 1", "built 2", "lacks conveyor does not provide"))
