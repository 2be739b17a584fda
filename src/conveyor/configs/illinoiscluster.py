"""Campus Cluster (UIUC), from a login node: two nodes, one worker per node."""

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
SlurmProvider = parsl_name("parsl.providers", "SlurmProvider")
SrunLauncher = parsl_name("parsl.launchers", "SrunLauncher")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="CC_htex",
            worker_debug=False,
            cores_per_worker=16.0,
            provider=SlurmProvider(
                partition="secondary-fdr",
                nodes_per_block=2,
                init_blocks=1,
                max_blocks=1,
                scheduler_options="",
                cmd_timeout=60,
                walltime="00:10:00",
                worker_init="conda activate envParsl",
                launcher=SrunLauncher(),
            ),
        )
    ],
    usage_tracking=LEVEL_1,
)
