"""Parsl compatibility: the one table mapping Parsl's module paths to conveyor objects.

:data:`MODULES` maps each Parsl module users import to ``{name: "conveyor.module:attr"}``;
:data:`LACKING` lists Parsl names conveyor deliberately does not provide. Values resolve
lazily, on first attribute access, so ``import parsl`` through the hook stays cheap.
The import hook itself is in :mod:`conveyor.importhook`; ``install()`` activates it.
"""

from __future__ import annotations

from collections.abc import Mapping

from conveyor.kernel.states import States

__all__ = [
    "LACKING",
    "LAUNCHER_NAMES",
    "MODULES",
    "DataFlowKernelLoader",
    "States",
    "install",
    "parsl_qualname",
    "resolve",
]

_ERR = "conveyor.errors:"
#: launcher class names, shared with conveyor/__init__.py's lazy exports
LAUNCHER_NAMES = [
    "SimpleLauncher",
    "SingleNodeLauncher",
    "SrunLauncher",
    "SrunMPILauncher",
    "MpiExecLauncher",
    "MpiRunLauncher",
    "AprunLauncher",
    "JsrunLauncher",
    "GnuParallelLauncher",
    "WrappedLauncher",
]
_CORE = {
    "python_app": "conveyor.app.decorators:python_app",
    "bash_app": "conveyor.app.decorators:bash_app",
    "join_app": "conveyor.app.decorators:join_app",
    "Config": "conveyor.config:Config",
    "DataFlowKernel": "conveyor.kernel.kernel:DataFlowKernel",
    "File": "conveyor.files:File",
    "set_stream_logger": "conveyor.log_utils:set_stream_logger",
    "set_file_logger": "conveyor.log_utils:set_file_logger",
    "AUTO_LOGNAME": "conveyor.elaborations.std_streams:AUTO_LOGNAME",
    "ThreadPoolExecutor": "conveyor.executors.threads:ThreadPoolExecutor",
    "HighThroughputExecutor": "conveyor.executors.htex.executor:HighThroughputExecutor",
    "load": "conveyor.kernel.current:load",
    "dfk": "conveyor.kernel.current:dfk",
    "clear": "conveyor.kernel.current:clear",
    "wait_for_current_tasks": "conveyor.kernel.current:wait_for_current_tasks",
    "MonitoringHub": "conveyor.monitoring.hub:MonitoringHub",
    "__version__": "conveyor.version:VERSION",
    "DataFlowKernelLoader": "conveyor.compat:DataFlowKernelLoader",
}


#: the modules Parsl ships in ``parsl.configs``, each with a ready ``config`` (conveyor.configs)
CONFIG_NAMES = [
    "ASPIRE1",
    "Azure",
    "anvil",
    "bridges",
    "cc_in2p3",
    "delta",
    "ec2",
    "expanse",
    "frontera",
    "gc_multisite",
    "gc_tutorial",
    "htex_local",
    "illinoiscluster",
    "improv",
    "kubernetes",
    "local_threads",
    "midway",
    "osg",
    "polaris",
    "stampede2",
    "summit",
    "toss3_llnl",
    "vineex_local",
    "wqex_local",
]
#: Parsl's usage-tracking levels (conveyor sends no usage data at any level)
DISABLED, LEVEL_1, LEVEL_2, LEVEL_3 = 0, 1, 2, 3


def _names(module: str, names: str) -> dict[str, str]:
    return {n: f"{module}:{n}" for n in names.split()}


