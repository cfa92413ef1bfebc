"""ALT: guards, preconditions, PRI ordering, fairness, STOP, policy hook."""

import pytest

from cspc.runtime import (
    Alt,
    Channel,
    Deadlock,
    InputGuard,
    OutputGuard,
    PriAlt,
    SkipGuard,
    Timer,
    TimeoutGuard,
    run,
)
from cspc.runtime.hooks import FairPolicy
from cspc.runtime.occam import alt, par


def test_input_guard_takes_the_ready_channel(backend):
    a, b = Channel("a"), Channel("b")
    got = []

    def main():
        par(lambda: got.append(alt([InputGuard(a), InputGuard(b)])), lambda: b.write("hi"))

    run(main, backend=backend)
    assert got == [(1, "hi")]


def test_alt_waits_until_a_writer_comes(backend):
    a, b = Channel("a"), Channel("b")
    got = []

    def writer():
        Timer().sleep(20_000)
        a.write(3)

    run(lambda: par(lambda: got.append(Alt(InputGuard(a), InputGuard(b)).select()), writer), backend=backend)
    assert got == [(0, 3)]


def test_precondition_disables_a_guard(backend):
    a, b = Channel("a"), Channel("b")
    got = []

    def alter():
        Timer().sleep(10_000)  # both writers are waiting by now
        got.append(alt([InputGuard(a, precondition=False), InputGuard(b)]))
        got.append(a.read())

    run(lambda: par(alter, lambda: a.write("a"), lambda: b.write("b")), backend=backend)
    assert got == [(1, "b"), "a"]


def test_skip_guard(backend):
    a = Channel("a")
    assert run(lambda: alt([InputGuard(a), SkipGuard()]), backend=backend) == (1, None)
    assert run(lambda: PriAlt(SkipGuard(False), SkipGuard()).select(), backend=backend) == (1, None)


def test_timeout_guard_fires(backend):
    a = Channel("a")

    def main():
        t = Timer()
        start = t.read()
        index, _ = alt([InputGuard(a), TimeoutGuard(start + 20_000)])
        return index, t.read() - start

    index, waited = run(main, backend=backend)
    assert index == 1
    assert waited >= 19_000


def test_timeout_in_the_past_is_ready(backend):
    def main():
        return alt([InputGuard(Channel("a")), TimeoutGuard(Timer().read() - 5)])

    assert run(main, backend=backend) == (1, None)


def test_input_beats_a_later_timeout(backend):
    a = Channel("a")
    got = []

    def alter():
        got.append(alt([TimeoutGuard(Timer().read() + 2_000_000), InputGuard(a)]))

    def writer():
        Timer().sleep(5_000)
        a.write(1)

    run(lambda: par(alter, writer), backend=backend)
    assert got == [(1, 1)]


def test_output_guard(backend):
    a, b = Channel("a"), Channel("b")
    got = []

    def alter():
        got.append(alt([OutputGuard(a, "to a"), OutputGuard(b, "to b")]))

    def reader():
        got.append(b.read())

    run(lambda: par(alter, reader), backend=backend)
    assert sorted(map(str, got)) == sorted(map(str, [(1, None), "to b"]))


def test_output_guard_against_input_alt(backend):
    c = Channel("c")
    got = []

    def sender():
        got.append(("sent", alt([OutputGuard(c, 42)])))

    def receiver():
        Timer().sleep(10_000)
        got.append(("received", alt([InputGuard(c)])))

    run(lambda: par(sender, receiver), backend=backend)
    assert sorted(got) == [("received", (0, 42)), ("sent", (0, None))]


def test_pri_alt_takes_the_first_ready_guard(backend):
    a, b = Channel("a"), Channel("b")
    got = []

    def alter():
        Timer().sleep(50_000)  # both writers are waiting by now
        for _ in range(2):
            got.append(PriAlt(InputGuard(a), InputGuard(b)).select())

    run(lambda: par(alter, lambda: b.write("b"), lambda: a.write("a")), backend=backend)
    assert got == [(0, "a"), (1, "b")]


