"""Threads in this process: Parsl's first tutorial config."""

from conveyor.config import Config
from conveyor.configs._site import LEVEL_1, parsl_name

ThreadPoolExecutor = parsl_name("parsl.executors", "ThreadPoolExecutor")

config = Config(executors=[ThreadPoolExecutor()], usage_tracking=LEVEL_1)
