"""Polaris (ALCF): 128-node PBS Pro blocks, one worker per GPU, mpiexec."""

from conveyor.addresses import address_by_interface
from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
MpiExecLauncher = parsl_name("parsl.launchers", "MpiExecLauncher")
PBSProProvider = parsl_name("parsl.providers", "PBSProProvider")

config = Config(
    executors=[
        HighThroughputExecutor(
            available_accelerators=4,
            address=address_by_interface("bond0"),
            cpu_affinity="alternating",
            prefetch_capacity=0,
            provider=PBSProProvider(
                account="YOUR_ACCOUNT",
                worker_init="module load conda; conda activate YOUR_ENV",
                walltime="YOUR_WALLTIME",
                queue="prod",
                scheduler_options="#PBS -l filesystems=home:eagle",
                launcher=MpiExecLauncher(bind_cmd="--cpu-bind", overrides="--depth=64 --ppn 1"),
                select_options="ngpus=4",
                nodes_per_block=128,
                min_blocks=0,
                max_blocks=1,
                cpus_per_node=64,
            ),
        ),
    ],
    usage_tracking=LEVEL_1,
)
