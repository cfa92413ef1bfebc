"""retire() and TimeoutGuard(seconds=...), on both backends."""

import pytest

from cspc.runtime import (
    Any2OneChannel,
    Channel,
    CSPError,
    InputGuard,
    PoisonError,
    RetireError,
    Timer,
    TimeoutGuard,
    run,
)
from cspc.runtime.occam import alt, par


def test_a_retired_writer_ends_the_readers_loop(backend):
    c = Channel("c")
    got = []

    def writer(out):
        for i in range(3):
            out.write(i)
        out.retire()

    def reader(inp):
        try:
            while True:
                got.append(inp.read())
        except RetireError:
            got.append("retired")

    run(lambda: par(lambda: writer(c.writer()), lambda: reader(c.reader())), backend=backend)
    assert got == [0, 1, 2, "retired"]


def test_retire_is_not_poison(backend):
    c = Channel("c")
    caught = []

    def main():
        c.writer().retire()
        try:
            c.read()
        except PoisonError:
            caught.append("poison")
        except RetireError:
            caught.append("retire")

    run(main, backend=backend)
    assert caught == ["retire"]
    assert not issubclass(RetireError, PoisonError)


def test_a_shared_side_retires_when_its_last_end_retires(backend):
    c = Any2OneChannel("c")
    got = []

    def writer(out, values):
        for v in values:
            out.write(v)
        out.retire()

    def reader(inp):
        try:
            while True:
                got.append(inp.read())
        except RetireError:
            got.append("retired")

    ends = [c.writer(), c.writer()]  # both join before either can retire
    run(
        lambda: par(
            lambda: writer(ends[0], [1]),
            lambda: writer(ends[1], [2, 3, 4]),
            lambda: reader(c.reader()),
        ),
        backend=backend,
    )
    assert sorted(got[:-1]) == [1, 2, 3, 4]
    assert got[-1] == "retired"


def test_an_alt_on_a_retired_channel_raises_retire(backend):
    c = Channel("c")

    def main():
        c.retire()
        with pytest.raises(RetireError):
            alt([InputGuard(c)])
        return "done"

    assert run(main, backend=backend) == "done"


def test_a_seconds_timeout_fires_when_nothing_else_is_ready(backend):
    def main():
        t = Timer()
        start = t.read()
        index, _ = alt([InputGuard(Channel("a")), TimeoutGuard(seconds=0.02)])
        return index, t.read() - start

    index, waited = run(main, backend=backend)
    assert index == 1
    assert waited >= 10_000  # microseconds: a generous lower bound, never an upper one


def test_a_ready_input_beats_a_seconds_timeout(backend):
    a = Channel("a")
    got = []

    def writer():
        Timer().sleep(5_000)
        a.write(7)

    run(lambda: par(lambda: got.append(alt([TimeoutGuard(seconds=2), InputGuard(a)])), writer),
        backend=backend)
    assert got == [(1, 7)]


@pytest.mark.parametrize("kwargs", [{}, {"deadline": 5, "seconds": 1}])
def test_a_timeout_needs_exactly_one_of_deadline_and_seconds(kwargs):
    with pytest.raises(CSPError, match="exactly one"):
        TimeoutGuard(**kwargs)
