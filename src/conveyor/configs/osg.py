"""Open Science Grid: four HTCondor blocks of one node."""

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
CondorProvider = parsl_name("parsl.providers", "CondorProvider")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="OSG_HTEX",
            max_workers_per_node=1,
            provider=CondorProvider(
                nodes_per_block=1,
                init_blocks=4,
                max_blocks=4,
                scheduler_options=(
                    '\n                +ProjectName = "MyProject"'
                    "\n                Requirements = HAS_MODULES=?=TRUE\n                "
                ),
                worker_init=(
                    "unset HOME; unset PYTHONPATH; module load python/3.7.0;\n"
                    "python3 -m venv parsl_env; source parsl_env/bin/activate;"
                    " python3 -m pip install parsl"
                ),
                walltime="00:20:00",
            ),
            worker_logdir_root="$OSG_WN_TMP",
            worker_port=31000,
        )
    ],
    usage_tracking=LEVEL_1,
)
