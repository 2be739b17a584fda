"""One real interchange against N simulated pools: dispatch rate, CPU, RSS, heartbeats.

    python bench/interchange_scale.py [--pools 100,500,1000,2000] [--workers 50]
                                      [--seconds 10] [--delay-ms 0] [--sims 2]

The interchange is the real process (``python -m conveyor.executors.htex.interchange``,
encryption off). Each simulated pool is a real ZeroMQ DEALER with its own connection that
speaks the real protocol: Register, Heartbeat every ``heartbeat_period``, and Results for
every task of every Tasks message, at once or after ``--delay-ms``. The pools live in
``--sims`` simulator processes (one poller over many sockets each). The client is this
process: it keeps the interchange's queue full for ``--seconds`` and counts results.

Reported per N: tasks/s through the interchange, interchange CPU µs per task, its RSS,
the worst lateness of the interchange's heartbeats as seen by the pools, the worst
lateness of the simulators' own heartbeats (their fault, not the interchange's), and the
pools the interchange declared lost (ManagerLost): any is a false loss, since every
simulated pool stays alive. On a 2-core machine the simulators and the client share the
cores with the interchange, so absolute rates are a floor of what the interchange does.
"""

import argparse
import json
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import time

import msgpack
import psutil
import zmq

from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.interchange.state import expected_versions

