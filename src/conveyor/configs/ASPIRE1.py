"""ASPIRE 1 (NSCC Singapore): HTEX on PBS Pro with mpirun, monitoring, task-exit checkpoints."""

from conveyor.addresses import address_by_interface
from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
MpiRunLauncher = parsl_name("parsl.launchers", "MpiRunLauncher")
PBSProProvider = parsl_name("parsl.providers", "PBSProProvider")
BasicMemoizer = parsl_name("parsl.dataflow.memoization", "BasicMemoizer")
MonitoringHub = parsl_name("parsl.monitoring.monitoring", "MonitoringHub")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="htex",
            heartbeat_period=15,
            heartbeat_threshold=120,
            worker_debug=True,
            max_workers_per_node=4,
            address=address_by_interface("ib0"),
            provider=PBSProProvider(
                launcher=MpiRunLauncher(),
                scheduler_options="#PBS -J 1-10",
                worker_init="",
                nodes_per_block=3,
                min_blocks=3,
                max_blocks=5,
                cpus_per_node=24,
                walltime="24:00:00",
            ),
        ),
    ],
    monitoring=MonitoringHub(
        hub_address=address_by_interface("ib0"), resource_monitoring_interval=10
    ),
    strategy="simple",
    retries=3,
    memoizer=BasicMemoizer(checkpoint_mode="task_exit"),
    usage_tracking=LEVEL_1,
)
