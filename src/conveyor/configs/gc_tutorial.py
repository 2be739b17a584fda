"""Globus Compute: the public tutorial endpoint."""

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

GlobusComputeExecutor = parsl_name("parsl.executors", "GlobusComputeExecutor")


def gc_executor(endpoint_id: str) -> object:
    """A Globus Compute SDK Executor for ``endpoint_id`` (needs globus-compute-sdk)."""
    from globus_compute_sdk import Executor  # type: ignore[import-not-found]

    return Executor(endpoint_id=endpoint_id)


tutorial_endpoint = "4b116d3c-1703-4f8f-9f6f-39921e5864df"

config = Config(
    executors=[
        GlobusComputeExecutor(
            executor=gc_executor(tutorial_endpoint), label="Tutorial_Endpoint_py3.11"
        )
    ],
    usage_tracking=LEVEL_1,
)
