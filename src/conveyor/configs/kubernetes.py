"""Kubernetes: one pod per block through KubernetesProvider."""

from conveyor.addresses import address_by_route
from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

HighThroughputExecutor = parsl_name("parsl.executors", "HighThroughputExecutor")
KubernetesProvider = parsl_name("parsl.providers", "KubernetesProvider")

config = Config(
    executors=[
        HighThroughputExecutor(
            label="kube-htex",
            cores_per_worker=1,
            max_workers_per_node=1,
            worker_logdir_root="YOUR_WORK_DIR",
            address=address_by_route(),
            provider=KubernetesProvider(
                namespace="default",
                image="YOUR_DOCKER_URL",
                worker_init="",
                secret="YOUR_KUBE_SECRET",
                pod_name="YOUR-POD-Name",
                nodes_per_block=1,
                init_blocks=1,
                max_blocks=10,
            ),
        ),
    ],
    usage_tracking=LEVEL_1,
)
