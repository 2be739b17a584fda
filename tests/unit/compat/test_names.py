"""Parsl names users import, served through the hook: apps, loader, placeholders, addresses."""

import ipaddress
import socket
from collections.abc import Iterator

import pytest

import conveyor
from conveyor import importhook
from conveyor.addresses import (
    address_by_hostname,
    address_by_interface,
    address_by_query,
    get_all_addresses,
    get_any_address,
    tcp_url,
)
from conveyor.app_classes import BashApp, PythonApp
from conveyor.representation import RepresentationMixin


@pytest.fixture
def hook() -> Iterator[None]:
    importhook.install()
    yield
    importhook.uninstall()


def twice(x: int) -> int:
    return 2 * x


def echo_cmd(word: str) -> str:
    return f"echo {word}"


def test_bare_import_parsl_reaches_subpackages(hook: None) -> None:
    import parsl

    assert parsl.addresses.tcp_url("::1", 5) == "tcp://[::1]:5"
    assert parsl.executors.HighThroughputExecutor is conveyor.HighThroughputExecutor
    assert parsl.config.Config is conveyor.Config
    assert parsl.app.app.python_app is conveyor.python_app
    assert parsl.dataflow.futures.AppFuture is conveyor.AppFuture
    assert parsl.launchers.SimpleLauncher is conveyor.SimpleLauncher
    assert parsl.providers.LocalProvider is conveyor.LocalProvider


def test_app_classes_and_usage_levels_import(hook: None) -> None:
    from parsl.app.app import AppBase
    from parsl.app.bash import BashApp as ParslBashApp
    from parsl.app.python import PythonApp as ParslPythonApp
    from parsl.usage_tracking.levels import DISABLED, LEVEL_1, LEVEL_2, LEVEL_3

    assert ParslPythonApp is PythonApp and ParslBashApp is BashApp
    assert issubclass(PythonApp, AppBase) and issubclass(BashApp, AppBase)
    assert (DISABLED, LEVEL_1, LEVEL_2, LEVEL_3) == (0, 1, 2, 3)


def test_python_app_class_runs_like_the_decorator(tmp_path: object) -> None:
    app = PythonApp(twice)
    with conveyor.load(conveyor.Config(run_dir=str(tmp_path))):
        assert app(21).result() == 42
    assert isinstance(conveyor.python_app(twice), PythonApp)
    assert not isinstance(conveyor.python_app(twice), BashApp)
    assert isinstance(conveyor.bash_app(echo_cmd), BashApp)
    assert isinstance(BashApp(echo_cmd), BashApp)
    assert PythonApp(twice, join=True).options.kind == "join"


def test_loader_tracks_the_current_kernel(hook: None, tmp_path: object) -> None:
    from parsl import DataFlowKernelLoader

    assert DataFlowKernelLoader._dfk is None
    kernel = DataFlowKernelLoader.load(conveyor.Config(run_dir=str(tmp_path)))
    try:
        assert DataFlowKernelLoader._dfk is kernel and DataFlowKernelLoader.dfk() is kernel
    finally:
        DataFlowKernelLoader.clear()
    assert DataFlowKernelLoader._dfk is None


def test_lacking_name_is_a_placeholder_until_constructed(hook: None) -> None:
    from parsl.executors import WorkQueueExecutor
    from parsl.providers import AWSProvider

    assert isinstance(WorkQueueExecutor, type)
    assert not isinstance(conveyor.ThreadPoolExecutor(), WorkQueueExecutor)
    with pytest.raises(importhook.MissingFromConveyor, match="parsl.providers.AWSProvider"):
        AWSProvider(image_id="x")
    with pytest.raises(ImportError, match="a Parsl name conveyor lacks"):
        WorkQueueExecutor(label="wq")


def test_lacking_module_still_fails_at_import(hook: None) -> None:
    with pytest.raises(importhook.MissingFromConveyor, match="parsl.executors.taskvine"):
        import parsl.executors.taskvine  # noqa: F401


def test_tcp_url_brackets_ipv6_only_with_a_port() -> None:
    assert tcp_url("127.0.0.1", 55001) == "tcp://127.0.0.1:55001"
    assert tcp_url("127.0.0.1", "55001") == "tcp://127.0.0.1:55001"
    assert tcp_url("::1", 7) == "tcp://[::1]:7"
    assert tcp_url("::1") == "tcp://::1"
    assert tcp_url("*", 9) == "tcp://*:9"
    with pytest.raises(ValueError):
        tcp_url("not-an-address", 1)


def test_address_finders_give_addresses_of_this_host() -> None:
    assert address_by_interface("lo") == "127.0.0.1"
    assert address_by_hostname() == socket.gethostbyname(socket.gethostname())
    every = get_all_addresses()
    assert "127.0.0.1" in every
    assert all(ipaddress.ip_address(a) for a in every)
    ipaddress.ip_address(get_any_address())


def test_address_finders_reject_bad_arguments() -> None:
    with pytest.raises(OSError, match="no network interface named 'nosuch0'"):
        address_by_interface("nosuch0")
    with pytest.raises(TypeError):
        address_by_interface(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        address_by_query(timeout="soon")  # type: ignore[arg-type]


class _Thing(RepresentationMixin):
    def __init__(self, first: int, second: str = "two", third: list[int] | None = None) -> None:
        self.first = first
        self.second = second
        self.third = third


def test_representation_mixin_reads_like_the_call() -> None:
    assert repr(_Thing(1, third=[3])) == "_Thing(1, second='two', third=[3])"
    long = repr(_Thing(1, "x" * 80))
    assert long.startswith("_Thing(\n    1,\n    second='xxx")


def test_representation_mixin_validation_names_the_missing_attribute() -> None:
    thing = _Thing(1)
    del thing.second
    assert "second='<unrecorded>'" in repr(thing)
    _Thing._validate_repr = True
    try:
        with pytest.raises(AttributeError, match="uses second in the constructor"):
            repr(thing)
    finally:
        _Thing._validate_repr = False


def test_parsl_qualname_is_the_deepest_parsl_path() -> None:
    from conveyor.compat import parsl_qualname

    assert (
        parsl_qualname(conveyor.ThreadPoolExecutor) == "parsl.executors.threads.ThreadPoolExecutor"
    )
    assert (
        parsl_qualname(conveyor.HighThroughputExecutor)
        == "parsl.executors.high_throughput.executor.HighThroughputExecutor"
    )
    assert parsl_qualname(int) == "builtins.int"


def test_oneshot_state_has_parsls_name(hook: None, tmp_path: object) -> None:
    from parsl.logconfigs import base
    from parsl.logconfigs.noop import NoopLogging

    config = NoopLogging()
    base.oneshot_initialize_logging(log_config=config, log_dir=tmp_path, log_name="x")
    try:
        assert callable(base._initialized_log_contexts[config.uuid].uninit_callback)
    finally:
        base.oneshot_uninitialize_logging(log_config=config)
    assert config.uuid not in base._initialized_log_contexts
