"""Amazon EC2: one instance per block through AWSProvider."""

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
AWSProvider = parsl_name("parsl.providers", "AWSProvider")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="ec2_single_node",
            provider=AWSProvider(
                "YOUR_AMI_ID",
                region="YOUR_AWS_REGION",
                key_name="YOUR_KEY_NAME",
                profile="default",
                state_file="awsproviderstate.json",
                nodes_per_block=1,
                init_blocks=1,
                max_blocks=1,
                min_blocks=0,
                walltime="01:00:00",
            ),
        )
    ],
    usage_tracking=LEVEL_1,
)
