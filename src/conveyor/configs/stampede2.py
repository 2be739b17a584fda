"""Stampede2 (TACC): two nodes per block through Slurm, Globus staging."""

from conveyor.addresses import address_by_interface
from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
SlurmProvider = parsl_name("parsl.providers", "SlurmProvider")
SrunLauncher = parsl_name("parsl.launchers", "SrunLauncher")
GlobusStaging = parsl_name("parsl.data_provider.globus", "GlobusStaging")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="Stampede2_HTEX",
            address=address_by_interface("em3"),
            max_workers_per_node=2,
            provider=SlurmProvider(
                nodes_per_block=2,
                init_blocks=1,
                min_blocks=1,
                max_blocks=1,
                partition="YOUR_PARTITION",
                scheduler_options="",
                worker_init="",
                launcher=SrunLauncher(),
                walltime="00:30:00",
            ),
            storage_access=[
                GlobusStaging(
                    endpoint_uuid="ceea5ca0-89a9-11e7-a97f-22000a92523b",
                    endpoint_path="/",
                    local_path="/",
                )
            ],
        )
    ],
    usage_tracking=LEVEL_1,
)
