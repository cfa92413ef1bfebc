"""Channels: rendezvous, buffering, ends, shared channels, misuse."""

import pytest

from cspc.runtime import (
    Any2AnyChannel,
    Any2OneChannel,
    BufferedChannel,
    Channel,
    CSPError,
    One2AnyChannel,
    ProcessError,
    Timer,
    run,
)
from cspc.runtime.occam import par


def test_values_arrive_in_order(backend):
    c = Channel("c")
    got = []

    def producer():
        for i in range(100):
            c.write(i)

    def consumer():
        for _ in range(100):
            got.append(c.read())

    run(lambda: par(producer, consumer), backend=backend)
    assert got == list(range(100))


def test_writer_resumes_only_after_reader_took_the_value(backend):
    c = Channel("c")
    state = {"reader started": False}
    log = []

    def writer():
        c.write("x")
        log.append(("writer resumed; reader had started reading:", state["reader started"]))

    def reader():
        Timer().sleep(20_000)  # usually the writer arrives first and must wait
        state["reader started"] = True
        log.append(c.read())

    run(lambda: par(writer, reader), backend=backend)
    assert sorted(log, key=str) == sorted(
        [("writer resumed; reader had started reading:", True), "x"], key=str
    )


def test_reader_waits_for_a_late_writer(backend):
    c = Channel("c")
    log = []

    def writer():
        Timer().sleep(20_000)
        log.append("writing")
        c.write(7)

    def reader():
        log.append(c.read())

    run(lambda: par(writer, reader), backend=backend)
    assert log == ["writing", 7]


def test_run_returns_mains_result(backend):
    assert run(lambda x: x * 2, 21, backend=backend) == 42


def test_channel_names():
    assert Channel("cs[3]").name == "cs[3]"
    assert Channel().name.startswith("channel#")
    assert Channel("c").reader().name == "c"


def test_ends_carry_direction(backend):
    c = Channel("c")
    got = []

    def producer(out):
        out.write(1)

    def consumer(inp):
        got.append(inp.read())

    run(lambda: par(lambda: producer(c.writer()), lambda: consumer(c.reader())), backend=backend)
    assert got == [1]


def test_wrong_way_use_of_an_end_names_the_channel():
    c = Channel("lights")
    with pytest.raises(CSPError, match=r"channel lights: cannot write to its reading end \(lights\?\)"):
        c.reader().write(1)
    with pytest.raises(CSPError, match=r"channel lights: cannot read from its writing end \(lights!\)"):
        c.writer().read()


def test_channel_use_outside_run_is_a_clear_error():
    with pytest.raises(CSPError, match="no CSP run is active"):
        Channel("c").write(1)
    with pytest.raises(CSPError, match="no CSP run is active"):
        par(lambda: None, lambda: None)


def test_runs_do_not_nest(backend):
    def main():
        run(lambda: None)

    with pytest.raises(CSPError, match="already active"):
        run(main, backend=backend)


def test_two_readers_on_a_one_to_one_channel(backend):
    c = Channel("c")

    def reader():
        c.read()

    def second_reader():
        Timer().sleep(10_000)
        c.read()

    def writer():
        Timer().sleep(50_000)
        c.write(1)

    with pytest.raises(ProcessError) as info:
        run(lambda: par(reader, second_reader, writer), backend=backend)
    # Normally second_reader is the second to arrive; under heavy load the
    # order may flip, and the message must name both either way.
    second = info.value.process_name
    first = {"reader": "second_reader", "second_reader": "reader"}[second]
    assert isinstance(info.value.original, CSPError)
    assert (
        f"channel c: '{second}' is reading from it while '{first}' is already reading from it"
        in str(info.value.original)
    )


def test_negative_capacity_is_refused():
    with pytest.raises(ValueError, match="capacity must be a non-negative int, got -1"):
        Channel("c", capacity=-1)


def test_buffered_channel_lets_writer_run_ahead(backend):
    c = Channel("c", capacity=3)
    go = Channel("go")
    assert isinstance(c, BufferedChannel)
    log = []

    def writer():
        for i in range(3):
            c.write(i)  # room in the buffer: no reader needed
            log.append(f"wrote {i}")
        go.write(None)
        c.write(3)
        log.append("wrote 3")

    def reader():
        go.read()
        log.append("reading")
        for _ in range(4):
            log.append(c.read())

    run(lambda: par(writer, reader), backend=backend)
    assert log[:4] == ["wrote 0", "wrote 1", "wrote 2", "reading"]
    assert [x for x in log if isinstance(x, int)] == [0, 1, 2, 3]
    assert log.index("wrote 3") > log.index(0)


def test_any2one_many_writers(backend):
    c = Any2OneChannel("c")
    got = []

    def writer(k):
        return lambda: [c.write((k, i)) for i in range(20)]

    def reader():
        for _ in range(60):
            got.append(c.read())

    run(lambda: par(writer(0), writer(1), writer(2), reader), backend=backend)
    assert sorted(got) == sorted((k, i) for k in range(3) for i in range(20))
    for k in range(3):  # each writer's values stay in its order
        assert [i for (kk, i) in got if kk == k] == list(range(20))


def test_one2any_many_readers(backend):
    c = One2AnyChannel("c")
    got = []

    def writer():
        for i in range(30):
            c.write(i)

    def reader():
        for _ in range(10):
            got.append(c.read())

    run(lambda: par(writer, reader, reader, reader), backend=backend)
    assert sorted(got) == list(range(30))


def test_any2any_and_shared_keyword(backend):
    c = Channel("c", shared="both")
    assert isinstance(c, Any2AnyChannel)
    got = []

    def writer(k):
        return lambda: [c.write(k) for _ in range(5)]

    def reader():
        for _ in range(5):
            got.append(c.read())

    run(lambda: par(writer(1), writer(2), reader, reader), backend=backend)
    assert sorted(got) == [1] * 5 + [2] * 5


def test_claim_keeps_a_sequence_together(backend):
    c = Any2OneChannel("c")
    got = []

    def writer(k):
        def body():
            with c.writer().claim():
                for i in range(5):
                    c.write((k, i))
                    Timer().sleep(100)

        return body

    def reader():
        for _ in range(10):
            got.append(c.read())

    run(lambda: par(writer("a"), writer("b"), reader), backend=backend)
    first = got[0][0]
    assert [k for k, _ in got[:5]] == [first] * 5


def test_claim_on_unshared_end_is_refused():
    with pytest.raises(CSPError, match="not shared"):
        Channel("c").writer().claim()


def test_bad_shared_mode():
    with pytest.raises(ValueError, match="shared must be"):
        Channel("c", shared="sideways")
