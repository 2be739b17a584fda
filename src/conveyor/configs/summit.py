"""Summit (OLCF), from a login node: two LSF nodes per block with jsrun."""

from conveyor.addresses import address_by_interface
from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
JsrunLauncher = parsl_name("parsl.launchers", "JsrunLauncher")
LSFProvider = parsl_name("parsl.providers", "LSFProvider")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="Summit_HTEX",
            working_dir="YOUR_WORKING_DIR_ON_SHARED_FS",
            address=address_by_interface("ib0"),
            worker_port_range=(50000, 55000),
            provider=LSFProvider(
                launcher=JsrunLauncher(),
                walltime="00:10:00",
                nodes_per_block=2,
                init_blocks=1,
                max_blocks=1,
                worker_init="",
                project="YOUR_PROJECT_ALLOCATION",
                cmd_timeout=60,
            ),
        )
    ],
    usage_tracking=LEVEL_1,
)