MODULES: Mapping[str, Mapping[str, str]] = {
    "parsl": _CORE,
    "parsl.app": {},
    "parsl.app.app": {
        **_names("conveyor.app.decorators", "python_app bash_app join_app"),
        "AppBase": "conveyor.app.app:AppBase",
    },
    "parsl.app.errors": _names(
        "conveyor.errors",
        "AppException AppBadFormatting BashExitFailure AppTimeout BashAppNoReturn MissingOutputs BadStdStreamFile",
    ),
    "parsl.app.futures": {"DataFuture": "conveyor.futures:DataFuture"},
    "parsl.app.python": {
        "PythonApp": "conveyor.app_classes:PythonApp",
        "timeout": "conveyor.app.bash:timeout",
    },
    "parsl.app.bash": {"BashApp": "conveyor.app_classes:BashApp"},
    "parsl.addresses": _names(
        "conveyor.addresses",
        "address_by_hostname address_by_interface address_by_query address_by_route"
        " get_all_addresses get_any_address tcp_url",
    ),
    "parsl.configs": {},
    **{f"parsl.configs.{n}": {"config": f"conveyor.configs.{n}:config"} for n in CONFIG_NAMES},
    "parsl.logconfigs": {},
    "parsl.logconfigs.base": _names(
        "conveyor.logconfigs",
        "LogConfig oneshot_initialize_logging oneshot_uninitialize_logging"
        " _initialized_log_contexts",
    ),
    "parsl.logconfigs.file": {"FileLogging": "conveyor.logconfigs:FileLogging"},
    "parsl.logconfigs.json": _names("conveyor.logconfigs", "JSONLogging JSONHandler"),
    "parsl.logconfigs.noop": {"NoopLogging": "conveyor.logconfigs:NoopLogging"},
    "parsl.usage_tracking": {},
    "parsl.usage_tracking.levels": _names("conveyor.compat", "DISABLED LEVEL_1 LEVEL_2 LEVEL_3"),
    "parsl.concurrent": {"ParslPoolExecutor": "conveyor.concurrent:ParslPoolExecutor"},
    "parsl.config": {"Config": "conveyor.config:Config"},
    "parsl.data_provider": {},
    "parsl.data_provider.files": {"File": "conveyor.files:File"},
    "parsl.data_provider.staging": {"Staging": "conveyor.staging.base:Staging"},
    "parsl.data_provider.data_manager": {
        "DataManager": "conveyor.staging.manager:DataManager",
        "default_staging": "conveyor.staging.defaults:default_staging",
    },
    "parsl.data_provider.file_noop": {
        "NoOpFileStaging": "conveyor.staging.file_noop:NoOpFileStaging"
    },
    "parsl.data_provider.http": _names(
        "conveyor.staging.http", "HTTPInTaskStaging HTTPSeparateTaskStaging"
    ),
    "parsl.data_provider.ftp": _names(
        "conveyor.staging.ftp", "FTPInTaskStaging FTPSeparateTaskStaging"
    ),
    "parsl.data_provider.zip": {
        "ZipFileStaging": "conveyor.staging.zip:ZipFileStaging",
        "ZipAuthorityError": _ERR + "ZipAuthorityError",
        "zip_path_split": "conveyor.staging.zip:zip_path_split",
    },
    "parsl.dataflow": {},
    "parsl.dataflow.futures": {"AppFuture": "conveyor.futures:AppFuture"},
    "parsl.dataflow.dflow": {
        "DataFlowKernel": "conveyor.kernel.kernel:DataFlowKernel",
        "DataFlowKernelLoader": "conveyor.compat:DataFlowKernelLoader",
    },
    "parsl.dataflow.dependency_resolvers": _names(
        "conveyor.elaborations.dependencies",
        "DependencyResolver DEEP_DEPENDENCY_RESOLVER SHALLOW_DEPENDENCY_RESOLVER deep_traverse_to_gather deep_traverse_to_unwrap",
    ),
    "parsl.dataflow.errors": _names(
        "conveyor.errors",
        "DataFlowException BadCheckpoint PropagatedException DependencyError JoinError",
    ),
    "parsl.dataflow.memoization": {
        "BasicMemoizer": "conveyor.elaborations.memoization:BasicMemoizer",
        "Memoizer": "conveyor.elaborations.base:Memoizer",
        "id_for_memo": "conveyor.elaborations.memo_keys:id_for_memo",
    },
    "parsl.dataflow.states": {
        "States": "conveyor.compat:States",
        "FINAL_STATES": "conveyor.kernel.states:FINAL_STATES",
        "FINAL_FAILURE_STATES": "conveyor.kernel.states:FINAL_FAILURE_STATES",
    },
    "parsl.dataflow.taskrecord": {"TaskRecord": "conveyor.kernel.record:TaskView"},
    "parsl.errors": {
        **_names(
            "conveyor.errors", "ConfigurationError OptionalModuleMissing NoDataFlowKernelError"
        ),
        "ParslError": _ERR + "ConveyorError",
        "InternalConsistencyError": _ERR + "InternalError",
    },
    "parsl.executors": {
        "ThreadPoolExecutor": _CORE["ThreadPoolExecutor"],
        "HighThroughputExecutor": _CORE["HighThroughputExecutor"],
        "MPIExecutor": "conveyor.executors.htex.mpi_executor:MPIExecutor",
    },
    "parsl.executors.base": {"ParslExecutor": "conveyor.executors.base:Executor"},
    "parsl.executors.errors": _names(
        "conveyor.errors",
        "ExecutorError BadStateException UnsupportedFeatureError InvalidResourceSpecification ScalingFailed BadMessage",
    ),
    "parsl.executors.threads": {"ThreadPoolExecutor": _CORE["ThreadPoolExecutor"]},
    "parsl.executors.status_handling": {
        "BlockProviderExecutor": "conveyor.executors.block_provider:BlockProviderExecutor"
    },
    "parsl.executors.high_throughput": {},
    "parsl.executors.high_throughput.executor": {
        "HighThroughputExecutor": _CORE["HighThroughputExecutor"]
    },
    "parsl.executors.high_throughput.errors": _names(
        "conveyor.errors", "ManagerLost VersionMismatch WorkerLost CommandClientTimeoutError"
    ),
    "parsl.executors.high_throughput.manager_selector": _names(
        "conveyor.executors.htex.manager_selector",
        "ManagerSelector RandomManagerSelector BlockIdManagerSelector",
    ),
    "parsl.executors.high_throughput.mpi_executor": {
        "MPIExecutor": "conveyor.executors.htex.mpi_executor:MPIExecutor"
    },
    "parsl.executors.high_throughput.mpi_prefix_composer": _names(
        "conveyor.executors.htex.mpi_prefix",
        "VALID_LAUNCHERS validate_resource_spec compose_all compose_mpiexec_launch_cmd"
        " compose_srun_launch_cmd compose_aprun_launch_cmd",
    ),
    "parsl.executors.high_throughput.mpi_resource_management": _names(
        "conveyor.executors.htex.mpi_nodes",
        "Scheduler identify_scheduler get_nodes_in_batchjob get_pbs_hosts_list get_slurm_hosts_list",
    ),
    "parsl.jobs": {},
    "parsl.jobs.error_handlers": _names(
        "conveyor.executors.blocks.error_handlers",
        "noop_error_handler simple_error_handler windowed_error_handler",
    ),
    "parsl.jobs.errors": {"TooManyJobFailuresError": _ERR + "TooManyJobFailuresError"},
    "parsl.jobs.states": _names("conveyor.providers.states", "JobState JobStatus TERMINAL_STATES"),
    "parsl.launchers": {n: f"conveyor.launchers:{n}" for n in LAUNCHER_NAMES},
    "parsl.providers": {
        "LocalProvider": "conveyor.providers.local:LocalProvider",
        "SlurmProvider": "conveyor.providers.slurm:SlurmProvider",
        "PBSProProvider": "conveyor.providers.pbspro:PBSProProvider",
        "TorqueProvider": "conveyor.providers.torque:TorqueProvider",
        "LSFProvider": "conveyor.providers.lsf:LSFProvider",
        "CondorProvider": "conveyor.providers.condor:CondorProvider",
        "GridEngineProvider": "conveyor.providers.gridengine:GridEngineProvider",
    },
    "parsl.providers.pbspro": {},
    "parsl.providers.pbspro.pbspro": {"PBSProProvider": "conveyor.providers.pbspro:PBSProProvider"},
    "parsl.providers.torque": {},
    "parsl.providers.torque.torque": {"TorqueProvider": "conveyor.providers.torque:TorqueProvider"},
    "parsl.providers.lsf": {},
    "parsl.providers.lsf.lsf": {"LSFProvider": "conveyor.providers.lsf:LSFProvider"},
    "parsl.providers.condor": {},
    "parsl.providers.condor.condor": {"CondorProvider": "conveyor.providers.condor:CondorProvider"},
    "parsl.providers.grid_engine": {},
    "parsl.providers.grid_engine.grid_engine": {
        "GridEngineProvider": "conveyor.providers.gridengine:GridEngineProvider"
    },
    "parsl.providers.slurm": {},
    "parsl.providers.slurm.slurm": {"SlurmProvider": "conveyor.providers.slurm:SlurmProvider"},
    "parsl.providers.local": {},
    "parsl.providers.local.local": {"LocalProvider": "conveyor.providers.local:LocalProvider"},
    "parsl.providers.base": {"ExecutionProvider": "conveyor.providers.base:ExecutionProvider"},
    "parsl.providers.errors": _names(
        "conveyor.errors", "ExecutionProviderException ScaleOutFailed SubmitException"
    ),
    "parsl.monitoring": {"MonitoringHub": "conveyor.monitoring.hub:MonitoringHub"},
    "parsl.monitoring.monitoring": {"MonitoringHub": "conveyor.monitoring.hub:MonitoringHub"},
    "parsl.monitoring.radios": {},
    **{
        f"parsl.monitoring.radios.{module}": {name: f"conveyor.monitoring.radios:{name}"}
        for module, name in (
            ("base", "RadioConfig"),
            ("htex", "HTEXRadio"),
            ("udp", "UDPRadio"),
            ("filesystem", "FilesystemRadio"),
            ("multiprocessing", "MultiprocessingQueueRadio"),
        )
    },
    "parsl.log_utils": _names(
        "conveyor.log_utils", "set_stream_logger set_file_logger DEFAULT_FORMAT"
    ),
    "parsl.serialize": {},
    "parsl.serialize.errors": _names("conveyor.errors", "SerializationError DeserializationError"),
    "parsl.utils": {
        **_names("conveyor.utils", "get_all_checkpoints get_last_checkpoint"),
        "RepresentationMixin": "conveyor.representation:RepresentationMixin",
        **_names("conveyor.file_wait", "time_limited_open wait_for_file"),
        "execute_wait": "conveyor.providers.shell:execute_wait",
    },
    "parsl.version": {"VERSION": "conveyor.version:VERSION"},
}

