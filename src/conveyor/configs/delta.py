"""Delta (NCSA): one A100 GPU node per block through Slurm."""

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
SlurmProvider = parsl_name("parsl.providers", "SlurmProvider")
SrunLauncher = parsl_name("parsl.launchers", "SrunLauncher")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="Delta_GPU_Executor",
            working_dir="/scratch/path/to/your/directory",
            max_workers_per_node=1,
            provider=SlurmProvider(
                partition="gpuA100x4",
                account="YOUR_ALLOCATION_ON_DELTA",
                constraint="scratch",
                nodes_per_block=1,
                cores_per_node=32,
                mem_per_node=220,
                init_blocks=1,
                max_blocks=1,
                walltime="00:30:00",
                scheduler_options="#SBATCH --gpus-per-node=1 --gpu-bind=closest",
                worker_init="",
                exclusive=False,
                launcher=SrunLauncher(),
            ),
        )
    ],
    usage_tracking=LEVEL_1,
)
