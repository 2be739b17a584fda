"""Every exception conveyor raises, under one root: :class:`ConveyorError`.

The names and meanings follow Parsl's so that ``except`` clauses in Parsl scripts keep
working through the compatibility module (:mod:`conveyor.compat`). Import them from
here: the modules of this package only group them by the layer that raises them
(:mod:`~conveyor.errors.base`, ``apps``, ``dataflow``, ``executors``, ``htex``,
``serialize``, ``providers``, ``staging``); each class names ``conveyor.errors`` as its
module, so pickles, tracebacks and the Parsl-name lookup see one home for all of them.
"""

from __future__ import annotations

from conveyor.errors.apps import (
    AppBadFormatting,
    AppException,
    AppTimeout,
    BadStdStreamFile,
    BashAppNoReturn,
    BashExitFailure,
    MissingOutputs,
)
from conveyor.errors.base import (
    ConfigurationError,
    ConveyorError,
    InternalConsistencyError,
    InternalError,
    InvalidTransition,
    NoDataFlowKernelError,
    OptionalModuleMissing,
)
from conveyor.errors.dataflow import (
    BadCheckpoint,
    DataFlowException,
    DependencyError,
    JoinError,
    PropagatedException,
)
from conveyor.errors.executors import (
    BadStateException,
    ExecutorError,
    InvalidResourceSpecification,
    ScalingFailed,
    TooManyJobFailuresError,
    UnsupportedFeatureError,
)
from conveyor.errors.htex import (
    BadMessage,
    BlocksFailed,
    BrokenHtex,
    CommandClientTimeoutError,
    ExecutorShutDown,
    ManagerLost,
    ProtocolError,
    RemoteDependencyFailed,
    VersionMismatch,
    WorkerLost,
)
from conveyor.errors.providers import (
    BadLauncher,
    ExecutionProviderException,
    ScaleOutFailed,
    SubmitException,
)
from conveyor.errors.serialize import DeserializationError, SerializationError
from conveyor.errors.staging import StagingError, ZipAuthorityError

__all__ = [
    "AppBadFormatting",
    "AppException",
    "AppTimeout",
    "BadCheckpoint",
    "BadLauncher",
    "BadMessage",
    "BadStateException",
    "BadStdStreamFile",
    "BashAppNoReturn",
    "BashExitFailure",
    "BlocksFailed",
    "BrokenHtex",
    "CommandClientTimeoutError",
    "ConfigurationError",
    "ConveyorError",
    "DataFlowException",
    "DependencyError",
    "DeserializationError",
    "ExecutionProviderException",
    "ExecutorError",
    "ExecutorShutDown",
    "InternalConsistencyError",
    "InternalError",
    "InvalidResourceSpecification",
    "InvalidTransition",
    "JoinError",
    "ManagerLost",
    "MissingOutputs",
    "NoDataFlowKernelError",
    "OptionalModuleMissing",
    "PropagatedException",
    "ProtocolError",
    "RemoteDependencyFailed",
    "ScaleOutFailed",
    "ScalingFailed",
    "SerializationError",
    "StagingError",
    "SubmitException",
    "TooManyJobFailuresError",
    "UnsupportedFeatureError",
    "VersionMismatch",
    "WorkerLost",
    "ZipAuthorityError",
]

#: Parsl's name of the root (importable, not in ``__all__``, as before the split)
ParslError = ConveyorError

for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
