"""Bridges (PSC), from a login node: two nodes for ten minutes per block."""

from conveyor.addresses import address_by_interface
from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
SlurmProvider = parsl_name("parsl.providers", "SlurmProvider")
SrunLauncher = parsl_name("parsl.launchers", "SrunLauncher")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="Bridges_HTEX_multinode",
            address=address_by_interface("ens3f0"),
            max_workers_per_node=1,
            provider=SlurmProvider(
                partition="YOUR_PARTITION_NAME",
                nodes_per_block=2,
                init_blocks=1,
                scheduler_options="",
                worker_init="",
                walltime="00:10:00",
                cmd_timeout=120,
                launcher=SrunLauncher(),
            ),
        )
    ],
    usage_tracking=LEVEL_1,
)
