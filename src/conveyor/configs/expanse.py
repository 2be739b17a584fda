"""Expanse (SDSC): two CPU nodes per block through Slurm."""

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
SlurmProvider = parsl_name("parsl.providers", "SlurmProvider")
SrunLauncher = parsl_name("parsl.launchers", "SrunLauncher")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="Expanse_CPU_Multinode",
            max_workers_per_node=32,
            provider=SlurmProvider(
                partition="compute",
                account="YOUR_ALLOCATION_ON_EXPANSE",
                scheduler_options="",
                worker_init="",
                walltime="01:00:00",
                init_blocks=1,
                max_blocks=1,
                nodes_per_block=2,
                launcher=SrunLauncher(),
            ),
        )
    ],
    usage_tracking=LEVEL_1,
)
