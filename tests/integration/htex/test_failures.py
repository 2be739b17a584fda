"""HTEX under failure, with real processes: lost workers, pools and interchange; bad peers."""

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import wait
from pathlib import Path
from typing import Any

import pytest
import zmq
from htexkit import kill_pools, make_htex, processes_of, wait_until

from conveyor.errors import BadStateException, BrokenHtex, ManagerLost, WorkerLost
from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.executor import HighThroughputExecutor
from conveyor.executors.htex.transport import generate_keys
from conveyor.providers.states import JobState


def pid_and_sleep(seconds: float) -> int:
    import os as _os
    import time as _time

    _time.sleep(seconds)
    return _os.getpid()


def worker_pid() -> int:
    import os as _os

    return _os.getpid()


def record(path: str, value: int) -> int:
    with open(path, "a") as f:
        f.write(f"{value}\n")
    return value


def test_killed_worker_gives_worker_lost_and_pool_goes_on(
    htex: HighThroughputExecutor, tmp_path: Path
) -> None:
    pids = {htex.submit(worker_pid, {}).result(timeout=30) for _ in range(10)}
    victim = htex.submit(pid_and_sleep, {}, 30)
    assert wait_until(lambda: any(True for _ in [0]) and len(pids) > 0)
    time.sleep(0.5)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    assert isinstance(victim.exception(timeout=30), WorkerLost)
    assert htex.submit(worker_pid, {}).result(timeout=30) not in pids


def test_killed_pool_gives_manager_lost(htex: HighThroughputExecutor, tmp_path: Path) -> None:
    assert htex.submit(worker_pid, {}).result(timeout=30)
    futures = [htex.submit(pid_and_sleep, {}, 60) for _ in range(2)]
    time.sleep(0.5)
    kill_pools(tmp_path)
    done, not_done = wait(futures, timeout=30)
    assert not not_done
    assert all(isinstance(f.exception(), ManagerLost) for f in done)


def test_killed_interchange_fails_every_pending_future(htex: HighThroughputExecutor) -> None:
    futures = [htex.submit(pid_and_sleep, {}, 60) for _ in range(20)]
    assert htex._interchange is not None
    htex._interchange.kill()
    done, not_done = wait(futures, timeout=15)
    assert not not_done
    assert all(isinstance(f.exception(), BrokenHtex) for f in done)
    late = htex.submit(worker_pid, {})
    assert isinstance(late.exception(timeout=5), BrokenHtex)


def test_pool_exits_soon_after_its_interchange_dies(tmp_path: Path) -> None:
    htex = make_htex(tmp_path, heartbeat_period=30, heartbeat_threshold=120)
    htex.start()
    try:
        assert htex.submit(worker_pid, {}).result(timeout=30)
        pools = [
            proc
            for proc in processes_of(tmp_path)
            if "conveyor.executors.htex.pool" in " ".join(proc.cmdline())
        ]
        assert pools and htex._interchange is not None
        htex._interchange.kill()
        # far sooner than the 120 s heartbeat threshold: the closed link is noticed
        assert wait_until(
            lambda: not any(p.is_running() and p.status() != "zombie" for p in pools), 20
        )
    finally:
        htex.shutdown()


def test_garbage_and_strangers_are_dropped(tmp_path: Path) -> None:
    ex = make_htex(tmp_path, encrypted=False)
    ex.start()
    try:
        ctx = zmq.Context()
        for port in (ex.worker_port,):
            s = ctx.socket(zmq.DEALER)
            s.linger = 0
            s.connect(f"tcp://127.0.0.1:{port}")
            for junk in (
                b"",
                b"\x00\xff garbage",
                b"\x93\x01\x02",
                p.encode(p.Tasks([[1, b"h", b"", b"x"]])),
            ):
                s.send(junk)
            s.send(p.encode(p.Register({"protocol": 999, "python": "2.7", "conveyor": "0"})))
            replies = []
            while s.poll(3000) and len(replies) < 5:
                replies.append(p.decode(s.recv()))
            assert isinstance(replies[0], p.Shutdown), (
                "a task batch from a stranger must be refused"
            )
            acks = [r for r in replies if isinstance(r, p.RegisterAck)]
            assert acks and not acks[0].ok and "version mismatch" in acks[0].reason
            s.close()
        ctx.term()
        assert ex.submit(worker_pid, {}).result(timeout=30) > 0
        log = (tmp_path / "htex" / "interchange.log").read_text()
        assert "dropped a malformed message" in log
        assert "told to shut down" in log
    finally:
        ex.shutdown()


def test_unencrypted_peer_cannot_reach_encrypted_interchange(
    htex: HighThroughputExecutor, tmp_path: Path
) -> None:
    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    s.linger = 0
    s.connect(f"tcp://127.0.0.1:{htex.worker_port}")
    s.send(p.encode(p.Register({})))
    assert not s.poll(1500), "an unauthenticated peer got an answer"
    ctx.destroy(linger=0)
    assert htex.submit(worker_pid, {}).result(timeout=30) > 0


