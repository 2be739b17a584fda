"""Midway (UChicago RCC): two nodes per block through Slurm."""

from conveyor.addresses import address_by_interface
from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
SlurmProvider = parsl_name("parsl.providers", "SlurmProvider")
SrunLauncher = parsl_name("parsl.launchers", "SrunLauncher")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="Midway_HTEX_multinode",
            address=address_by_interface("bond0"),
            worker_debug=False,
            max_workers_per_node=2,
            provider=SlurmProvider(
                partition="YOUR_PARTITION",
                nodes_per_block=2,
                init_blocks=1,
                min_blocks=1,
                max_blocks=1,
                scheduler_options="",
                worker_init="",
                walltime="00:30:00",
                launcher=SrunLauncher(),
            ),
        )
    ],
    usage_tracking=LEVEL_1,
)
