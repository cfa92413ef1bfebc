"""The direct switch (runtime/_core.py): on greenlets, Channel.read and write
block without calling _block when nothing else is due; on threads, and while
timers are pending, they go through _block.  Either way the behaviour is the
same: values, deadlock reports, poison, retire, kills, and what an observer
sees.  Every test runs on both backends."""

import pytest

from cspc.runtime import (
    Channel,
    Deadlock,
    PoisonError,
    ProcessError,
    RetireError,
    Timer,
    _core,
    channels,
    run,
)
from cspc.runtime.occam import par


class GeneralPathCount:
    """Counts the calls of _block from channels.py during one run (installed by
    the run's first process, once the backend's primitives are bound)."""

    def __init__(self):
        self.calls = 0
        self.real = None

    def install(self):
        self.real = channels._block
        channels._block = self

    def remove(self):
        channels._block = self.real

    def __call__(self, cur, waitable):
        self.calls += 1
        return self.real(cur, waitable)


def pipeline(values, stages=3):
    """values go through `stages` copying processes; returns what comes out."""
    links = [Channel(f"link.{i}") for i in range(stages + 1)]
    received = []

    def source():
        for v in values:
            links[0].write(v)

    def stage(inp, out):
        def body():
            for _ in values:
                out.write(inp.read())

        return body

    def sink():
        for _ in values:
            received.append(links[-1].read())

    return [source, *(stage(links[i], links[i + 1]) for i in range(stages)), sink], received


def test_direct_switch_is_on_only_on_greenlets_with_nothing_due(backend):
    seen = {}

    def main():
        seen["direct"] = channels._direct
        seen["off"] = channels._direct.off

    run(main, backend=backend)
    assert seen["direct"] is _core.NO_DIRECT_SWITCH or backend == "greenlet"
    assert seen["off"] is (backend != "greenlet")
    assert channels._direct is _core.NO_DIRECT_SWITCH  # and off again after the run


def test_values_arrive_with_no_call_of_block_on_greenlets(backend):
    values = list(range(200))
    procs, received = pipeline(values)
    count = GeneralPathCount()

    def main():
        count.install()
        try:
            par(*procs)
        finally:
            count.remove()

    run(main, backend=backend)
    assert received == values
    if backend == "greenlet":
        assert count.calls == 0  # every block of a read or write was the direct switch
    else:
        assert count.calls > 0  # threads: always the general path


def test_a_pending_timer_sends_blocks_through_block(backend):
    values = list(range(200))
    procs, received = pipeline(values)
    count = GeneralPathCount()
    timer_done = []

    def sleeper():
        Timer().sleep(50_000)  # pending for the whole pipeline, most likely
        timer_done.append(True)

    def main():
        count.install()
        try:
            par(sleeper, *procs)
        finally:
            count.remove()

    run(main, backend=backend)
    assert received == values and timer_done == [True]
    assert count.calls > 0


def test_deadlock_report_on_the_direct_path(backend):
    c, d = Channel("c"), Channel("d")

    def writer():
        c.write(1)

    def reader():
        d.read()

    with pytest.raises(Deadlock) as info:
        run(lambda: par(writer, reader), backend=backend)
    got = {r.process: (r.waiting_for, r.channel, r.location) for r in info.value.blocked
           if r.waiting_for != "PAR"}
    assert got == {
        "writer": ("output", "c", f"{__file__}:{writer.__code__.co_firstlineno + 1}"),
        "reader": ("input", "d", f"{__file__}:{reader.__code__.co_firstlineno + 1}"),
    }


@pytest.mark.parametrize("end, error", [("poison", PoisonError), ("retire", RetireError)])
def test_ending_a_channel_wakes_both_sides_blocked_on_the_direct_path(backend, end, error):
    c, d = Channel("c"), Channel("d")
    raised = {}

    def blocked(name, op):
        def body():
            try:
                op()
            except error as exc:
                raised[name] = exc
                return
            raised[name] = None  # returned normally: wrong

        return body

    def ender():
        for ch in (c, d):
            getattr(ch, end)()

    run(lambda: par(blocked("reader", c.read), blocked("writer", lambda: d.write(1)), ender), backend=backend)
    assert type(raised["reader"]) is error and type(raised["writer"]) is error
    assert "channel c is" in str(raised["reader"]) and "channel d is" in str(raised["writer"])
    assert c._reader is None and d._writer is None


def test_a_failing_sibling_unwinds_a_process_blocked_on_the_direct_path(backend):
    c = Channel("c")
    unwound = []

    def stuck():
        try:
            c.read()
        finally:
            unwound.append(True)

    def failing():
        raise ValueError("boom")

    with pytest.raises(ProcessError, match="boom"):
        run(lambda: par(stuck, failing), backend=backend)
    assert unwound == [True]
    assert c._reader is None  # the registration went with it


@pytest.mark.parametrize("op", ["read", "write"])
def test_a_process_told_to_stop_cannot_block_again(backend, op):
    # When the run ends (here: deadlock), every process left is unwound with
    # a pending exception; one that tries to block again in a finally block is
    # refused at once, its registration cancelled, on either path.
    c, d = Channel("c"), Channel("d")
    refused = []

    def stuck():
        try:
            c.read()
        finally:
            try:
                d.read() if op == "read" else d.write(1)
            except BaseException as exc:
                refused.append(type(exc).__name__)
                raise
            refused.append("nothing")

    with pytest.raises(Deadlock):
        run(lambda: par(stuck, lambda: None), backend=backend)
    assert refused == ["Shutdown"]
    assert d._reader is None and d._writer is None


class Log:
    def __init__(self):
        self.events = []

    def communicated(self, channel, value, writer, reader):
        self.events.append((channel.name, value, writer.name, reader.name))


def test_an_observer_sees_every_communication_of_the_direct_path(backend):
    values = list(range(50))
    procs, received = pipeline(values, stages=1)
    log = Log()
    count = GeneralPathCount()

    def main():
        count.install()
        try:
            par(*procs, names=["source", "stage", "sink"])
        finally:
            count.remove()

    run(main, backend=backend, observer=log)
    assert received == values
    expected = [("link.0", v, "source", "stage") for v in values] + [("link.1", v, "stage", "sink") for v in values]
    assert sorted(log.events, key=lambda e: (e[0], e[1])) == expected
    for name in ("link.0", "link.1"):  # and in order on each channel
        assert [e[1] for e in log.events if e[0] == name] == values
    if backend == "greenlet":
        assert count.calls == 0  # the observer does not depend on the path
