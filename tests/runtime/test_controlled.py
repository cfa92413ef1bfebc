"""The controlled scheduler and the search, driven from Python: parked ALTs,
the virtual clock, liveness in fingerprints."""

from __future__ import annotations

from cspc.runtime import Channel, InputGuard, Par, TimeoutGuard, Timer
from cspc.runtime.alt import alt
from cspc.runtime.backends.controlled import ControlledBackend
from cspc.runtime.liveness import live_after
from cspc.runtime.scheduler import run


def test_every_ready_guard_is_a_choice_and_the_chooser_decides():
    seen = []

    def chooser(backend, choices):
        seen.append([c.describe() for c in choices])
        return len(choices) - 1 if choices else None  # the last one

    def main():
        a, b = Channel("a"), Channel("b")
        got = []

        def alter():
            i, v = alt([InputGuard(a), InputGuard(b)])
            got.append(v)
            (b if i == 0 else a).read()

        Par(lambda: a.write(1), lambda: b.write(2), alter).run()
        return got

    backend = ControlledBackend(chooser)
    assert run(main, backend=backend, policy=backend.policy) == [2]
    assert seen == [["a?", "b?"]]


def test_the_clock_is_virtual_and_moves_to_the_timeout_taken():
    def chooser(backend, choices):
        return 0 if choices else None

    def main():
        t = Timer()
        start = t.read()
        i, _ = alt([InputGuard(Channel("never")), TimeoutGuard(start + 5_000_000)])
        return start, i, t.read()

    backend = ControlledBackend(chooser)
    assert run(main, backend=backend, policy=backend.policy) == (0, 1, 5_000_000)


def test_a_variable_assigned_before_it_is_read_again_is_dead():
    def f(c):
        z = 1
        c.read()  # waiting here, z is still needed ...
        c.write(z)  # ... and waiting here it is not
        z = c.read()
        return z

    import dis

    code = f.__code__
    calls = [i.offset for i in dis.get_instructions(code) if i.opname == "CALL"]
    assert live_after(code, calls[0]) >= {"z", "c"}
    assert "z" not in live_after(code, calls[1])
    assert "c" in live_after(code, calls[1])
