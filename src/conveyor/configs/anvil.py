"""Anvil (Purdue): one GPU node per block through Slurm."""

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
SlurmProvider = parsl_name("parsl.providers", "SlurmProvider")
SrunLauncher = parsl_name("parsl.launchers", "SrunLauncher")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="Anvil_GPU_Executor",
            working_dir="/anvil/scratch/path/to/your/directory",
            max_workers_per_node=1,
            provider=SlurmProvider(
                partition="gpu",
                account="YOUR_ALLOCATION_ON_ANVIL",
                nodes_per_block=1,
                cores_per_node=4,
                mem_per_node=50,
                init_blocks=1,
                max_blocks=1,
                walltime="00:30:00",
                scheduler_options="#SBATCH --gres gpu:1 --gpus-per-node=1",
                worker_init="module load modtree/gpu",
                exclusive=False,
                launcher=SrunLauncher(),
            ),
        )
    ],
    usage_tracking=LEVEL_1,
)
