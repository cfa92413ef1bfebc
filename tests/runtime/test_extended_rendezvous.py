"""occam-pi's extended rendezvous (`c ?? x`): read_extended / release_extended,
the ExtendedInputGuard, and claim_of, the CLAIMs compiled code takes."""

import pytest

from cspc.runtime import BufferedChannel, Channel, CSPError, Deadlock, One2AnyChannel, run
from cspc.runtime.alt import ExtendedInputGuard, OutputGuard, alt
from cspc.runtime.occam import claim_of, par


def rendezvous(c, log, reader_first: bool, backend):
    """A writer logs "sent" after its write; the reader logs "during" before releasing it."""

    def writer():
        c.write(42)
        log.append("sent")

    def reader():
        value = c.read_extended()
        log.append(("during", value))
        c.release_extended()
        log.append("after")

    branches = (reader, writer) if reader_first else (writer, reader)
    run(lambda: par(*branches), backend=backend)


@pytest.mark.parametrize("reader_first", [True, False], ids=["reader waits", "writer waits"])
def test_the_writer_goes_on_only_after_the_release(backend, reader_first):
    log = []
    rendezvous(Channel("c"), log, reader_first, backend)
    assert log.index(("during", 42)) < log.index("sent")
    assert sorted(log, key=str) == sorted([("during", 42), "sent", "after"], key=str)


def test_a_buffered_writer_is_not_held(backend):
    c = BufferedChannel("c", capacity=1)
    log = []

    def writer():
        c.write(1)
        log.append("sent")

    def reader():
        log.append(("got", c.read_extended()))
        c.release_extended()

    run(lambda: par(writer, reader), backend=backend)
    assert log == ["sent", ("got", 1)]


@pytest.mark.parametrize("alt_first", [True, False], ids=["ALT waits", "writer waits"])
def test_an_extended_guard_holds_the_writer_until_the_release(backend, alt_first):
    a, b = Channel("a"), Channel("b")
    log = []

    def writer():
        b.write("b")
        log.append("sent")

    def chooser():
        index, value = alt([ExtendedInputGuard(a), ExtendedInputGuard(b)])
        log.append(("during", index, value))
        b.release_extended()

    branches = (chooser, writer) if alt_first else (writer, chooser)
    run(lambda: par(*branches), backend=backend)
    assert log == [("during", 1, "b"), "sent"]


def test_a_held_writer_is_in_the_deadlock_report(backend):
    c, d = Channel("c"), Channel("d")

    def writer():
        c.write(1)
        d.write(2)

    def reader():
        c.read_extended()
        d.read()  # the writer cannot get here: it is held

    with pytest.raises(Deadlock) as info:
        run(lambda: par(writer, reader, names=["writer", "reader"]), backend=backend)
    held = next(b for b in info.value.blocked if b.process == "writer")
    assert (held.waiting_for, held.channel) == ("output", "c")
    assert "extended input" in held.detail


def test_an_extended_input_from_an_output_guard_is_refused(backend):
    c = Channel("c")

    def writer():
        alt([OutputGuard(c, 1)])

    def reader():
        c.read_extended()

    with pytest.raises(Exception, match="output guard"):
        run(lambda: par(writer, reader), backend=backend)


def test_a_shared_reading_end_is_claimed_for_the_whole_rendezvous(backend):
    c = One2AnyChannel("c")
    log = []

    def writer():
        for i in range(2):
            c.write(i)

    def reader(k):
        def body():
            value = c.read_extended()
            log.append((k, "in", value))
            log.append((k, "out", value))
            c.release_extended()

        return body

    run(lambda: par(writer, reader("x"), reader("y")), backend=backend)
    assert [entry[1] for entry in log] == ["in", "out", "in", "out"]


def test_claim_of_makes_one_claim_per_side_and_keeps_it():
    c = Channel("c")
    writing = claim_of(c, "writing")
    assert claim_of(c, "writing") is writing
    assert claim_of(c, "reading") is not writing
    assert writing.side == "writing"


def test_claims_are_granted_first_come_first_served(backend):
    c = Channel("c")
    arrived, granted = [], []

    def claimant(k):
        def body():
            for _ in range(3):
                claim = claim_of(c, "writing")
                arrived.append(k)  # nothing runs between this and the acquire
                claim.acquire()
                granted.append(k)
                c.write(k)
                claim.release()

        return body

    def reader():
        for _ in range(12):
            c.read()

    run(lambda: par(*(claimant(k) for k in range(4)), reader), backend=backend)
    assert granted == arrived


def test_read_extended_on_the_writing_end_is_refused():
    with pytest.raises(CSPError, match="cannot read"):
        Channel("c").writer().read_extended()
