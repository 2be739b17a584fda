"""The run's parsl.log, Config(initialize_logging=...) with Parsl's log configs, log helpers."""

import io
import json
import logging
import pathlib

import pytest

import conveyor
from conveyor.errors import ConfigurationError
from conveyor.log_utils import set_file_logger, set_stream_logger
from conveyor.logconfigs import (
    FileLogging,
    JSONLogging,
    LogConfig,
    NoopLogging,
    oneshot_initialize_logging,
    oneshot_uninitialize_logging,
)


def _run(tmp_path: pathlib.Path, setting: object) -> pathlib.Path:
    config = conveyor.Config(run_dir=str(tmp_path), initialize_logging=setting)  # type: ignore[arg-type]
    with conveyor.load(config) as kernel:
        logging.getLogger("parsl.user_script").info("from a parsl logger")
        logging.getLogger("conveyor.somewhere").info("from a conveyor logger")
        run_dir = pathlib.Path(kernel.run_dir)
    return run_dir


def test_run_log_is_parsl_log_with_both_loggers(tmp_path: pathlib.Path) -> None:
    run_dir = _run(tmp_path, True)
    text = (run_dir / "parsl.log").read_text()
    assert "from a parsl logger" in text and "from a conveyor logger" in text
    assert "DataFlowKernel started" in text
    assert not (run_dir / "conveyor.log").exists()


@pytest.mark.parametrize("setting", [False, NoopLogging()], ids=["False", "NoopLogging"])
def test_no_log_file_when_logging_is_off(tmp_path: pathlib.Path, setting: object) -> None:
    run_dir = _run(tmp_path, setting)
    assert not (run_dir / "parsl.log").exists()


def test_file_logging_uses_its_format_and_stops_at_cleanup(tmp_path: pathlib.Path) -> None:
    run_dir = _run(tmp_path, FileLogging(format_string="XXXYYY %(message)s"))
    log = run_dir / "parsl.log"
    lines = log.read_text().splitlines()
    assert lines and all(line.startswith("XXXYYY ") for line in lines)
    logging.getLogger("parsl").warning("after cleanup")
    assert "after cleanup" not in log.read_text()


def test_json_logging_writes_one_object_per_record(tmp_path: pathlib.Path) -> None:
    config = conveyor.Config(run_dir=str(tmp_path), initialize_logging=JSONLogging())
    with conveyor.load(config) as kernel:
        logging.getLogger("somebody").info("with extra", extra={"parsl.key": "vv"})
        log = pathlib.Path(kernel.run_dir) / "parsl.jsonlog"
    records = [json.loads(line) for line in log.read_text().splitlines()]
    mine = [r for r in records if r["msg"] == "with extra"]
    assert len(mine) == 1 and mine[0]["parsl.key"] == "vv" and mine[0]["name"] == "somebody"


def test_initialize_logging_of_another_type_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="initialize_logging"):
        conveyor.Config(initialize_logging="yes")  # type: ignore[arg-type]


class _Counting(LogConfig):
    def __init__(self) -> None:
        super().__init__()
        self.started = 0
        self.stopped = 0

    def initialize_logging(self, *, log_dir: pathlib.Path, log_name: str):  # type: ignore[no-untyped-def]
        self.started += 1

        def undo() -> None:
            self.stopped += 1

        return undo


def test_oneshot_initializes_once_and_undoes_with_the_last_use(tmp_path: pathlib.Path) -> None:
    config = _Counting()
    for _ in range(2):
        oneshot_initialize_logging(log_config=config, log_dir=tmp_path, log_name="x")
    assert config.started == 1
    oneshot_uninitialize_logging(log_config=config)
    assert config.stopped == 0
    oneshot_uninitialize_logging(log_config=config)
    assert config.stopped == 1
    with pytest.raises(RuntimeError, match="not initialized"):
        oneshot_uninitialize_logging(log_config=config)


def test_set_stream_logger_returns_a_detaching_callable() -> None:
    first, second = io.StringIO(), io.StringIO()
    stop = set_stream_logger(stream=first)
    logging.getLogger("parsl").info("AAA")
    logging.getLogger("conveyor.kernel").info("conveyor's own")
    stop()
    stop = set_stream_logger(stream=second, level=logging.WARNING)
    logging.getLogger("parsl").info("BBB")
    logging.getLogger("parsl").warning("CCC")
    stop()
    logging.getLogger("parsl").warning("DDD")
    assert "AAA" in first.getvalue() and "conveyor's own" in first.getvalue()
    assert "BBB" not in second.getvalue() and "CCC" in second.getvalue()
    assert "DDD" not in first.getvalue() + second.getvalue()


def test_set_file_logger_returns_a_detaching_callable(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "mine.log"
    stop = set_file_logger(str(path), name="parsl.here", format_string="%(levelname)s %(message)s")
    logging.getLogger("parsl.here").info("one")
    stop()
    logging.getLogger("parsl.here").info("two")
    assert path.read_text() == "INFO one\n"
    with pytest.raises(TypeError):
        set_file_logger(path)  # type: ignore[arg-type]
