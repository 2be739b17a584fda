"""CC-IN2P3: two Grid Engine blocks of one node."""

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
GridEngineProvider = parsl_name("parsl.providers", "GridEngineProvider")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="cc_in2p3_htex",
            max_workers_per_node=2,
            provider=GridEngineProvider(
                nodes_per_block=1,
                init_blocks=2,
                max_blocks=2,
                walltime="00:20:00",
                scheduler_options="",
                worker_init="",
            ),
        )
    ],
    usage_tracking=LEVEL_1,
)