def wait_until_both_writers_wait(a, b):
    """Both guards ready: peek at the channels (a test-only look inside)."""
    for _ in range(10_000):
        if a._writer is not None and b._writer is not None:
            return
        Timer().sleep(200)
    raise AssertionError("the writers never came back")


def test_plain_alt_does_not_starve_a_ready_guard(backend):
    a, b = Channel("a"), Channel("b")
    counts = [0, 0]
    rounds = 100

    def server():
        choice = Alt(InputGuard(a), InputGuard(b))
        for _ in range(rounds):
            wait_until_both_writers_wait(a, b)
            i, _ = choice.select()
            counts[i] += 1
        a.poison()
        b.poison()

    def busy(c):
        def body():
            while True:
                c.write(1)  # always ready again

        return body

    run(lambda: par(server, busy(a), busy(b)), backend=backend)
    assert sum(counts) == rounds
    assert counts == [rounds // 2, rounds // 2]  # the rotation alternates when both are ready


def test_fairness_with_alt_site(backend):
    a, b = Channel("a"), Channel("b")
    counts = [0, 0]

    def server():
        for _ in range(100):
            wait_until_both_writers_wait(a, b)
            i, _ = alt([InputGuard(a), InputGuard(b)], site="the ALT")
            counts[i] += 1
        a.poison()
        b.poison()

    def busy(c):
        return lambda: [c.write(1) for _ in iter(int, 1)]

    run(lambda: par(server, busy(a), busy(b)), backend=backend)
    assert counts == [50, 50]


def test_alt_with_no_enabled_guard_is_stop(backend):
    def main():
        alt([InputGuard(Channel("a"), False), SkipGuard(False)])

    with pytest.raises(Deadlock) as info:
        run(main, backend=backend)
    assert [(b.process, b.waiting_for) for b in info.value.blocked] == [("main", "STOP")]


def test_deadlocked_alt_is_reported_with_its_channels(backend):
    def waiter():
        alt([InputGuard(Channel("left")), InputGuard(Channel("right"))])

    with pytest.raises(Deadlock) as info:
        run(waiter, backend=backend)
    [b] = info.value.blocked
    assert (b.process, b.waiting_for, b.channel) == ("waiter", "ALT", "left?, right?")
    assert "'waiter' waits in an ALT on left?, right?" in str(info.value)


def test_alt_policy_is_pluggable(backend):
    calls = []

    class Last(FairPolicy):
        def choose(self, process, guards, ready, pri, site):
            calls.append((process.name, list(ready), pri))
            return ready[-1]

    got = run(lambda: alt([SkipGuard(), SkipGuard(), SkipGuard()]), backend=backend, policy=Last())
    assert got == (2, None)
    assert calls == [("<lambda>", [0, 1, 2], False)] or calls == [("main", [0, 1, 2], False)]


def test_guard_on_wrong_end_is_refused():
    from cspc.runtime import CSPError

    c = Channel("c")
    with pytest.raises(CSPError, match="cannot read from its writing end"):
        InputGuard(c.writer())
    with pytest.raises(CSPError, match="cannot write to its reading end"):
        OutputGuard(c.reader(), 1)


def test_one_channel_guarded_twice(backend):
    c = Channel("c")
    got = []

    def alter():
        got.append(alt([InputGuard(c, precondition=True), InputGuard(c, precondition=True)]))

    def writer():
        Timer().sleep(10_000)
        c.write("v")

    run(lambda: par(alter, writer), backend=backend)
    assert got == [(0, "v")]


def test_plain_alt_rotates_among_guards_that_stay_ready(backend):
    def main():
        counts = [0, 0, 0]
        choice = Alt(SkipGuard(), SkipGuard(), SkipGuard())
        for _ in range(30):
            counts[choice.select()[0]] += 1
        pri = [PriAlt(SkipGuard(), SkipGuard()).select()[0] for _ in range(5)]
        return counts, pri

    assert run(main, backend=backend) == ([10, 10, 10], [0] * 5)
