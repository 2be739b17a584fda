"""LeanFuture behaves as a concurrent.futures.Future while sharing Conditions."""

import threading
import time
from concurrent.futures import FIRST_COMPLETED, CancelledError, as_completed, wait

import pytest

from conveyor.execution.lean_future import STRIPES, LeanFuture


def test_result_exception_and_timeout() -> None:
    f: LeanFuture[int] = LeanFuture()
    with pytest.raises(TimeoutError):
        f.result(timeout=0.05)
    f.set_result(3)
    assert f.done() and f.result() == 3 and f.exception() is None
    g: LeanFuture[int] = LeanFuture()
    g.set_exception(KeyError("k"))
    with pytest.raises(KeyError):
        g.result()
    assert isinstance(g.exception(), KeyError)


def test_a_wakeup_for_a_neighbour_does_not_end_a_wait() -> None:
    # futures sharing a stripe: completing one must not make result() on the other return early
    futures = [LeanFuture[int]() for _ in range(STRIPES * 4)]
    target = futures[0]
    same = [f for f in futures[1:] if f._condition is target._condition]
    assert same, "no two futures shared a stripe"
    got: list[object] = []

    def waiter() -> None:
        try:
            got.append(target.result(timeout=1.0))
        except TimeoutError as exc:
            got.append(exc)

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.1)
    same[0].set_result(1)  # notify_all on the shared Condition
    time.sleep(0.1)
    assert got == [], "result() returned on a neighbour's completion"
    target.set_result(2)
    thread.join()
    assert got == [2]


def test_callbacks_wait_as_completed_and_cancel() -> None:
    seen: list[int] = []
    a: LeanFuture[int] = LeanFuture()
    b: LeanFuture[int] = LeanFuture()
    a.add_done_callback(lambda f: seen.append(f.result()))
    threading.Timer(0.05, a.set_result, (7,)).start()
    done, not_done = wait([a, b], timeout=5, return_when=FIRST_COMPLETED)
    assert done == {a} and not_done == {b} and seen == [7]
    b.set_result(8)
    assert sorted(f.result() for f in as_completed([a, b], timeout=5)) == [7, 8]
    late: list[int] = []
    a.add_done_callback(lambda f: late.append(f.result()))
    assert late == [7]
    c: LeanFuture[int] = LeanFuture()
    assert c.cancel() and c.cancelled()
    with pytest.raises(CancelledError):
        c.result()


def test_wait_first_exception_and_double_completion() -> None:
    from concurrent.futures import FIRST_EXCEPTION, InvalidStateError

    ok: LeanFuture[int] = LeanFuture()
    bad: LeanFuture[int] = LeanFuture()
    threading.Timer(0.05, bad.set_exception, (ValueError("v"),)).start()
    done, _ = wait([ok, bad], timeout=5, return_when=FIRST_EXCEPTION)
    assert done == {bad} and isinstance(bad.exception(), ValueError)
    with pytest.raises(InvalidStateError):
        bad.set_result(1)
    assert not ok.done()
