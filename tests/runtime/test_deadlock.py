"""Deadlock reports: every blocked process, what it waits on, the channel, where."""

import pytest

from cspc.runtime import Any2OneChannel, Barrier, Channel, Deadlock, run
from cspc.runtime.occam import par, stop

CSP_SOURCE = """\
def main(c, d, b):
    _par(
        lambda: c.write(1),
        lambda: d.read(),
        lambda: b.sync(),
        lambda: _stop(),
        names=["sender", "receiver", "syncer", "stopper"],
    )
"""


def compiled_from_csp(path):
    """Python compiled with a .csp file name, as the code generator does."""
    namespace = {"_par": par, "_stop": stop}
    exec(compile(CSP_SOURCE, path, "exec"), namespace)
    return namespace["main"]


def test_report_lists_every_blocked_process(backend):
    c, d, b = Channel("c"), Channel("d"), Barrier("bar", enrolled=2)
    main = compiled_from_csp("prog.csp")
    with pytest.raises(Deadlock) as info:
        run(main, c, d, b, backend=backend)
    got = {r.process: (r.waiting_for, r.channel, r.location) for r in info.value.blocked}
    assert got == {
        "sender": ("output", "c", "prog.csp:3"),
        "receiver": ("input", "d", "prog.csp:4"),
        "syncer": ("SYNC", "bar", "prog.csp:5"),
        "stopper": ("STOP", None, "prog.csp:6"),
    }  # main runs the first branch (sender) itself, so it is not listed separately
    text = str(info.value)
    assert text.startswith("deadlock: no process can proceed (4 blocked)")
    assert "prog.csp:3: 'sender' waits to output on channel c" in text
    assert "prog.csp:4: 'receiver' waits to input from channel d" in text
    assert "prog.csp:5: 'syncer' waits to SYNC on barrier bar [1 of 2 enrolled have synced]" in text
    assert "'stopper' has stopped (STOP)" in text


def test_report_for_hand_written_python_points_at_user_code(backend):
    c = Channel("c")

    def lonely():
        c.read()

    with pytest.raises(Deadlock) as info:
        run(lambda: par(lonely, lambda: None), backend=backend)
    [record] = [r for r in info.value.blocked if r.waiting_for != "PAR"]
    assert record.process == "lonely" and record.channel == "c"
    assert record.location.startswith(__file__) and record.location.endswith(f":{lonely.__code__.co_firstlineno + 1}")


def test_claim_wait_names_the_holder(backend):
    c = Any2OneChannel("shared")

    def holder():
        with c.writer().claim():
            c.write(1)  # nobody reads

    def queued():
        from cspc.runtime import Timer

        Timer().sleep(10_000)
        c.write(2)

    with pytest.raises(Deadlock) as info:
        run(lambda: par(holder, queued), backend=backend)
    got = {r.waiting_for: r for r in info.value.blocked if r.waiting_for != "PAR"}
    assert sorted(got) == ["CLAIM", "output"]
    # Normally the holder is `holder`; under heavy load the two may swap roles.
    assert got["CLAIM"].channel == "shared"
    assert got["CLAIM"].partner == f"the writing end is held by {got['output'].process!r}"


def test_output_before_deadlock_is_not_lost(backend):
    log = []

    def main():
        log.append("before")
        Channel("never").read()

    with pytest.raises(Deadlock):
        run(main, backend=backend)
    assert log == ["before"]


def test_processes_are_unwound_after_deadlock(backend):
    unwound = []

    def stuck():
        try:
            Channel("x").read()
        finally:
            unwound.append(True)

    with pytest.raises(Deadlock):
        run(lambda: par(stuck, stuck), backend=backend)
    assert unwound == [True, True]


def test_report_names_the_expected_partner(backend):
    # Channel.expect says who should be on each end; the report names the one that never came.
    c = Channel("c").expect(reader="consumer", writer="producer")
    d = Channel("d").expect(reader="producer", writer="consumer")

    def producer():
        c.write(1)
        d.read()

    def consumer():
        d.write(2)
        c.read()

    with pytest.raises(Deadlock) as info:
        run(lambda: par(producer, consumer, names=["producer", "consumer"]), backend=backend)
    got = {r.process: (r.waiting_for, r.channel, r.partner) for r in info.value.blocked}
    assert got == {
        "producer": ("output", "c", "to 'consumer'"),
        "consumer": ("output", "d", "to 'producer'"),
    }
    assert "'producer' waits to output on channel c (to 'consumer')" in str(info.value)
