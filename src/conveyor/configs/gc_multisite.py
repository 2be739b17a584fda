"""Globus Compute: two endpoints (Perlmutter and Expanse) as two executors."""

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

GlobusComputeExecutor = parsl_name("parsl.executors", "GlobusComputeExecutor")


def gc_executor(endpoint_id: str) -> object:
    """A Globus Compute SDK Executor for ``endpoint_id`` (needs globus-compute-sdk)."""
    from globus_compute_sdk import Executor  # type: ignore[import-not-found]

    return Executor(endpoint_id=endpoint_id)


perlmutter_endpoint = "YOUR_PERLMUTTER_ENDPOINT_UUID"
expanse_endpoint = "YOUR_EXPANSE_ENDPOINT_UUID"

config = Config(
    executors=[
        GlobusComputeExecutor(executor=gc_executor(perlmutter_endpoint), label="Perlmutter"),
        GlobusComputeExecutor(executor=gc_executor(expanse_endpoint), label="Expanse"),
    ],
    usage_tracking=LEVEL_1,
)