#: Parsl names conveyor does not provide, per module (importing one is a clear ImportError)
LACKING: Mapping[str, frozenset[str]] = {
    "parsl": frozenset({"WorkQueueExecutor", "RadicalPilotExecutor"}),
    "parsl.executors": frozenset(
        {
            "WorkQueueExecutor",
            "FluxExecutor",
            "GlobusComputeExecutor",
            "TaskVineExecutor",
        }
    ),
    "parsl.providers": frozenset(
        {
            "AWSProvider",
            "AzureProvider",
            "GoogleCloudProvider",
            "KubernetesProvider",
        }
    ),
    "parsl.app.errors": frozenset({"RemoteExceptionWrapper", "wrap_error"}),
    "parsl.dataflow.memoization": frozenset({"CheckpointCommand", "make_hash"}),
    "parsl.serialize.errors": frozenset({"DeserializerPluginError"}),
    # the pool's internal schedulers: conveyor's pool places MPI tasks itself
    "parsl.executors.high_throughput.mpi_resource_management": frozenset(
        {"MPINodesUnavailable", "MPITaskScheduler", "PrioritizedTask", "TaskScheduler"}
    ),
    "parsl.utils": frozenset({"Timer", "AutoCancelTimer"}),
}


class _LoaderMeta(type):
    @property
    def _dfk(cls) -> object:
        """The current kernel or None (Parsl's tests read this class attribute)."""
        from conveyor.kernel import current

        return current._current


