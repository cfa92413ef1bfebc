"""The tool hooks: an observer and an ALT policy, each an argument of one run."""

import io

import pytest

from cspc.runtime import (
    Alt,
    Channel,
    CSPError,
    Deadlock,
    InputGuard,
    OutputGuard,
    Par,
    SkipGuard,
    run,
)
from cspc.runtime.hooks import FairPolicy
from cspc.runtime.occam import alt, par, run_main


class Log:
    def __init__(self):
        self.events = []

    def communicated(self, channel, value, writer, reader):
        self.events.append((channel.name, value, writer.name, reader.name if reader else None))


def one_message(channel_name="c", value=1):
    c = Channel(channel_name)
    return Par(lambda: c.write(value), lambda: c.read(), names=["producer", "consumer"])


def test_observer_sees_every_communication(backend):
    a, b = Channel("a"), Channel("b")
    log = Log()

    def producer():
        a.write(1)
        Alt(OutputGuard(b, 2)).select()

    def consumer():
        a.read()
        Alt(InputGuard(b)).select()

    run(lambda: par(producer, consumer), backend=backend, observer=log)
    assert log.events == [("a", 1, "producer", "consumer"), ("b", 2, "producer", "consumer")]


def test_buffered_channel_reports_the_write(backend):
    c = Channel("c", capacity=1)
    log = Log()
    run(lambda: c.write(5), backend=backend, name="w", observer=log)
    assert log.events == [("c", 5, "w", None)]


def test_an_observer_lasts_for_its_run_only(backend):
    log = Log()
    run(one_message("first"), backend=backend, observer=log)
    run(one_message("second"), backend=backend)
    assert log.events == [("first", 1, "producer", "consumer")]


def test_each_run_has_its_own_observer(backend):
    first, second = Log(), Log()
    run(one_message("a"), backend=backend, observer=first)
    run(one_message("b"), backend=backend, observer=second)
    assert [e[0] for e in first.events] == ["a"]
    assert [e[0] for e in second.events] == ["b"]


def test_the_observer_is_gone_after_a_run_that_failed(backend):
    log = Log()
    c = Channel("c")

    def deadlocks():
        c.write(1)
        c.write(2)  # nobody reads this one

    with pytest.raises(Deadlock):
        run(lambda: par(deadlocks, c.read), backend=backend, observer=log)
    run(one_message("after"), backend=backend)
    assert log.events == [("c", 1, "deadlocks", "read")]


def test_a_nested_run_leaves_the_outer_runs_observer_alone(backend):
    log = Log()
    c = Channel("c")

    def main():
        with pytest.raises(CSPError, match="runs do not nest"):
            run(lambda: None, observer=Log())
        par(lambda: c.write(7), c.read, names=["w", "r"])

    run(main, backend=backend, observer=log)
    assert log.events == [("c", 7, "w", "r")]


class Last(FairPolicy):
    """Always the last ready guard, and a record of every decision."""

    def __init__(self):
        self.calls = []

    def choose(self, process, guards, ready, pri, site):
        self.calls.append((list(ready), pri))
        return ready[-1]


def three_skips():
    return alt([SkipGuard(), SkipGuard(), SkipGuard()], pri=True)


def test_a_policy_decides_the_alts_of_its_run(backend):
    last = Last()
    assert run(three_skips, backend=backend, policy=last) == (2, None)
    assert last.calls == [([0, 1, 2], True)]


def test_a_policy_lasts_for_its_run_only(backend):
    last = Last()
    run(three_skips, backend=backend, policy=last)
    assert run(three_skips, backend=backend) == (0, None)  # PRI ALT under the fair default
    assert len(last.calls) == 1


def test_the_policy_is_gone_after_a_run_that_failed(backend):
    def fails():
        three_skips()
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        run(fails, backend=backend, policy=Last())
    assert run(three_skips, backend=backend) == (0, None)


def test_a_policy_chooses_among_ready_input_guards(backend):
    a, b = Channel("a", capacity=1), Channel("b", capacity=1)
    last = Last()

    def main():
        a.write("from a")
        b.write("from b")
        alt = Alt(InputGuard(a), InputGuard(b))
        return [alt.select(), alt.select()]

    assert run(main, backend=backend, policy=last) == [(1, "from b"), (0, "from a")]
    assert last.calls == [([0, 1], False), ([0], False)]


def test_run_main_passes_the_hooks_on(backend):
    log, last = Log(), Last()

    def prog(keyboard, screen, error):
        byte = keyboard.read()
        index, _ = alt([SkipGuard(), SkipGuard()])
        screen.write(byte + index)

    out = io.BytesIO()
    run_main(prog, backend=backend, stdin=io.BytesIO(b"x"), stdout=out, observer=log, policy=last)
    assert out.getvalue() == b"y"  # the policy chose the second SKIP
    # The screen's reader is the outside world: no process.
    assert log.events == [("keyboard", ord("x"), "keyboard", "prog"), ("screen", ord("y"), "prog", None)]
    assert last.calls == [([0, 1], False)]


def test_a_hook_without_its_method_is_refused_before_the_run():
    with pytest.raises(TypeError, match=r"observer must have a communicated\(\) method"):
        run(lambda: None, observer=object())
    with pytest.raises(TypeError, match=r"policy must have a choose\(\) method"):
        run(lambda: None, policy=lambda *args: 0)
