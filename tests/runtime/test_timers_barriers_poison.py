"""Timers and AFTER, barriers, poison."""

import pytest

from cspc.runtime import (
    Alt,
    Barrier,
    Channel,
    CSPError,
    InputGuard,
    Par,
    PoisonError,
    Timer,
    poison,
    process,
    run,
)
from cspc.runtime.occam import after, par, wrap32

INT_MAX, INT_MIN = 2**31 - 1, -(2**31)


def test_after_is_modular():
    assert after(5, 3) and not after(3, 5) and not after(4, 4)
    assert after(INT_MIN, INT_MAX)  # one tick past the wrap is later
    assert not after(INT_MAX, INT_MIN)
    assert after(INT_MIN + 10, INT_MAX - 10)
    assert after(0, INT_MIN + 1) and not after(0, INT_MIN)  # half-way: not AFTER either way


def test_wrap32():
    assert wrap32(INT_MAX + 1) == INT_MIN
    assert wrap32(-1) == -1 and wrap32(2**32 + 7) == 7


def test_timer_reads_a_wrapped_microsecond_clock(backend):
    def main():
        t = Timer()
        a = t.read()
        t.sleep(10_000)
        return a, t.read()

    a, b = run(main, backend=backend)
    assert INT_MIN <= a <= INT_MAX and INT_MIN <= b <= INT_MAX
    assert 9_000 <= wrap32(b - a) < 5_000_000


def test_timer_after_waits_until_the_time(backend):
    def main():
        t = Timer()
        start = t.read()
        t.after(start + 15_000)
        return wrap32(t.read() - start)

    assert run(main, backend=backend) >= 15_000


def test_timer_after_a_past_time_returns_at_once(backend):
    def main():
        t = Timer()
        t.after(t.read() - 1_000_000)
        return "done"

    assert run(main, backend=backend) == "done"


def test_timer_wait_across_the_wrap(backend, monkeypatch):
    # Put the clock 20 ms before INT_MAX: a deadline 40 ms ahead wraps negative.
    import cspc.runtime.timers as timers

    real = timers._monotonic_ns

    def main():
        offset = (INT_MAX - 20_000 - real() // 1000) * 1000
        monkeypatch.setattr(timers, "_monotonic_ns", lambda: real() + offset)
        t = Timer()
        start = t.read()
        deadline = wrap32(start + 40_000)
        assert deadline < 0 < start
        t.after(deadline)
        now = t.read()
        return after(now, deadline) or now == deadline, wrap32(now - start)

    reached, waited = run(main, backend=backend)
    assert reached and 39_000 <= waited < 5_000_000


def test_waiting_on_a_timer_is_not_deadlock(backend):
    log = []

    def sleeper():
        Timer().sleep(30_000)
        log.append("woke")

    run(lambda: par(sleeper, lambda: log.append("quick")), backend=backend)
    assert log == ["quick", "woke"]


def test_barrier_syncs_all_enrolled(backend):
    b = Barrier("b", enrolled=3)
    log = []

    def worker(name, delay):
        def body():
            Timer().sleep(delay)
            log.append(f"{name} arrives")
            b.sync()
            log.append(f"{name} leaves")

        return body

    run(lambda: par(worker("x", 0), worker("y", 10_000), worker("z", 20_000)), backend=backend)
    assert [e.endswith("arrives") for e in log[:3]] == [True] * 3
    assert sorted(log[3:]) == ["x leaves", "y leaves", "z leaves"]


def test_barrier_resign_releases_the_others(backend):
    b = Barrier("b", enrolled=2)
    log = []

    def syncer():
        b.sync()
        log.append("released")

    def resigner():
        Timer().sleep(10_000)
        b.resign()

    run(lambda: par(syncer, resigner), backend=backend)
    assert log == ["released"] and b.enrolled == 1


def test_barrier_enrol(backend):
    b = Barrier("b")
    b.enrol(2)
    out = []
    run(lambda: par(b.sync, lambda: (b.sync(), out.append(1))), backend=backend)
    assert out == [1]


def test_barrier_sync_without_enrolment_is_an_error(backend):
    with pytest.raises(CSPError, match="barrier lonely: 'main' syncs but only 0"):
        run(lambda: Barrier("lonely").sync(), backend=backend, name="main")


def test_poison_wakes_pending_and_refuses_later_operations(backend):
    c = Channel("c")
    log = []

    def reader():
        try:
            c.read()
        except PoisonError as e:
            log.append(str(e))
        try:
            c.write(1)
        except PoisonError:
            log.append("later write refused")

    def poisoner():
        Timer().sleep(10_000)
        c.poison()

    run(lambda: par(reader, poisoner), backend=backend)
    assert log == ["channel c is poisoned", "later write refused"]
    assert c.poisoned


def test_poison_spreads_through_a_network_of_processes(backend):
    a, b, c = Channel("a"), Channel("b"), Channel("c")
    ended = []

    @process
    def source(out):
        for i in range(5):
            out.write(i)
        poison(out)

    @process
    def double(inp, out):
        try:
            while True:
                out.write(2 * inp.read())
        finally:
            ended.append("double")

    @process
    def plus(inp, out):
        try:
            while True:
                out.write(inp.read() + 1)
        finally:
            ended.append("plus")

    got = []

    @process
    def sink(inp):
        while True:
            got.append(inp.read())

    # No PoisonError escapes: poison is a clean shutdown.
    run(lambda: Par(source(a.writer()), double(a.reader(), b.writer()), plus(b.reader(), c.writer()),
                    sink(c.reader())).run(), backend=backend)
    assert got == [1, 3, 5, 7, 9]
    assert sorted(ended) == ["double", "plus"]
    assert a.poisoned and b.poisoned and c.poisoned


def test_alt_on_a_poisoned_channel_raises(backend):
    a, b = Channel("a"), Channel("b")
    a.poison()
    with pytest.raises(PoisonError, match="channel a is poisoned"):
        run(lambda: Alt(InputGuard(a), InputGuard(b)).select(), backend=backend)


def test_poisoning_wakes_a_waiting_alt(backend):
    a, b = Channel("a"), Channel("b")
    log = []

    def alter():
        try:
            Alt(InputGuard(a), InputGuard(b)).select()
        except PoisonError:
            log.append("poisoned")

    def poisoner():
        Timer().sleep(10_000)
        b.poison()

    run(lambda: par(alter, poisoner), backend=backend)
    assert log == ["poisoned"]


def test_buffered_channel_poison(backend):
    c = Channel("c", capacity=2)

    def main():
        c.write(1)
        c.poison()
        with pytest.raises(PoisonError):
            c.write(2)
        with pytest.raises(PoisonError):
            c.read()

    run(main, backend=backend)
