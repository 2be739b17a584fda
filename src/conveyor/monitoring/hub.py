"""MonitoringHub: Parsl's monitoring configuration object, and the run it starts.

``Config(monitoring=MonitoringHub(...))`` makes ``load()`` open the database (see
:mod:`conveyor.monitoring.endpoint`), write the ``workflow`` row and start ONE writer
process (:mod:`conveyor.monitoring.process`); the kernel reports transitions to it,
executors their blocks and pools. The writer is a new interpreter started with
``python -m conveyor.monitoring.service``, never a fork or a multiprocessing spawn, so
nothing re-imports the user's script: it works in notebooks and in scripts without an
``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import datetime
import getpass
import logging
import os
import pickle
import socket
import sys
import time
import uuid
import warnings
from typing import Any

from conveyor.errors import ConfigurationError
from conveyor.kernel.observe import TransitionObserver
from conveyor.logconfigs import LogConfig
from conveyor.monitoring import endpoint as _endpoint
from conveyor.monitoring.endpoint import database_path, default_endpoint, open_database
from conveyor.monitoring.link import MonitoringLink, Queues
from conveyor.monitoring.process import WriterProcess, WriterSettings
from conveyor.monitoring.writer import WorkflowInfo, insert_workflow

__all__ = ["MonitoringHub", "MonitoringRun", "start_monitoring"]

logger = logging.getLogger(__name__)

#: a pickled LogConfig travels on the writer's command line (hex): at most this large
MAX_LOG_CONFIG_BYTES = 32 << 10
_DEPRECATED = {
    "hub_address": "MonitoringHub.hub_address is unused (conveyor starts no monitoring hub)",
    "hub_port": "MonitoringHub.hub_port is unused (conveyor starts no monitoring hub)",
    "hub_port_range": "MonitoringHub.hub_port_range is unused; HTEX chooses its own ports",
}


class MonitoringHub:
    """Record every task, try, state change, block, node and resource sample in a database.

    Parsl 2026.10's keywords; ``hub_address``, ``hub_port`` and ``hub_port_range`` are
    accepted and ignored with a DeprecationWarning, as in Parsl.
    """

    def __init__(
        self,
        hub_address: Any = None,
        hub_port_range: Any = None,
        hub_port: Any = None,
        workflow_name: str | None = None,
        workflow_version: str | None = None,
        logging_endpoint: str | None = None,
        monitoring_debug: bool = False,
        resource_monitoring_enabled: bool = True,
        resource_monitoring_interval: float = 30,
    ) -> None:
        given = {"hub_address": hub_address, "hub_port": hub_port, "hub_port_range": hub_port_range}
        for name, value in given.items():
            if value is not None:
                warnings.warn(_DEPRECATED[name], DeprecationWarning, stacklevel=2)
                logger.warning(_DEPRECATED[name])
        self.hub_address, self.hub_port, self.hub_port_range = hub_address, hub_port, hub_port_range
        self.workflow_name = workflow_name
        self.workflow_version = workflow_version
        self.logging_endpoint = logging_endpoint
        self.monitoring_debug = monitoring_debug
        self.resource_monitoring_enabled = resource_monitoring_enabled
        self.resource_monitoring_interval = resource_monitoring_interval
        self._check()
        self.resource_monitoring_interval = float(resource_monitoring_interval)

    def _check(self) -> None:
        for name in ("workflow_name", "workflow_version"):
            _check(
                getattr(self, name) is None or isinstance(getattr(self, name), str), name, "a str"
            )
        _check(
            self.logging_endpoint is None or isinstance(self.logging_endpoint, str),
            "logging_endpoint",
            "a str such as sqlite:///runinfo/monitoring.db",
        )
        for name in ("monitoring_debug", "resource_monitoring_enabled"):
            _check(isinstance(getattr(self, name), bool), name, "a bool")
        interval = self.resource_monitoring_interval
        _check(
            isinstance(interval, int | float) and not isinstance(interval, bool) and interval >= 0,
            "resource_monitoring_interval",
            "a number of seconds >= 0",
        )

    def __repr__(self) -> str:
        return (
            f"MonitoringHub(workflow_name={self.workflow_name!r}, "
            f"logging_endpoint={self.logging_endpoint!r}, "
            f"resource_monitoring_enabled={self.resource_monitoring_enabled!r}, "
            f"resource_monitoring_interval={self.resource_monitoring_interval!r})"
        )

    def start(self, run_dir: str, config_run_dir: str, log_config: object = None) -> MonitoringRun:
        """Open the database and start the writer; ConfigurationError if it cannot be written.

        The writer logs into ``run_dir`` as ``database_manager``, through ``log_config``
        when it is a LogConfig (``Config.initialize_logging``), else into a plain
        ``database_manager.log``, as Parsl's database manager does.
        """
        endpoint = self.logging_endpoint or default_endpoint(config_run_dir)
        conn = open_database(endpoint)
        if self.monitoring_debug:
            logging.getLogger("conveyor.monitoring").setLevel(logging.DEBUG)
        return MonitoringRun(self, conn, endpoint, run_dir, _pickled_log_config(log_config))


class MonitoringRun:
    """One load()'s monitoring: the queues, the kernel observer, the executors' link, the writer."""

    def __init__(
        self,
        hub: MonitoringHub,
        conn: Any,
        endpoint: str,
        run_dir: str,
        log_config: bytes | None = None,
    ) -> None:
        """Write the workflow's row through ``conn`` (then closed); start the writer process."""
        self.endpoint = endpoint
        self.run_dir = os.path.abspath(run_dir)
        self.run_id = str(uuid.uuid4())
        self.queues = Queues()
        self.observer = TransitionObserver(self.queues.transitions)
        self.link = MonitoringLink(
            self.queues, hub.resource_monitoring_enabled, hub.resource_monitoring_interval
        )
        began = time.time()
        info = WorkflowInfo(
            self.run_id,
            hub.workflow_name or _script_name(),
            hub.workflow_version
            or datetime.datetime.fromtimestamp(began).strftime("%Y-%m-%d %H:%M:%S"),
            host=socket.gethostname(),
            user=_user(),
            rundir=self.run_dir,
        )
        try:
            insert_workflow(conn, info, began)
        except Exception as exc:
            raise ConfigurationError(
                f"monitoring logging_endpoint {endpoint!r} cannot be written: {exc}"
            ) from exc
        finally:
            conn.close()
        self.writer = self._start_writer(hub, endpoint, log_config)
        logger.info("monitoring run %s writes to %s", self.run_id, endpoint)

    @property
    def dbm_proc(self) -> WriterProcess:
        """The writer process (Parsl's name for its database manager process)."""
        return self.writer

    def _start_writer(
        self, hub: MonitoringHub, endpoint: str, log_config: bytes | None
    ) -> WriterProcess:
        settings = WriterSettings(
            database_path(endpoint),
            self.run_id,
            hub.resource_monitoring_interval,
            _endpoint.BUSY_TIMEOUT_S,
            hub.monitoring_debug,
            log_dir=self.run_dir,
            log_config=log_config,
        )
        try:
            return WriterProcess(self.queues, settings)
        except OSError as exc:
            raise ConfigurationError(
                f"monitoring: the writer process for {endpoint!r} could not start: {exc}"
            ) from exc

    def close(self) -> None:
        """Write the last batch and the workflow's end (called after the executors stopped)."""
        self.writer.close(time.time())
        logger.info("monitoring run %s closed: %d rows written", self.run_id, self.writer.written)


