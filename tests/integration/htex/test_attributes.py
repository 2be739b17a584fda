"""HTEX constructor arguments are attributes: readable, settable before load(), and effective.

Setting one replaces the executor's options (checked again); the real pools started
afterwards show the setting took effect; once started, a change is refused, not ignored.
"""

import math
from pathlib import Path

import pytest
from htexkit import make_htex, processes_of, wait_until

import conveyor
from conveyor import Config, python_app
from conveyor.errors import ConfigurationError
from conveyor.executors.htex.attributes import DEFAULT_LAUNCH_CMD
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.providers.local import LocalProvider

CONSTRUCTOR = {
    "max_workers_per_node": 3,
    "cores_per_worker": 0.5,
    "mem_per_worker": 1.5,
    "cpu_affinity": "block",
    "address": "127.0.0.1",
    "loopback_address": "127.0.0.1",
    "worker_port_range": (47000, 47100),
    "interchange_port_range": (47100, 47200),
    "heartbeat_threshold": 9,
    "heartbeat_period": 2,
    "poll_period": 7,
    "address_probe_timeout": 4,
    "launch_cmd": "my-pool",
    "worker_debug": True,
    "prefetch_capacity": 2,
    "drain_period": 600,
    "worker_logdir_root": "/tmp/somewhere",
    "encrypted": False,
}


def test_every_constructor_argument_reads_back_as_given() -> None:
    ex = HighThroughputExecutor(label="x", available_accelerators=["a", "b"], **CONSTRUCTOR)  # type: ignore[arg-type]
    for name, value in CONSTRUCTOR.items():
        assert getattr(ex, name) == value, name
    assert ex.available_accelerators == ["a", "b"]
    assert HighThroughputExecutor(available_accelerators=2).available_accelerators == ["0", "1"]
    default = HighThroughputExecutor()
    assert default.max_workers_per_node == math.inf
    assert default.launch_cmd == DEFAULT_LAUNCH_CMD
    assert default.encrypted is True and default.workers_per_node == 1
    assert HighThroughputExecutor(worker_port=47500).worker_port == 0  # chosen at start
    assert HighThroughputExecutor(worker_port=47500).worker_ports == (47500, 47500)


def test_workers_per_node_is_computed_as_parsl_computes_it() -> None:
    provider = LocalProvider(init_blocks=0)
    assert HighThroughputExecutor(max_workers_per_node=5, provider=provider).workers_per_node == 5
    provider.cores_per_node = 8
    ex = HighThroughputExecutor(max_workers_per_node=16, provider=provider, cores_per_worker=4)
    assert ex.workers_per_node == 2
    provider.mem_per_node = 16
    ex.mem_per_worker = 16
    assert ex.workers_per_node == 1
    ex.mem_per_worker = 2
    ex.cores_per_worker = 1
    ex.available_accelerators = 3
    assert ex.workers_per_node == 3
    ex.max_workers_per_node = math.inf
    ex.available_accelerators = []
    assert ex.max_workers_per_node == math.inf and ex.workers_per_node == 8


def test_setting_checks_the_value_at_once_and_relations_at_start(tmp_path: Path) -> None:
    ex = make_htex(tmp_path)
    with pytest.raises(ConfigurationError, match="cores_per_worker"):
        ex.cores_per_worker = 0
    with pytest.raises(ConfigurationError, match="cpu_affinity"):
        ex.cpu_affinity = "sideways"
    # attributes may pass through inconsistent states while being set one by one ...
    ex.heartbeat_threshold = 1
    ex.heartbeat_threshold = 6
    ex.heartbeat_period = 1
    assert (ex.heartbeat_threshold, ex.heartbeat_period) == (6, 1)
    # ... but the executor does not start with them inconsistent
    ex.heartbeat_period = 10
    with pytest.raises(ConfigurationError, match="heartbeat_threshold"):
        ex.start()


@python_app
def mark() -> str | None:
    import os

    return os.environ.get("CONVEYOR_TEST_MARK")


def test_settings_made_before_load_reach_the_real_pools(tmp_path: Path) -> None:
    ex = make_htex(tmp_path, max_workers_per_node=1)
    ex.max_workers_per_node = 3
    ex.cores_per_worker = 0.5  # so that 3 workers fit on a 2-core machine
    ex.encrypted = False
    ex.worker_debug = True
    ex.heartbeat_period = 0.4
    ex.launch_cmd = f"env CONVEYOR_TEST_MARK=via-launch-cmd {DEFAULT_LAUNCH_CMD}"
    with conveyor.load(Config(executors=[ex], run_dir=str(tmp_path), strategy=None)):
        assert mark().result(timeout=60) == "via-launch-cmd"
        assert wait_until(lambda: ex.connected_workers() == 3), ex.connected_workers()
        pools = [p.cmdline() for p in processes_of(tmp_path) if "--max-workers" in p.cmdline()]
        assert pools, "no pool process found"
        argv = pools[0]
        assert argv[argv.index("--max-workers") + 1] == "3"
        assert argv[argv.index("--cores-per-worker") + 1] == "0.5"
        assert argv[argv.index("--debug") + 1] == "1"
        assert argv[argv.index("--heartbeat-period") + 1] == "0.4"
        assert argv[argv.index("--cert-dir") + 1] == "", "encrypted=False must reach the pool"
        assert not (Path(ex.logdir) / "certificates").exists()
        with pytest.raises(ConfigurationError, match="cannot change once it has started"):
            ex.max_workers_per_node = 1
        assert ex.max_workers_per_node == 3
        for name, value in (("label", "renamed"), ("provider", LocalProvider())):
            with pytest.raises(ConfigurationError, match=f"{name} of executor"):
                setattr(ex, name, value)
        assert ex.label == "htex"


def test_launch_cmd_is_conveyors_pool_a_parsl_template_or_a_command_as_given() -> None:
    ex = HighThroughputExecutor(max_workers_per_node=2, worker_debug=True)
    ex.worker_port = 54321
    ours = ex.launch_command("7")
    assert ours.startswith(DEFAULT_LAUNCH_CMD + " ") and "--block-id 7" in ours
    ex.launch_cmd = f"env A=1 {DEFAULT_LAUNCH_CMD}"
    assert ex.launch_command("7") == "env A=1 " + ours
    # Parsl's template behind a container runtime: the wrapper stays, conveyor's pool runs
    ex.launch_cmd = "apptainer exec img.sif process_worker_pool.py {debug} -a {addresses}"
    assert ex.launch_command("7") == "apptainer exec img.sif " + ours
    # anything else runs as given, with Parsl's placeholders filled in
    ex.launch_cmd = "my_pool {debug} {max_workers_per_node} --port={worker_port} --b={block_id} {x}"
    assert (
        ex.launch_command("7") == "my_pool --debug --max_workers_per_node=2 --port=54321 --b=7 {x}"
    )
    ex.launch_cmd = "sleep inf"
    assert ex.launch_command("7") == "sleep inf"
