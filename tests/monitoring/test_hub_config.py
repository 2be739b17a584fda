"""MonitoringHub's keywords, Parsl's import paths, and endpoints refused at load()."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dbkit import hub, threads_config

import conveyor
from conveyor import Config, MonitoringHub
from conveyor.errors import ConfigurationError
from conveyor.monitoring.endpoint import database_path


def test_defaults_are_parsls() -> None:
    h = MonitoringHub()
    assert h.resource_monitoring_enabled is True
    assert h.resource_monitoring_interval == 30
    assert h.monitoring_debug is False
    assert (h.workflow_name, h.workflow_version, h.logging_endpoint) == (None, None, None)


def test_keywords_are_kept() -> None:
    h = MonitoringHub(
        workflow_name="w",
        workflow_version="1.2",
        logging_endpoint="sqlite:///x.db",
        monitoring_debug=True,
        resource_monitoring_enabled=False,
        resource_monitoring_interval=2,
    )
    assert (h.workflow_name, h.workflow_version, h.logging_endpoint) == (
        "w",
        "1.2",
        "sqlite:///x.db",
    )
    assert h.monitoring_debug and not h.resource_monitoring_enabled
    assert h.resource_monitoring_interval == 2.0


@pytest.mark.parametrize(
    "keyword", [{"hub_address": "127.0.0.1"}, {"hub_port": 55055}, {"hub_port_range": (1, 2)}]
)
def test_deprecated_keywords_warn_and_are_ignored(keyword: dict[str, object]) -> None:
    with pytest.warns(DeprecationWarning, match="unused"):
        h = MonitoringHub(**keyword)  # type: ignore[arg-type]
    name, value = next(iter(keyword.items()))
    assert getattr(h, name) == value


@pytest.mark.parametrize(
    "bad",
    [
        {"resource_monitoring_interval": -1},
        {"resource_monitoring_interval": "often"},
        {"resource_monitoring_enabled": "yes"},
        {"workflow_name": 3},
        {"logging_endpoint": 7},
    ],
)
def test_bad_values_are_configuration_errors(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError, match="MonitoringHub"):
        MonitoringHub(**bad)  # type: ignore[arg-type]


def test_importable_under_parsls_paths() -> None:
    code = (
        "import conveyor.compat as c; c.install()\n"
        "import parsl, conveyor\n"
        "from parsl.monitoring import MonitoringHub as a\n"
        "from parsl.monitoring.monitoring import MonitoringHub as b\n"
        "assert a is b is parsl.MonitoringHub is conveyor.MonitoringHub, (a, b)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr
    assert conveyor.MonitoringHub is MonitoringHub


def test_not_a_hub_is_refused_at_load(tmp_path: Path) -> None:
    config = threads_config(tmp_path, monitoring=object())
    with pytest.raises(ConfigurationError, match="MonitoringHub"):
        conveyor.load(config)
    conveyor.clear()


def _refused(tmp_path: Path, endpoint: str) -> str:
    config = threads_config(tmp_path, monitoring=hub(tmp_path, logging_endpoint=endpoint))
    with pytest.raises(ConfigurationError) as info:
        conveyor.load(config)
    conveyor.clear()
    return str(info.value)


def test_unknown_scheme_names_the_endpoint(tmp_path: Path) -> None:
    message = _refused(tmp_path, "postgresql://db.example/monitoring")
    assert "postgresql://db.example/monitoring" in message
    assert "sqlite:///" in message


def test_path_under_a_file_names_the_endpoint(tmp_path: Path) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("not a directory")
    endpoint = f"sqlite:///{blocker}/monitoring.db"
    assert endpoint in _refused(tmp_path, endpoint)


def test_read_only_location_names_the_endpoint(tmp_path: Path) -> None:
    endpoint = "sqlite:////proc/conveyor-monitoring.db"  # read-only even for root
    message = _refused(tmp_path, endpoint)
    assert endpoint in message and "cannot" in message


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not SQLite" * 100)
    endpoint = f"sqlite:///{junk}"
    assert endpoint in _refused(tmp_path, endpoint)


def test_endpoint_paths() -> None:
    assert database_path("sqlite:///rel/m.db") == "rel/m.db"
    assert database_path("sqlite:////abs/m.db") == "/abs/m.db"
    with pytest.raises(ConfigurationError):
        database_path("sqlite:///")


def test_default_endpoint_is_in_the_config_run_dir(tmp_path: Path) -> None:
    config = Config(run_dir=str(tmp_path / "runinfo"), monitoring=MonitoringHub())
    with conveyor.load(config):
        pass
    conveyor.clear()
    assert (tmp_path / "runinfo" / "monitoring.db").exists()
