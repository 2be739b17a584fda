"""HTEX on this machine: one block of workers started by LocalProvider."""

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
LocalProvider = parsl_name("parsl.providers", "LocalProvider")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="htex_local",
            cores_per_worker=1,
            provider=LocalProvider(init_blocks=1, max_blocks=1),
        )
    ],
    usage_tracking=LEVEL_1,
)