def start_monitoring(
    hub: object, run_dir: str, config_run_dir: str, log_config: object = None
) -> MonitoringRun | None:
    """Start ``Config.monitoring`` for one load(); None when it is None.

    ``log_config`` is ``Config.initialize_logging``: a LogConfig is handed to the writer.
    """
    if hub is None:
        return None
    if not isinstance(hub, MonitoringHub):
        raise ConfigurationError(
            f"Config.monitoring must be a MonitoringHub, not {type(hub).__name__}"
        )
    return hub.start(run_dir, config_run_dir, log_config)


def _pickled_log_config(setting: object) -> bytes | None:
    """A LogConfig, pickled for the writer process (on its command line); None otherwise.

    One that cannot be pickled, or pickles larger than ``MAX_LOG_CONFIG_BYTES``, is not
    used: the writer then logs into a plain ``database_manager.log``, with a warning here.
    (One the writer cannot unpickle, such as a class defined in a notebook, falls back
    the same way there.)
    """
    if not isinstance(setting, LogConfig):
        return None
    try:
        data = pickle.dumps(setting)
    except Exception as exc:
        why = str(exc)
    else:
        if len(data) <= MAX_LOG_CONFIG_BYTES:
            return data
        why = f"{len(data)} bytes pickled, more than {MAX_LOG_CONFIG_BYTES}"
    logger.warning(
        "monitoring: the log config %r cannot be sent to the writer process (%s); it "
        "logs into database_manager.log instead",
        setting,
        why,
    )
    return None


def _script_name() -> str:
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None) or (sys.argv[0] if sys.argv and sys.argv[0] else "")
    return os.path.basename(path) or "interactive"


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def _check(ok: bool, name: str, what: str) -> None:
    if not ok:
        raise ConfigurationError(f"MonitoringHub.{name} must be {what}")
