"""Work Queue on this machine."""

import uuid

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

WorkQueueExecutor = parsl_name("parsl.executors", "WorkQueueExecutor")

config = Config(
    executors=[
        WorkQueueExecutor(
            label="parsl-wq-example",
            project_name="parsl-wq-" + str(uuid.uuid4()),
            port=9123,
            shared_fs=False,
        )
    ],
    usage_tracking=LEVEL_1,
)