def _run_pool(
    htex: HighThroughputExecutor, cert_dir: Path, logdir: Path
) -> subprocess.CompletedProcess[str]:
    """Run a pool with these keys against the executor's interchange; wait for it to end."""
    spec = p.PoolLaunchSpec(
        addresses="127.0.0.1",
        port=htex.worker_port,
        block_id=logdir.name,
        max_workers=1,
        heartbeat_period=0.5,
        heartbeat_threshold=2,
        cert_dir=str(cert_dir),
        logdir=str(logdir),
    )
    return subprocess.run(
        [sys.executable, "-m", "conveyor.executors.htex.pool", *spec.to_argv()],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_pool_with_wrong_keys_cannot_register(htex: HighThroughputExecutor, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong-keys"
    generate_keys(str(wrong))
    proc = _run_pool(htex, wrong, tmp_path / "intruder")
    assert proc.returncode == 3
    assert "registration failed" in proc.stderr


def test_private_keys_are_private(htex: HighThroughputExecutor) -> None:
    for name in ("server.key_secret", "client.key_secret"):
        assert os.stat(os.path.join(htex.cert_dir, name)).st_mode & 0o777 == 0o600


def test_priorities_order_dispatch(tmp_path: Path) -> None:
    ex = make_htex(tmp_path, max_workers_per_node=1)
    ex.provider.init_blocks = 0
    ex.start()
    try:
        out = str(tmp_path / "order.txt")
        futures = [ex.submit(record, {"priority": prio}, out, prio) for prio in (5, 1, 9, 3, 7)]
        assert ex._blocks is not None
        ex._blocks.scale_out(1)
        wait(futures, timeout=60)
        assert [int(x) for x in Path(out).read_text().split()] == [1, 3, 5, 7, 9]
    finally:
        ex.shutdown()


def test_bad_resource_specification_is_rejected(htex: HighThroughputExecutor) -> None:
    from conveyor.errors import InvalidResourceSpecification

    with pytest.raises(InvalidResourceSpecification):
        htex.submit(worker_pid, {"cpus": 4})  # per-task keys are cores, memory, gpus


def test_pools_that_cannot_start_break_the_executor_with_their_stderr(tmp_path: Path) -> None:
    htex = make_htex(tmp_path, launch_cmd="sh -c 'echo no interpreter here >&2; exit 7'")
    htex.configure_scaling(strategy="simple", strategy_period=0.2, max_idletime=60)
    htex.provider.min_blocks = 1
    htex.start()
    try:
        future = htex.submit(worker_pid, {})
        with pytest.raises(BrokenHtex, match="no interpreter here"):
            future.result(timeout=60)
        # Parsl's rule: before any pool registered, init_blocks (here 1) failures break it
        assert isinstance(future.exception(), BadStateException)
        (status,) = htex.status().values()
        assert status.state is JobState.MISSING
        assert "exited with code 1" in (status.message or "")
        assert "before any of its pools registered" in (status.message or "")
    finally:
        htex.shutdown()


def test_a_pool_with_the_server_key_but_a_stranger_key_pair_is_refused(
    htex: HighThroughputExecutor, tmp_path: Path
) -> None:
    # the stranger knows the interchange's public key, but brings its own client key pair
    stranger = tmp_path / "stranger-keys"
    generate_keys(str(stranger))
    shutil.copy(Path(htex.cert_dir) / "server.key", stranger / "server.key")
    proc = _run_pool(htex, stranger, tmp_path / "stranger")
    assert proc.returncode == 3 and "registration failed" in proc.stderr, proc.stderr
    log = Path(htex.run_dir) / "htex" / "interchange.log"
    assert wait_until(lambda: "key not allowed" in log.read_text(), 10), log.read_text()[-2000:]
    assert htex.submit(worker_pid, {}).result(timeout=30)  # the real pools still serve


def test_block_error_handler_false_keeps_replacing_failing_blocks(tmp_path: Path) -> None:
    htex = make_htex(tmp_path, launch_cmd="sh -c 'exit 7'", block_error_handler=False)
    htex.configure_scaling(strategy="simple", strategy_period=0.2, max_idletime=60)
    htex.start()
    try:
        future = htex.submit(worker_pid, {})
        assert wait_until(lambda: len(htex.status()) >= 3, timeout=60), htex.status()
        assert not htex.bad_state_is_set and not future.done(), "False: never broken"
    finally:
        htex.shutdown()


def test_a_custom_block_error_handler_sees_every_block_and_can_break(tmp_path: Path) -> None:
    seen: list[dict[str, str]] = []

    def after_two(executor: HighThroughputExecutor, status: dict[str, Any]) -> None:
        seen.append({b: s.state.name for b, s in status.items()})
        if sum(s.state is JobState.MISSING for s in status.values()) >= 2:
            executor.set_bad_state_and_fail_all(RuntimeError("two blocks are enough"))

    htex = make_htex(tmp_path, launch_cmd="sh -c 'exit 7'", block_error_handler=after_two)
    htex.configure_scaling(strategy="simple", strategy_period=0.2, max_idletime=60)
    htex.start()
    try:
        future = htex.submit(worker_pid, {})
        with pytest.raises(BadStateException, match="two blocks are enough"):
            future.result(timeout=60)
        assert seen and all(isinstance(b, str) for s in seen for b in s)
        assert len(htex.status()) == 2, "no block started once the handler broke it"
    finally:
        htex.shutdown()


def test_a_stalled_interchange_gives_the_last_counters_not_an_error(
    htex: HighThroughputExecutor, caplog: pytest.LogCaptureFixture
) -> None:
    assert htex.submit(worker_pid, {}).result(timeout=30)
    assert wait_until(lambda: bool(htex.load().ever_connected), timeout=30)
    before = htex.load()
    assert htex._interchange is not None
    os.kill(htex._interchange.pid, signal.SIGSTOP)  # alive, but answers nothing
    try:
        stalled = htex.load()  # waits out the statistics timeout, then falls back
    finally:
        os.kill(htex._interchange.pid, signal.SIGCONT)
    assert stalled.ever_connected == before.ever_connected
    assert stalled.connected_workers == before.connected_workers
    assert "did not answer in time" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # (its pools, silent past their 3 s threshold meanwhile, exit as they should)
