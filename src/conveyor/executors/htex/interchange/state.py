"""Pure broker state of the interchange: task queue, managers, dispatch, expiry.

No sockets and no clock of its own: the loop passes ``now`` in. Every method returns
the messages to send as ``(destination, message)`` pairs, destination ``CLIENT`` or a
manager id. Called by :mod:`conveyor.executors.htex.interchange.loop`.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import sys
from collections.abc import Container, Iterable
from typing import Any

from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.interchange.delegation import Delegation
from conveyor.executors.htex.interchange.deps import DependencyTable
from conveyor.executors.htex.interchange.fit import node_shape, sized_part, take_fitting
from conveyor.executors.htex.interchange.managers import (
    MANAGER_TRANSITIONS,
    ManagerInfo,
    ManagerState,
)
from conveyor.executors.htex.interchange.report import statistics
from conveyor.version import VERSION

__all__ = [
    "CLIENT",
    "MANAGER_TRANSITIONS",
    "BrokerState",
    "ManagerInfo",
    "ManagerState",
    "expected_versions",
]

logger = logging.getLogger(__name__)
CLIENT = b""
#: extra tasks per worker a pool may hold when every pool is full (pipelining)
BURST_PER_WORKER = 8
Outbox = list[tuple[bytes, p.Message]]


def _block_number(block_id: str) -> int:
    return int(block_id) if block_id.isdigit() else -1


def expected_versions() -> dict[str, Any]:
    """What a pool must match to register."""
    return {
        "protocol": p.PROTOCOL_VERSION,
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
        "conveyor": VERSION,
    }


#: a Tasks message to a pool carries about this many argument bytes at most (then the next)
MAX_BATCH_BYTES = 4 << 20


class BrokerState:
    """Queue + managers; decides dispatch and expiry. Thread-free and socket-free."""

    def __init__(self, heartbeat_threshold: float, manager_order: str = "free") -> None:
        self.threshold = heartbeat_threshold
        #: which pools dispatch offers tasks to first: "free" (most room), "random",
        #: "block_id" (newest block) - Parsl's manager_selector
        self.manager_order = manager_order
        self.queue: list[tuple[int, int, int]] = []  # (priority, seq, task_id)
        self.tasks: dict[int, tuple[bytes, bytes]] = {}  # task id -> (fn hash, args)
        self.walltimes: dict[int, float] = {}  # task id -> declared walltime (s), if any
        self.resources: dict[int, dict[str, Any]] = {}  # task id -> resources, if any
        self.sized: dict[int, dict[str, float]] = {}  # task id -> declared cores/memory/gpus
        self.functions: dict[bytes, bytes] = {}
        self.managers: dict[bytes, ManagerInfo] = {}
        #: managers that may have room for tasks (insertion-ordered set; see _open_managers)
        self.open: dict[bytes, None] = {}
        #: every block that ever had a pool registered, in order (Parsl's connected_blocks)
        self.block_history: list[str] = []
        #: blocks whose jobs run and whose pools have not registered yet (BlocksStarting):
        #: no burst while there are any, so their pools find tasks when they arrive
        self.starting: set[str] = set()
        self._seq = itertools.count()
        self.completed = 0
        #: tasks sent with dependency references (deps.py); those waiting keep their priority
        self.deps = DependencyTable()
        self.deferred: dict[int, int] = {}
        #: dependents handed to the pool that runs their dependencies (delegation.py)
        self.delegation = Delegation(self)
        #: ids of queued tasks that came with attached buffers (the loop's table)
        self.buffered: Container[int] = frozenset()

    # --- client side ---------------------------------------------------------------

    def submit(self, tasks: Iterable[list[Any]]) -> Outbox:
        """Queue tasks from the client (items as in ``protocol.Submit``)."""
        missing: list[int] = []
        held: dict[bytes, list[list[Any]]] = {}
        for task_id, priority, walltime_ms, fn_hash, fn_bytes, args, *tail in tasks:
            if tail and tail[0]:
                self.resources[task_id] = tail[0]
                sized = sized_part(tail[0])
                if sized is not None:
                    self.sized[task_id] = sized
            if fn_bytes:
                self.functions[fn_hash] = fn_bytes
            self.tasks[task_id] = (fn_hash, args)
            if walltime_ms > 0:
                self.walltimes[task_id] = walltime_ms / 1000
            added = self.deps.add(task_id, tail[1], self._live) if len(tail) > 1 else "ready"
            if added == "ready":
                heapq.heappush(self.queue, (priority, next(self._seq), task_id))
            elif added == "waiting":
                self.deferred[task_id] = priority
                mgr = self.delegation.target(task_id)
                if mgr is not None:
                    held.setdefault(mgr.manager_id, []).append(self.delegation.hand(mgr, task_id))
            else:
                self._forget(task_id)
                missing.append(task_id)
        out: Outbox = [(manager_id, p.Tasks(items)) for manager_id, items in held.items()]
        return out + [(CLIENT, p.RefsFailed([], missing))] if missing else out

    def _live(self, task_id: int) -> bool:
        """Whether a task is here: queued, waiting on references, delegated, or in a pool."""
        return (
            task_id in self.tasks
            or task_id in self.delegation.to
            or any(task_id in m.in_flight for m in self.managers.values())
        )

    def _forget(self, task_id: int) -> None:
        for table in (self.tasks, self.walltimes, self.resources, self.sized, self.deferred):
            table.pop(task_id, None)

    def _settle_deps(self, items: Iterable[list[Any]], unkept: Any = ()) -> Outbox:
        """Results (or losses) that dependents waited on: queue, fail or give them back."""
        failed: list[int] = []
        missing: list[int] = []
        for task_id, ok, payload in items:
            settled = self.deps.finished(task_id, ok, payload, task_id not in unkept)
            for ready in settled.ready:
                if not self.delegation.started(ready):
                    self._requeue(ready)
            for task in settled.failed + settled.missing:
                self.delegation.ended(task)
                self._forget(task)
            failed += settled.failed
            missing += settled.missing
        return [(CLIENT, p.RefsFailed(failed, missing))] if failed or missing else []

    def _requeue(self, task_id: int) -> None:
        """A waiting task is ready: into the queue with the priority it came with."""
        heapq.heappush(self.queue, (self.deferred.pop(task_id), next(self._seq), task_id))

    def dispatch(self, now: float) -> Outbox:
        """Hand queued tasks to managers: first up to their capacity, then a bounded burst.

        The burst (``BURST_PER_WORKER`` tasks per worker) is granted only while tasks are
        still queued after every manager is full: then they would wait anyway, and
        pipelining them into the pools hides the round trip that limits short tasks.
        """
        out: Outbox = []
        if not self.queue:
            return out
        batches: dict[bytes, list[list[Any]]] = {}
        for burst in (False, True) if not self.starting else (False,):
            for mgr in self._ordered(self._open_managers()):
                if not self.queue:
                    break
                extra = mgr.workers * BURST_PER_WORKER if burst else 0
                limit = mgr.capacity + extra - len(mgr.in_flight)
                if limit > 0:
                    plain = mgr.ends_at is None and not self.sized
                    take = self._take(mgr, limit) if plain else take_fitting(self, mgr, limit, now)
                    batches.setdefault(mgr.manager_id, []).extend(take)
        for manager_id, batch in batches.items():
            if batch:
                out.append((manager_id, p.Tasks(batch)))
        return out

    def _ordered(self, managers: list[ManagerInfo]) -> list[ManagerInfo]:
        if self.manager_order == "random":
            random.shuffle(managers)
            return managers
        if self.manager_order == "block_id":
            return sorted(managers, key=lambda m: (-_block_number(m.block_id), -m.free))
        return sorted(managers, key=lambda m: -m.free)

    def _open_managers(self) -> list[ManagerInfo]:
        """Active managers with room below their burst limit, from ``open`` (a superset).

        ``open`` holds every manager that may have room: pools enter it when they register
        or return results, and leave it here once found full, draining or gone, so with
        thousands of busy pools dispatch looks only at the few that just freed a slot.
        """
        found = []
        for manager_id in list(self.open):
            mgr = self.managers.get(manager_id)
            if (
                mgr is None
                or mgr.state is not ManagerState.ACTIVE
                or len(mgr.in_flight) >= mgr.capacity + mgr.workers * BURST_PER_WORKER
            ):
                del self.open[manager_id]
            else:
                found.append(mgr)
        return found

    def _take(self, mgr: ManagerInfo, limit: int) -> list[list[Any]]:
        ids: list[int] = []
        size = 0
        while limit > 0 and self.queue and size < MAX_BATCH_BYTES:
            task_id = heapq.heappop(self.queue)[2]
            size += len(self.tasks[task_id][1])
            ids.append(task_id)
            limit -= 1
        return self.hand(mgr, ids)

    def hand(self, mgr: ManagerInfo, task_ids: list[int]) -> list[list[Any]]:
        """Move these (already dequeued) tasks to ``mgr``: its batch, functions sent once."""
        batch = []
        for task_id in task_ids:
            fn_hash, args = self.tasks.pop(task_id)
            self.walltimes.pop(task_id, None)
            self.sized.pop(task_id, None)
            resources = self.resources.pop(task_id, None)
            item = [task_id, fn_hash, self.function_for(mgr, fn_hash), args]
            if self.deps.refs and task_id in self.deps.refs:
                item += [resources or {}, self.deps.take(task_id)]
            elif resources is not None:
                item.append(resources)
            batch.append(item)
            mgr.in_flight.add(task_id)
            if mgr.holds and self.deps.dependents and task_id in self.deps.dependents:
                batch += self.delegation.follow(mgr, task_id)
        mgr.idle_since = None
        return batch

    def function_for(self, mgr: ManagerInfo, fn_hash: bytes) -> bytes:
        """The function's bytes if ``mgr`` has not had them yet (then it has), else b""."""
        if fn_hash in mgr.known_functions:
            return b""
        mgr.known_functions.add(fn_hash)
        return self.functions.get(fn_hash, b"")

    # --- pool side -----------------------------------------------------------------

    def register(self, manager_id: bytes, info: dict[str, Any], now: float) -> Outbox:
        """Accept or refuse a pool's registration (version check)."""
        expected = expected_versions()
        got = {k: info.get(k) for k in expected}
        if got != expected:
            reason = f"version mismatch: interchange has {expected}, pool has {got}"
            logger.warning("refusing pool %r: %s", manager_id, reason)
            return [(manager_id, p.RegisterAck(False, reason))]
        try:
            workers = int(info["workers"])
            capacity = workers + int(info.get("prefetch", 0))
            hostname, block = str(info.get("hostname", "?")), str(info.get("block_id", ""))
            left = info.get("seconds_left")
            ends_at = now + float(left) if left is not None else None
        except (KeyError, TypeError, ValueError):
            return [(manager_id, p.RegisterAck(False, "registration lacks a valid worker count"))]
        self.managers[manager_id] = ManagerInfo(
            manager_id, hostname, block, capacity, workers, now, idle_since=now, ends_at=ends_at
        )
        self.managers[manager_id].shape = node_shape(info)
        self.open[manager_id] = None
        logger.info(
            "pool %r registered: host=%s block=%s workers=%d", manager_id, hostname, block, workers
        )
        self._note_pool(self.managers[manager_id], info)
        return [(manager_id, p.RegisterAck(True, ""))]

    def _note_pool(self, mgr: ManagerInfo, info: dict[str, Any]) -> None:
        mgr.python_version = str(info.get("python_version", ""))
        mgr.holds = info.get("holds") is True
        self.starting.discard(mgr.block_id)
        if mgr.block_id not in self.block_history:
            self.block_history.append(mgr.block_id)

    def statistics(self, now: float) -> dict[str, Any]:
        """Counters for the client (and the scaling strategy): interchange/report.py."""
        held = {"delegated": self.delegation.count, "given_back": self.delegation.given_back}
        return {**statistics(self, now), **held}

    def heard_from(self, manager_id: bytes, now: float) -> bool:
        """Note a message from a pool; False if it is not registered."""
        mgr = self.managers.get(manager_id)
        if mgr is None:
            return False
        mgr.last_heard = now
        return True

    def results(
        self, manager_id: bytes, items: list[list[Any]], now: float, unkept: Any = ()
    ) -> Outbox:
        """Results from a pool: free its slots, forward them to the client.

        Dependents waiting on them (deps.py) are queued, or failed after the results
        (``unkept``: ids whose results came with buffers and cannot be kept).
        """
        mgr = self.managers.get(manager_id)
        if mgr is not None:
            for item in items:
                mgr.in_flight.discard(item[0])
            self.open[manager_id] = None
            if not mgr.in_flight:
                mgr.idle_since = now
        self.completed += len(items)
        out: Outbox = [(CLIENT, p.Results(items))]
        if self.deps.active:
            for item in items:
                self.delegation.ended(item[0])
            self.deps.remember(items, unkept)
        return out + self._settle_deps(items, unkept) if self.deps.dependents else out

    def unheld(self, manager_id: bytes, task_ids: list[int]) -> None:
        """A pool gave back delegated tasks: they wait or queue here again."""
        for task_id in self.delegation.give_back(manager_id, task_ids):
            self._requeue(task_id)
        self.open[manager_id] = None

    def drain(self, block_ids: Iterable[str]) -> Outbox:
        """Stop giving tasks to the pools of these blocks; ask them to drain."""
        wanted = set(block_ids)
        out: Outbox = []
        for mgr in self.managers.values():
            if mgr.block_id in wanted and mgr.state is ManagerState.ACTIVE:
                mgr.state = ManagerState.DRAINING
                out.append((mgr.manager_id, p.Drain()))
        return out

    def lose(self, manager_id: bytes, why: str) -> Outbox:
        """Forget a pool; report its in-flight tasks to the client as ManagerLost."""
        mgr = self.managers.pop(manager_id, None)
        if mgr is None:
            return []
        mgr.state = ManagerState.GONE
        logger.warning(
            "pool %r on %s lost (%s); %d tasks in flight, %d held",
            manager_id,
            mgr.hostname,
            why,
            len(mgr.in_flight),
            len(mgr.held),
        )
        if not mgr.in_flight and not mgr.held:
            return []
        lost = sorted(mgr.in_flight | mgr.held)
        for task_id in lost:  # lost with the pool, not failed by a lost dependency
            self.delegation.ended(task_id)
        out: Outbox = [(CLIENT, p.ManagerLost(lost, manager_id.hex(), mgr.hostname))]
        return (
            out + self._settle_deps([t, False, b""] for t in lost) if self.deps.dependents else out
        )

    def stop_dispatch(self, manager_id: bytes) -> None:
        """The pool drains by itself (its block is ending): give it no more tasks."""
        mgr = self.managers.get(manager_id)
        if mgr is not None and mgr.state is ManagerState.ACTIVE:
            mgr.state = ManagerState.DRAINING
            logger.info("pool %r on %s drains before its block ends", manager_id, mgr.hostname)

    def lose_blocks(self, block_ids: Iterable[str]) -> Outbox:
        """The batch system ended these blocks: lose their pools now, not at heartbeat expiry."""
        wanted = set(block_ids)
        out: Outbox = []
        for manager_id in [m.manager_id for m in self.managers.values() if m.block_id in wanted]:
            out += self.lose(manager_id, "its block ended")
        return out

    def expire(self, now: float) -> Outbox:
        """Lose every pool not heard from within the heartbeat threshold."""
        out: Outbox = []
        for manager_id in [
            m.manager_id for m in self.managers.values() if now - m.last_heard > self.threshold
        ]:
            out += self.lose(manager_id, "missed heartbeats")
        return out
