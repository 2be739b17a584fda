"""Per-task cores / memory / gpus, pure parts: checks, the pool's placer, interchange routing."""

from collections import deque
from typing import Any

import pytest

from conveyor.errors import InvalidResourceSpecification
from conveyor.executors.htex import protocol as p
from conveyor.executors.htex.interchange.state import BrokerState, expected_versions
from conveyor.executors.htex.pool.resources import NodeShape, ResourcePlacer, check_task_resources


def test_values_are_checked_and_named() -> None:
    assert check_task_resources({"priority": 1}) is None
    assert check_task_resources({"cores": 2, "memory": 512.5, "gpus": 0}) == {
        "cores": 2.0,
        "memory": 512.5,
        "gpus": 0.0,
    }
    for spec, key in [
        ({"cores": 0}, "cores"),
        ({"gpus": 1.5}, "gpus"),
        ({"memory": "1G"}, "memory"),
    ]:
        with pytest.raises(InvalidResourceSpecification) as info:
            check_task_resources(spec)
        assert info.value.invalid_keys == {key}


def _task(task_id: int, **resources: Any) -> list[Any]:
    item: list[Any] = [task_id, b"f", b"", b"a"]
    return [*item, resources] if resources else item


def _placer() -> ResourcePlacer:
    return ResourcePlacer(NodeShape([0, 1, 2, 3], 4096.0, ["g0", "g1"], 1.0, 0.0))


def _ids(placer: ResourcePlacer, pending: deque[list[Any]], busy: int = 0) -> list[int]:
    taken = []
    while (found := placer.take_next(pending, busy)) is not None:
        taken.append(found[0][0])
    return taken


def test_placer_pins_cpus_and_gpus_and_backfills() -> None:
    placer = _placer()
    tasks = [_task(1, cores=3, gpus=1), _task(2, cores=2), _task(3, cores=1, memory=4096)]
    pending = deque(tasks)
    assert all(placer.admit(t) is None for t in tasks) and placer.active()
    first = placer.take_next(pending, 0)
    assert first is not None and first[0][0] == 1
    assert first[1]["GOMP_CPU_AFFINITY"] == "0,1,2" and first[1]["CUDA_VISIBLE_DEVICES"] == "g0"
    assert _ids(placer, pending) == [3]  # task 2 waits for two CPUs; task 3 goes past it
    placer.release([1])
    nxt = placer.take_next(pending, 0)
    assert nxt is not None and nxt[0][0] == 2 and nxt[1]["GOMP_CPU_AFFINITY"] == "0,1"
    placer.release([2, 3])
    assert not placer.active()


def test_undeclared_tasks_count_as_cores_per_worker() -> None:
    placer = _placer()
    pending = deque([_task(1, cores=2), _task(2, memory=10), _task(3)])
    # three plain tasks already use three cores: task 1 (2 cores) waits; the memory-only
    # task counts one core and fits; the plain task 3 would be a fifth core
    assert _ids(placer, pending, busy=3) == [2]
    placer.release([2])
    assert _ids(placer, pending, busy=2) == [1]
    assert [t[0] for t in pending] == [3]


def test_placer_refuses_what_the_node_cannot_hold() -> None:
    placer = _placer()
    refused = placer.admit(_task(1, cores=5, gpus=3))
    assert refused is not None and refused.invalid_keys == {"cores", "gpus"}
    assert "cores=5" in str(refused) and "cores=4" in str(refused)
    assert not placer.active()


def _register(state: BrokerState, name: bytes, cores: int) -> None:
    shape = {"cores": cores, "memory": 1000.0, "gpus": 0}
    info = {**expected_versions(), "workers": 2, "shape": shape}
    assert state.register(name, info, now=0.0) == [(name, p.RegisterAck(True, ""))]


def _submit(task_id: int, **resources: Any) -> list[Any]:
    item: list[Any] = [task_id, 0, 0, b"f", b"", b"a"]
    return [*item, resources] if resources else item


def test_interchange_routes_sized_tasks_to_pools_that_can_hold_them() -> None:
    state = BrokerState(heartbeat_threshold=10)
    _register(state, b"small", 1)
    _register(state, b"big", 4)
    state.submit([_submit(1, cores=4), _submit(2, cores=4), _submit(3), _submit(4, cores=64)])
    sent = {m: [t[0] for t in msg.tasks] for m, msg in state.dispatch(0.0)}  # type: ignore[union-attr]
    assert 1 in sent[b"big"] and 2 in sent[b"big"]
    assert not {1, 2} & set(sent.get(b"small", []))
    # no pool could ever hold task 4: it is handed out anyway, for the pool to refuse it
    assert 4 in sent[b"big"] + sent.get(b"small", [])
    assert not state.queue and not state.sized


def test_a_waiting_task_is_passed_over_only_patience_times() -> None:
    from conveyor.executors.htex.pool.backfill import Backfill

    backfill = Backfill(patience=2)
    free = {"cores": 1}
    pending = [[1, 2], [2, 1], [3, 1], [4, 1]]  # [task_id, cores wanted]

    def fits(item: list[Any]) -> bool:
        return bool(item[1] <= free["cores"])

    assert backfill.pick(pending, fits) == 1  # task 1 (2 cores) is passed over once
    pending.pop(1)
    assert backfill.pick(pending, fits) == 1  # and twice
    pending.pop(1)
    assert backfill.pick(pending, fits) is None  # now task 4 waits behind it
    free["cores"] = 2
    assert backfill.pick(pending, fits) == 0 and 1 not in backfill.passed