PERIOD = 1.0  # heartbeat period (s) of pools and interchange
THRESHOLD = 6.0  # heartbeat threshold (s): tight, so late heartbeats show up as losses
CLIENT_ID = "scale-bench"
#: BENCH_PROFILE=FILE runs the interchange under cProfile, writing its profile to FILE
PROFILE = (
    ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]] if "BENCH_PROFILE" in os.environ else []
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_interchange(client_port: int, worker_port: int) -> subprocess.Popen[bytes]:
    cfg = {
        "client_identity": CLIENT_ID,
        "address": "127.0.0.1",
        "client_port": client_port,
        "worker_port": worker_port,
        "heartbeat_period": PERIOD,
        "heartbeat_threshold": THRESHOLD,
        "cert_dir": "",
        "parent_pid": os.getpid(),
    }
    proc = subprocess.Popen(
        [sys.executable, *PROFILE, "-m", "conveyor.executors.htex.interchange"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(cfg).encode() + b"\n")
    proc.stdin.close()
    proc.stdout.readline()  # the ports line: the interchange is bound
    return proc


# --- simulator process ------------------------------------------------------------------


class SimPool:
    """One simulated pool: a DEALER, its pending results and its heartbeat record."""

    __slots__ = ("sock", "pending", "next_beat", "last_ix_beat", "worst_ix_gap", "worst_own")

    def __init__(self, ctx: zmq.Context, port: int, name: str, workers: int) -> None:  # type: ignore[type-arg]
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.linger = 0
        self.sock.identity = name.encode()
        self.sock.connect(f"tcp://127.0.0.1:{port}")
        info = {
            **expected_versions(),
            "hostname": name,
            "block_id": "0",
            "workers": workers,
            "prefetch": 0,
            "pid": os.getpid(),
        }
        self.sock.send(p.encode(p.Register(info)))
        now = time.monotonic()
        self.pending: list[tuple[float, list[int]]] = []
        self.next_beat = now + PERIOD
        self.last_ix_beat: float | None = None  # gaps are measured from the first heartbeat
        self.worst_ix_gap = 0.0
        self.worst_own = 0.0


BEAT = p.encode(p.Heartbeat())


def simulate(port: int, names: list[str], workers: int, delay: float, stop_at: float, out) -> None:  # type: ignore[no-untyped-def]
    ctx = zmq.Context()
    pools = [SimPool(ctx, port, n, workers) for n in names]
    by_sock = {sp.sock: sp for sp in pools}
    poller = zmq.Poller()
    for sp in pools:
        poller.register(sp.sock, zmq.POLLIN)
    results_sent = 0
    while time.monotonic() < stop_at:
        for sock, _ in poller.poll(20):
            sp = by_sock[sock]
            for _ in range(64):
                try:
                    frame = sock.recv(zmq.NOBLOCK)
                except zmq.Again:
                    break
                results_sent += on_frame(sp, frame, delay)
        now = time.monotonic()
        for sp in pools:
            if sp.pending and sp.pending[0][0] <= now:
                results_sent += flush(sp, now)
            if now >= sp.next_beat:
                sp.worst_own = max(sp.worst_own, now - sp.next_beat)
                sp.sock.send(BEAT)
                sp.next_beat = now + PERIOD
    out.put(
        {
            "worst_ix_gap": max(sp.worst_ix_gap for sp in pools),
            "worst_own_late": max(sp.worst_own for sp in pools),
            "results": results_sent,
        }
    )
    ctx.destroy(linger=0)


def on_frame(sp: SimPool, frame: bytes, delay: float) -> int:
    tag = frame[1]  # after the array header: the tag (a positive fixint)
    now = time.monotonic()
    if tag == p.Tag.HEARTBEAT:
        if sp.last_ix_beat is not None:
            sp.worst_ix_gap = max(sp.worst_ix_gap, now - sp.last_ix_beat)
        sp.last_ix_beat = now
        return 0
    if tag != p.Tag.TASKS:
        return 0
    ids = [item[0] for item in msgpack.unpackb(frame)[1]]
    sp.pending.append((now + delay, ids))
    return flush(sp, now) if delay == 0 else 0


def flush(sp: SimPool, now: float) -> int:
    sent = 0
    while sp.pending and sp.pending[0][0] <= now:
        _, ids = sp.pending.pop(0)
        sp.sock.send(p.encode(p.Results([[i, True, b"r"] for i in ids])))
        sent += len(ids)
    return sent


# --- client -----------------------------------------------------------------------------


def submit_frames(start: int, count: int, batch: int = 4096) -> list[bytes]:
    frames = []
    for first in range(start, start + count, batch):
        last = min(first + batch, start + count)
        fn = b"fn-bytes" if first == 0 else b""
        tasks = [[i, 0, 0, b"h" * 16, fn if i == 0 else b"", b"a"] for i in range(first, last)]
        frames.append(p.encode(p.Submit(tasks)))
    return frames


def run_one(
    n_pools: int, workers: int, seconds: float, delay: float, sims: int, window: int
) -> dict:
    client_port, worker_port = free_port(), free_port()
    ix = start_interchange(client_port, worker_port)
    ctx = zmq.Context()
    client = ctx.socket(zmq.DEALER)
    client.linger = 0
    client.identity = CLIENT_ID.encode()
    client.connect(f"tcp://127.0.0.1:{client_port}")
    settle = 3.0 + n_pools / 500
    stop_at = time.monotonic() + settle + seconds + 2 * PERIOD
    out: mp.Queue = mp.Queue()
    names = [f"pool-{i:05d}" for i in range(n_pools)]
    procs = [
        mp.Process(
            target=simulate, args=(worker_port, names[k::sims], workers, delay, stop_at, out)
        )
        for k in range(sims)
    ]
    for proc in procs:
        proc.start()
    time.sleep(settle)  # every pool registers (RegisterAck) before the clock starts
    window = window or max(4 * n_pools * workers, 20_000)
    frames = submit_frames(0, int(min(seconds, 30) * 250_000))
    stats = drive(client, frames, window, seconds, psutil.Process(ix.pid))
    for proc in procs:
        proc.join(timeout=seconds + 30)
    sim = [out.get(timeout=5) for _ in procs]
    client.send(p.encode(p.ClientShutdown()))
    ix.wait(timeout=10)
    ctx.destroy(linger=0)
    return {
        "pools": n_pools,
        "workers": n_pools * workers,
        **stats,
        "ix_heartbeat_late_s": round(max(s["worst_ix_gap"] for s in sim) - PERIOD, 3),
        "sim_heartbeat_late_s": round(max(s["worst_own_late"] for s in sim), 3),
    }


def drive(client, frames: list[bytes], window: int, seconds: float, ix: psutil.Process) -> dict:  # type: ignore[no-untyped-def]
    sent = done = lost = 0
    per_frame = 4096
    cpu0, t0 = sum(ix.cpu_times()[:2]), time.monotonic()
    end = t0 + seconds
    k = 0
    while time.monotonic() < end and (k < len(frames) or done < sent):
        while sent - done < window and k < len(frames):
            client.send(frames[k])
            sent += per_frame
            k += 1
        if client.poll(50):
            for _ in range(256):
                try:
                    msg = p.decode(client.recv(zmq.NOBLOCK))
                except zmq.Again:
                    break
                if isinstance(msg, p.Results):
                    done += len(msg.results)
                elif isinstance(msg, p.ManagerLost):
                    lost += 1
    elapsed = time.monotonic() - t0
    cpu = sum(ix.cpu_times()[:2]) - cpu0
    return {
        "tasks_per_s": round(done / elapsed),
        "ix_cpu_us_per_task": round(cpu / max(done, 1) * 1e6, 1),
        "ix_rss_mib": round(ix.memory_info().rss / 2**20, 1),
        "false_losses": lost,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pools", default="100,500,1000,2000")
    ap.add_argument("--workers", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--delay-ms", type=float, default=0.0)
    ap.add_argument("--sims", type=int, default=2)
    ap.add_argument("--window", type=int, default=0, help="tasks in flight (0: 4 per worker)")
    ns = ap.parse_args()
    rows = []
    for n in (int(x) for x in ns.pools.split(",")):
        row = run_one(n, ns.workers, ns.seconds, ns.delay_ms / 1000, ns.sims, ns.window)
        print(json.dumps(row), flush=True)
        rows.append(row)
    keys = list(rows[0])
    print("\n| " + " | ".join(keys) + " |\n|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")


if __name__ == "__main__":
    main()