class DataFlowKernelLoader(metaclass=_LoaderMeta):
    """Parsl's loader class, as static methods over :mod:`conveyor.kernel.current`."""

    @staticmethod
    def load(config: object = None) -> object:
        """See ``conveyor.load``."""
        from conveyor.kernel.current import load

        return load(config)  # type: ignore[arg-type]

    @staticmethod
    def dfk() -> object:
        """See ``conveyor.dfk``."""
        from conveyor.kernel.current import dfk

        return dfk()

    @staticmethod
    def clear() -> None:
        """See ``conveyor.clear``."""
        from conveyor.kernel.current import clear

        clear()

    @staticmethod
    def wait_for_current_tasks() -> None:
        """See ``conveyor.wait_for_current_tasks``."""
        from conveyor.kernel.current import wait_for_current_tasks

        wait_for_current_tasks()


def parsl_qualname(cls: type) -> str:
    """Parsl's full name for conveyor's ``cls`` (its deepest module path in :data:`MODULES`).

    ``parsl.executors.threads.ThreadPoolExecutor`` for conveyor's ThreadPoolExecutor, as
    Parsl logs executor types; conveyor's own name for classes Parsl does not have.
    """
    target = f"{cls.__module__}:{cls.__qualname__}"
    paths = [m for m, table in MODULES.items() if table.get(cls.__qualname__) == target]
    if not paths:
        return f"{cls.__module__}.{cls.__qualname__}"
    return f"{max(paths, key=lambda m: m.count('.'))}.{cls.__qualname__}"


def resolve(target: str) -> object:
    """Import ``"module:attr"`` and return the attribute."""
    import importlib

    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def install() -> None:
    """Serve ``import parsl...`` from conveyor for the rest of this process."""
    from conveyor.importhook import install as _install

    _install()
