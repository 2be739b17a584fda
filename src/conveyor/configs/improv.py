"""Improv (Argonne LCRC): two nodes per PBS Pro block with mpirun."""

from conveyor.config import Config
from conveyor.configs._site import parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
MpiRunLauncher = parsl_name("parsl.launchers", "MpiRunLauncher")
PBSProProvider = parsl_name("parsl.providers", "PBSProProvider")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="Improv_multinode",
            max_workers_per_node=32,
            provider=PBSProProvider(
                account="YOUR_ALLOCATION_ON_IMPROV",
                scheduler_options="",
                queue="compute",
                worker_init="\nmodule load gcc/13.2.0;\nmodule load openmpi/5.0.3-gcc-13.2.0; ",
                launcher=MpiRunLauncher(),
                nodes_per_block=2,
                walltime="00:10:00",
            ),
        ),
    ],
)
