"""TaskVine on this machine."""

import uuid

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

TaskVineExecutor = parsl_name("parsl.executors", "TaskVineExecutor")
TaskVineManagerConfig = parsl_name("parsl.executors.taskvine", "TaskVineManagerConfig")

config = Config(
    executors=[
        TaskVineExecutor(
            label="parsl-vine-example",
            manager_config=TaskVineManagerConfig(project_name="parsl-vine-" + str(uuid.uuid4())),
        )
    ],
    usage_tracking=LEVEL_1,
)
