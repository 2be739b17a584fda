"""TOSS3 clusters (LLNL): Flux inside one Slurm node."""

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

FluxExecutor = parsl_name("parsl.executors", "FluxExecutor")
SlurmProvider = parsl_name("parsl.providers", "SlurmProvider")
SrunLauncher = parsl_name("parsl.launchers", "SrunLauncher")

config = Config(
    executors=[
        FluxExecutor(
            provider=SlurmProvider(
                partition="YOUR_PARTITION",
                account="YOUR_ACCOUNT",
                launcher=SrunLauncher(overrides="--mpibind=off"),
                nodes_per_block=1,
                init_blocks=1,
                min_blocks=1,
                max_blocks=1,
                walltime="00:30:00",
                scheduler_options="",
                worker_init="",
                cmd_timeout=120,
            ),
        )
    ],
    usage_tracking=LEVEL_1,
)
