"""The "coming from" pages tell the truth: every row of the tables in
docs/from-pycsp.md, docs/from-go.md and docs/from-occam.md is exercised here,
by a test that shows what the row's right-hand cell claims.

ROWS maps each page's left-hand cells to the tests that cover them, and
test_every_row_of_the_pages_has_a_test keeps the two in step: a row added to a
page without a test fails the suite.

occam programs run through the CLI in this process, in a scratch folder (so
that messages name prog.csp); runtime rows use cspc.runtime directly.

One file, over 600 lines: ROWS and test_every_row_of_the_pages_has_a_test need every
page's tests in one module."""

from __future__ import annotations

import linecache
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import cspc
from cspc.cli import main
from cspc.runtime import (
    Alt,
    Any2AnyChannel,
    Any2OneChannel,
    BufferedChannel,
    Channel,
    CSPError,
    InputGuard,
    One2AnyChannel,
    OutputGuard,
    Par,
    PoisonError,
    PriAlt,
    ProcessError,
    RetireError,
    Seq,
    SkipGuard,
    TimeoutGuard,
    Timer,
    poison,
    process,
    retire,
    run,
)
from cspc.runtime.occam import wrap32

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
MAIN = '#INCLUDE "course.module"\nPROC main (CHAN BYTE keyboard?, screen!, error!)\n'
DELAY = "clock ? t\nclock ? AFTER t PLUS 20000\n"  # 20 ms: long enough for the others to get ready


def body(text: str, indent: int) -> str:
    """``text``'s lines, indented by ``indent`` spaces."""
    return "".join(" " * indent + line + "\n" for line in text.splitlines())


@pytest.fixture(autouse=True)
def shared_cache(tmp_path_factory, monkeypatch):
    # One cache for the session: a program run on both backends compiles once.
    monkeypatch.setenv("CSPC_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cspc-cache"))


@pytest.fixture
def cspc_cli(tmp_path, monkeypatch):
    """``cspc_cli(command, source, *options)``: save ``source`` as prog.csp in a
    scratch folder and run ``cspc command *options prog.csp`` there; gives
    (exit status, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def invoke(command, source, *options, name="prog.csp", env=None):
        Path(name).write_text(source)
        linecache.clearcache()  # every test's program is prog.csp: forget the last one's lines
        result = CliRunner().invoke(main, [command, *options, name], env=env)
        return result.exit_code, result.stdout, result.stderr

    return invoke


@pytest.fixture
def occam(cspc_cli, backend):
    """``occam(source)``: run the program on each backend; (exit status, stdout, stderr)."""
    return lambda source, *options: cspc_cli("run", source, "--backend", backend, *options)


# =========================================================================== from-pycsp.md


def test_calling_a_process_function_only_makes_a_process(backend):
    """Calling a @process function runs nothing; Par runs the process it gave."""
    log = []

    @process
    def hello(word):
        log.append(word)

    def network():
        p = hello("hi")
        log.append("made")
        Par(p).run()

    run(network, backend=backend)
    assert log == ["made", "hi"]


def test_a_write_waits_for_the_reader(backend):
    """Channel(): the writer resumes only once the reader has taken the value."""
    c = Channel()
    log = []

    def writer():
        c.write(1)
        log.append("write returned")

    def reader():
        Timer().sleep(20_000)
        log.append("reading")
        log.append(c.read())

    run(lambda: Par(writer, reader).run(), backend=backend)
    assert log[0] == "reading"
    assert sorted(log[1:], key=str) == [1, "write returned"]


def test_a_second_writer_on_a_one_to_one_channel_is_refused(backend):
    """Channel() is one-to-one: a second writer while one waits is a CSPError."""
    c = Channel("c")

    def first():
        c.write(1)

    def second():
        Timer().sleep(10_000)
        c.write(2)

    def reader():
        Timer().sleep(50_000)
        c.read()

    with pytest.raises(ProcessError) as info:
        run(lambda: Par(first, second, reader).run(), backend=backend)
    assert isinstance(info.value.original, CSPError)
    assert "a one-to-one channel has one process at each end" in str(info.value.original)


def test_n_writes_complete_with_no_reader_and_come_out_in_order(backend):
    """Channel(capacity=n) is a BufferedChannel: n writes return with no reader
    waiting, the next one waits, and the values come out in order."""
    c = Channel("c", capacity=3)
    assert isinstance(c, BufferedChannel)
    log = []

    def writer():
        for i in range(4):
            c.write(i)
            log.append(f"wrote {i}")

    def reader():
        Timer().sleep(20_000)
        log.append("reading")
        for _ in range(4):
            log.append(c.read())

    run(lambda: Par(writer, reader).run(), backend=backend)
    assert log[:4] == ["wrote 0", "wrote 1", "wrote 2", "reading"]
    assert [x for x in log if isinstance(x, int)] == [0, 1, 2, 3]


@pytest.mark.parametrize("end", [retire, lambda c: c.retire()], ids=["retire(end)", "channel.retire()"])
def test_retiring_a_buffered_channel_loses_nothing_it_holds(end, backend):
    """Retire is the gentle ending: the reader still gets every value the
    buffer holds, then RetireError; a later write is refused at once."""
    c = Channel("c", capacity=3)
    got = []

    def writer():
        for i in range(3):
            c.write(i)
        end(c.writer())
        try:
            c.write(99)
        except RetireError:
            got.append("write refused")

    def reader():
        Timer().sleep(20_000)
        try:
            while True:
                got.append(c.read())
        except RetireError:
            got.append("retired")

    run(lambda: Par(writer, reader).run(), backend=backend)
    assert got == ["write refused", 0, 1, 2, "retired"]


def test_a_writer_waiting_for_room_is_told_its_value_did_not_get_in(backend):
    c = Channel("c", capacity=1)
    got = []

    def writer():
        c.write(0)
        try:
            c.write(1)  # the buffer is full: waits, and the channel retires meanwhile
        except RetireError:
            got.append("1 refused")

    def retirer():
        Timer().sleep(20_000)
        c.retire()
        got.append(c.read())
        try:
            c.read()
        except RetireError:
            got.append("retired")

    run(lambda: Par(writer, retirer).run(), backend=backend)
    assert sorted(map(str, got)) == ["0", "1 refused", "retired"]


def test_poisoning_or_retiring_the_readers_drops_what_a_buffered_channel_holds(backend):
    """Poison tears the network down at once, and a channel whose readers have
    retired will never be read: then what the buffer holds is dropped."""
    for end, error in ((poison, PoisonError), (lambda ch: ch.reader().retire(), RetireError)):
        c = Channel("c", capacity=3)
        got = []

        def writer():
            for i in range(3):
                c.write(i)
            end(c)

        def reader():
            Timer().sleep(20_000)
            try:
                got.append(c.read())
            except error:
                got.append("ended")

        run(lambda: Par(writer, reader).run(), backend=backend)
        assert got == ["ended"]


@pytest.mark.parametrize("kind", [Any2OneChannel, Any2AnyChannel])
def test_several_writers_share_a_channel(kind, backend):
    """Any2OneChannel and Any2AnyChannel: three writers, no error, every value arrives."""
    c = kind("c")
    got = []

    def writer(k):
        return lambda: [c.write((k, i)) for i in range(5)]

    def reader():
        got.extend(c.read() for _ in range(15))

    run(lambda: Par(writer(0), writer(1), writer(2), reader).run(), backend=backend)
    assert sorted(got) == [(k, i) for k in range(3) for i in range(5)]


@pytest.mark.parametrize("kind", [One2AnyChannel, Any2AnyChannel])
def test_several_readers_share_a_channel(kind, backend):
    """One2AnyChannel and Any2AnyChannel: three readers, no error, each value read once."""
    c = kind("c")
    got = []

    def writer():
        for i in range(15):
            c.write(i)

    def reader():
        got.extend(c.read() for _ in range(5))

    run(lambda: Par(writer, reader, reader, reader).run(), backend=backend)
    assert sorted(got) == list(range(15))


def test_ends_work_their_way_and_refuse_the_other(backend):
    """chan.reader() / chan.writer(): each end does its own operation, and the
    other operation is a CSPError naming the channel."""
    c = Channel("c")
    got = []
    run(lambda: Par(lambda: c.writer().write(5), lambda: got.append(c.reader().read())).run(),
        backend=backend)  # fmt: skip
    assert got == [5]
    with pytest.raises(CSPError, match=r"^channel c: cannot write to its reading end \(c\?\)$"):
        c.reader().write(1)
    with pytest.raises(CSPError, match=r"^channel c: cannot read from its writing end \(c!\)$"):
        c.writer().read()


def test_par_runs_processes_and_plain_functions_concurrently(backend):
    """Par(p, q).run() returns when both have ended; they run at the same time
    (they talk over a channel), and a plain function is a process too."""
    c = Channel("c")
    got = []

    @process
    def sender(out):
        out.write("hello")

    def receiver():  # a plain no-argument function
        got.append(c.read())

    run(lambda: Par(sender(c.writer()), receiver).run(), backend=backend)
    assert got == ["hello"]


def test_seq_runs_processes_one_after_another(backend):
    """Seq(p, q).run(): p ends before q starts."""
    log = []

    def slow():
        Timer().sleep(20_000)
        log.append("p")

    run(lambda: Seq(slow, lambda: log.append("q")).run(), backend=backend)
    assert log == ["p", "q"]


def test_alt_select_gives_index_and_value_and_pri_alt_prefers_the_first(backend):
    """Alt(...).select() returns (index, value) of the ready guard; with both
    guards ready, PriAlt takes the first."""
    a, b = Channel("a"), Channel("b")
    chosen = []

    def chooser():
        Timer().sleep(20_000)  # both writers are waiting by now
        chosen.append(PriAlt(InputGuard(a), InputGuard(b)).select())
        chosen.append(Alt(InputGuard(a), InputGuard(b)).select())

    run(lambda: Par(lambda: a.write("x"), lambda: b.write("y"), chooser).run(), backend=backend)
    assert chosen == [(0, "x"), (1, "y")]


def test_an_output_guard_writes_its_value(backend):
    """OutputGuard(c, v): chosen when a reader waits, and then v is written."""
    c = Channel("c")
    log = []

    def chooser():
        log.append(Alt(OutputGuard(c, "v"), TimeoutGuard(seconds=5)).select())

    run(lambda: Par(chooser, lambda: log.append(c.read())).run(), backend=backend)
    assert sorted(log, key=str) == [(0, None), "v"]


def test_timeout_guards_in_seconds_and_as_a_deadline(backend):
    """TimeoutGuard(seconds=s) and TimeoutGuard(deadline) with a Timer value are
    chosen when nothing else is ready, and no sooner than their time."""
    c = Channel("c")
    log = []

    def waiter():
        timer = Timer()
        start = timer.read()
        log.append(Alt(InputGuard(c), TimeoutGuard(seconds=0.02)).select())
        log.append(wrap32(timer.read() - start) >= 20_000)
        start = timer.read()
        log.append(Alt(InputGuard(c), TimeoutGuard(start + 20_000)).select())
        log.append(wrap32(timer.read() - start) >= 20_000)

    run(waiter, backend=backend)
    assert log == [(1, None), True, (1, None), True]


def test_a_skip_guard_is_always_ready(backend):
    """SkipGuard(): chosen at once when nothing else is ready (a PRI ALT's default)."""
    c = Channel("c")
    assert run(lambda: PriAlt(InputGuard(c), SkipGuard()).select(), backend=backend) == (1, None)


def test_poison_reaches_every_user_and_spreads(backend):
    """poison(c) / c.poison(): the pending reader gets PoisonError, and a @process
    that dies of it poisons the channels it was given."""
    a, b = Channel("a"), Channel("b")
    log = []

    @process
    def relay(inp, out):
        while True:
            out.write(inp.read())

    @process
    def sink(inp):
        try:
            inp.read()
        except PoisonError as err:
            log.append(str(err))

    def killer():
        Timer().sleep(20_000)
        poison(a)

    run(lambda: Par(relay(a.reader(), b.writer()), sink(b.reader()), killer).run(),
        backend=backend)  # fmt: skip
    assert log == ["channel b is poisoned"]
    c = Channel("c")
    c.poison()
    with pytest.raises(PoisonError, match="^channel c is poisoned$"):
        run(c.read, backend=backend)


def test_a_shared_channel_retires_after_its_last_writer_and_loses_nothing(backend):
    """retire(end) on an Any2OneChannel: the first writer's retiring leaves the
    channel open for the second, and it retires with the last; every value is read."""
    c = Any2OneChannel("c")
    got = []

    @process
    def writer(values, delay, out):
        Timer().sleep(delay)
        for v in values:
            out.write(v)
        retire(out)

    @process
    def reader(inp):
        try:
            while True:
                got.append(inp.read())
        except RetireError:
            got.append("retired")

    run(lambda: Par(writer([1, 2], 0, c.writer()), writer([3, 4], 20_000, c.writer()),
                    reader(c.reader())).run(), backend=backend)  # fmt: skip
    assert got == [1, 2, 3, 4, "retired"]


def test_end_retire_on_a_one_to_one_channel_retires_it_at_once(backend):
    """c.retire() on an end: the channel retires at once; the reader gets RetireError."""
    c = Channel("c")
    log = []

    def reader():
        try:
            c.read()
        except RetireError as err:
            log.append(str(err))

    run(lambda: Par(reader, lambda: c.writer().retire()).run(), backend=backend)
    assert log == ["channel c is retired"]


def test_retiring_the_channel_itself_retires_it_at_once(backend):
    """c.retire() on the channel, not on an end: retired at once, though a
    writer's end has not retired."""
    c = Any2OneChannel("c")
    first, second = c.writer(), c.writer()
    first.retire()
    assert not c.retired  # the second writer's end is still live
    c.retire()
    with pytest.raises(RetireError, match="^channel c is retired$"):
        run(second.write, 1, backend=backend)


def test_shutdown_is_not_needed(backend):
    """run(main) returns main's result once main and its processes have ended."""
    c = Channel("c")

    def network():
        got = []
        Par(lambda: c.write(7), lambda: got.append(c.read())).run()
        return got

    assert run(network, backend=backend) == [7]


# =========================================================================== from-go.md


def test_a_par_ends_only_when_all_its_branches_have(occam):
    """go f(x): a PAR branch; what follows the PAR sees the slow branch's work."""
    source = MAIN + (
        "  TIMER clock:\n"
        "  INT t, x, y:\n"
        "  SEQ\n"
        "    PAR\n"
        "      SEQ\n" + body(DELAY + "x := 1", 8) + "      y := 2\n"
        "    out.int (x + y, 0, screen!)\n"
        '    out.string ("*n", 0, screen!)\n'
        ":\n"
    )
    assert occam(source) == (0, "3\n", "")


def test_a_replicated_par_starts_one_worker_per_index(occam):
    """for ... { go worker(i) }: PAR i = 0 FOR n, then worker (i)."""
    source = (
        '#INCLUDE "course.module"\n'
        "PROC worker (VAL INT i, CHAN INT out!)\n"
        "  out ! i * i\n"
        ":\n"
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"
        "  [4]CHAN INT c:\n"
        "  PAR\n"
        "    PAR i = 0 FOR 4\n"
        "      worker (i, c[i]!)\n"
        "    SEQ i = 0 FOR 4\n"
        "      INT x:\n"
        "      SEQ\n"
        "        c[i] ? x\n"
        "        out.int (x, 2, screen!)\n"
        ":\n"
    )
    assert occam(source) == (0, " 0 1 4 9", "")


def test_an_occam_channel_is_synchronous(occam):
    """make(chan int): CHAN INT; the send completes only when the receiver,
    20 ms late, takes the value."""
    source = MAIN + (
        "  CHAN INT c:\n"
        "  TIMER clock:\n"
        "  INT start, sent, t, v:\n"
        "  SEQ\n"
        "    clock ? start\n"
        "    PAR\n"
        "      SEQ\n"
        "        c ! 1\n"
        "        clock ? sent\n"
        "      SEQ\n" + body(DELAY + "c ? v", 8) + "    IF\n"
        "      (sent MINUS start) >= 20000\n"
        '        out.string ("the send waited*n", 0, screen!)\n'
        "      TRUE\n"
        '        out.string ("the send did not wait*n", 0, screen!)\n'
        ":\n"
    )
    assert occam(source) == (0, "the send waited\n", "")


def test_a_buffer_process_stands_in_for_a_buffered_channel(cspc_cli, backend):
    """make(chan int, 10): examples/buffer.csp, a buffer process, runs as it says."""
    source = (ROOT / "examples" / "buffer.csp").read_text()
    expected = (ROOT / "examples" / "buffer.expected").read_text()
    assert cspc_cli("run", source, "--backend", backend) == (0, expected, "")


def test_ten_writes_complete_on_a_channel_of_capacity_ten(backend):
    """make(chan int, 10) from Python: Channel(capacity=10) takes 10 values with
    no reader; the eleventh waits for one."""
    c = Channel("c", capacity=10)
    log = []

    def writer():
        for i in range(11):
            c.write(i)
        log.append("eleventh written")

    def reader():
        Timer().sleep(20_000)
        log.append(len(c))
        log.extend(c.read() for _ in range(11))

    run(lambda: Par(writer, reader).run(), backend=backend)
    assert log[0] == 10
    assert [x for x in log[1:] if x != "eleventh written"] == list(range(11))


def test_send_and_receive(occam):
    """c <- v, v := <-c: c ! v, c ? v."""
    source = MAIN + (
        "  CHAN INT c:\n"
        "  INT v:\n"
        "  PAR\n"
        "    c ! 42\n"
        "    SEQ\n"
        "      c ? v\n"
        "      out.int (v, 0, screen!)\n"
        ":\n"
    )
    assert occam(source) == (0, "42", "")


def test_two_writers_on_one_channel_are_a_compile_time_error(cspc_cli):
    """Many goroutines sending on one channel: cspc rejects two parallel writers."""
    source = MAIN + (
        "  CHAN INT c:\n"
        "  INT x:\n"
        "  PAR\n"
        "    c ! 1\n"
        "    c ! 2\n"
        "    c ? x\n"
        ":\n"
    )  # fmt: skip
    assert cspc_cli("check", source) == (1, "", (
        "prog.csp:6:5: error: parallel outputs on channel `c'\n"
        "        c ! 1\n"
        "        ^\n"
        "prog.csp:7:5: note: output here, in parallel\n"
        "        c ! 2\n"
        "        ^\n"
    ))  # fmt: skip


SENDERS_AND_A_MERGE = MAIN + (
    "  CHAN INT a, b:\n"
    "  INT total:\n"
    "  SEQ\n"
    "    total := 0\n"
    "    PAR\n"
    "      a ! 1\n"
    "      b ! 2\n"
    "      SEQ i = 0 FOR 2\n"
    "        INT v:\n"
    "        ALT\n"
    "          a ? v\n"
    "            total := total + v\n"
    "          b ? v\n"
    "            total := total + (10 * v)\n"
    "    out.int (total, 0, screen!)\n"
    ":\n"
)


def test_an_alt_merges_several_channels(occam):
    """Many senders: one channel each, merged by an ALT that takes whichever is ready."""
    assert occam(SENDERS_AND_A_MERGE) == (0, "21", "")


def test_pri_alt_prefers_the_first_ready_guard(occam):
    """select: ALT over a ? v and b ? v; with both ready, PRI ALT takes a."""
    source = MAIN + (
        "  CHAN INT a, b:\n"
        "  TIMER clock:\n"
        "  INT t, v:\n"
        "  PAR\n"
        "    a ! 1\n"
        "    b ! 2\n"
        "    SEQ\n" + body(DELAY, 6) + (
        "      PRI ALT\n"
        "        a ? v\n"
        '          out.string ("a first*n", 0, screen!)\n'
        "        b ? v\n"
        '          out.string ("b first*n", 0, screen!)\n'
        "      ALT\n"
        "        a ? v\n"
        '          out.string ("then a*n", 0, screen!)\n'
        "        b ? v\n"
        '          out.string ("then b*n", 0, screen!)\n'
        ":\n"
    ))  # fmt: skip
    assert occam(source) == (0, "a first\nthen b\n", "")


def test_a_pri_alt_ending_in_true_skip_does_not_wait(occam):
    """select with default: PRI ALT ... TRUE & SKIP takes a ready channel, else SKIP."""
    pri_alt = (
        "PRI ALT\n"
        "  c ? v\n"
        '    out.string ("got one*n", 0, screen!)\n'
        "  TRUE & SKIP\n"
        '    out.string ("nothing ready*n", 0, screen!)\n'
    )
    source = MAIN + (
        "  CHAN INT c:\n"
        "  TIMER clock:\n"
        "  INT t, v:\n"
        "  PAR\n"
        "    c ! 1\n"
        "    SEQ\n" + body(DELAY + pri_alt + pri_alt, 6) + ":\n"
    )
    assert occam(source) == (0, "got one\nnothing ready\n", "")


def test_an_after_guard_times_out(occam):
    """case <-time.After(d): clock ? AFTER t, chosen once the time has passed."""
    source = MAIN + (
        "  CHAN INT c:\n"
        "  TIMER clock:\n"
        "  INT start, now, v:\n"
        "  SEQ\n"
        "    clock ? start\n"
        "    ALT\n"
        "      c ? v\n"
        '        out.string ("got one*n", 0, screen!)\n'
        "      clock ? AFTER start PLUS 20000\n"
        "        SKIP\n"
        "    clock ? now\n"
        "    IF\n"
        "      (now MINUS start) >= 20000\n"
        '        out.string ("timed out after 20 ms*n", 0, screen!)\n'
        "      TRUE\n"
        '        out.string ("timed out too soon*n", 0, screen!)\n'
        ":\n"
    )
    assert occam(source) == (0, "timed out after 20 ms\n", "")


def test_an_output_guard_is_a_syntax_error_in_occam(cspc_cli):
    """case c <- v: occam's ALT has input guards only (for OutputGuard, see the pycsp tests)."""
    source = MAIN + (
        "  CHAN INT c:\n"
        "  ALT\n"
        "    c ! 1\n"
        "      SKIP\n"
        ":\n"
    )  # fmt: skip
    assert cspc_cli("check", source) == (1, "", (
        "prog.csp:5:7: error: unexpected `!'; expected an operator, `&', `(', `,', `?', `FUNCTION', ...\n"
        "        c ! 1\n"
        "          ^\n"
    ))  # fmt: skip


def test_a_false_precondition_disables_a_ready_guard(occam):
    """A nil channel in a select: ready & c ? v is never chosen while ready is FALSE."""
    source = MAIN + (
        "  CHAN INT c:\n"
        "  TIMER clock:\n"
        "  BOOL ready:\n"
        "  INT t, v:\n"
        "  SEQ\n"
        "    ready := FALSE\n"
        "    PAR\n"
        "      c ! 42\n"
        "      SEQ\n" + body(DELAY, 8) + (
        "        ALT\n"
        "          ready & c ? v\n"
        '            out.string ("took c*n", 0, screen!)\n'
        "          clock ? AFTER t PLUS 40000\n"
        '            out.string ("c was disabled*n", 0, screen!)\n'
        "        c ? v\n"
        "        out.int (v, 0, screen!)\n"
        ":\n"
    ))  # fmt: skip
    assert occam(source) == (0, "c was disabled\n42", "")


def test_an_end_marker_of_a_variant_protocol_ends_the_stream(occam):
    """close(c) and range: the sender ends with a tag the receiver's loop stops at."""
    source = (
        '#INCLUDE "course.module"\n'
        "PROTOCOL STREAM\n"
        "  CASE\n"
        "    value; INT\n"
        "    end.of.stream\n"
        ":\n"
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"
        "  CHAN STREAM c:\n"
        "  SEQ\n"
        "    PAR\n"
        "      SEQ\n"
        "        SEQ i = 1 FOR 3\n"
        "          c ! value; i\n"
        "        c ! end.of.stream\n"
        "      INITIAL BOOL open IS TRUE:\n"
        "      WHILE open\n"
        "        INT x:\n"
        "        c ? CASE\n"
        "          value; x\n"
        "            out.int (x, 2, screen!)\n"
        "          end.of.stream\n"
        "            open := FALSE\n"
        '    out.string (" end*n", 0, screen!)\n'
        ":\n"
    )
    assert occam(source) == (0, " 1 2 3 end\n", "")


def test_poison_ends_a_readers_loop_after_the_last_value(backend):
    """close(c) and range from Python: the writer poisons after its last write;
    the reader has every value, then PoisonError ends its loop."""
    c = Channel("c")
    got = []

    @process
    def numbers(out):
        for i in range(3):
            out.write(i)
        out.poison()

    @process
    def reader(inp):
        try:
            while True:
                got.append(inp.read())
        except PoisonError:
            got.append("poisoned")

    run(lambda: Par(numbers(c.writer()), reader(c.reader())).run(), backend=backend)
    assert got == [0, 1, 2, "poisoned"]


DEADLOCK = MAIN + (
    "  CHAN INT a, b:\n"
    "  INT x, y:\n"
    "  PAR\n"
    "    SEQ\n"
    "      a ? x\n"
    "      b ! 1\n"
    "    SEQ\n"
    "      b ? y\n"
    "      a ! 2\n"
    ":\n"
)


def test_a_deadlock_lists_every_blocked_process(occam):
    """Go's 'all goroutines are asleep': each blocked process, what it waits
    for, on which channel, at which line."""
    status, out, err = occam(DEADLOCK)
    lines = err.splitlines()
    assert (status, out, lines[0]) == (
        1,
        "",
        "run-time error: deadlock: no process can proceed (2 blocked)",
    )
    assert sorted(lines[1:], key=lambda line: "branch 2" in line) == [
        "  prog.csp:7: 'main, PAR branch 1' waits to input from channel a (from 'main, PAR branch 2')",
        "  prog.csp:10: 'main, PAR branch 2' waits to input from channel b (from 'main, PAR branch 1')",
    ]


RACES = {
    "written in both": (
        "  INT x:\n  PAR\n    x := 1\n    x := 2\n",
        "prog.csp:5:5: error: variable `x' is assigned to in parallel\n"
        "        x := 1\n        ^\n"
        "prog.csp:6:5: note: assigned here, in parallel\n"
        "        x := 2\n        ^\n",
    ),
    "written in one, read in the other": (
        "  INT x, y:\n  PAR\n    x := 1\n    y := x\n",
        "prog.csp:5:5: error: variable `x' is assigned to and read in parallel\n"
        "        x := 1\n        ^\n"
        "prog.csp:6:10: note: read here, in parallel\n"
        "        y := x\n             ^\n",
    ),
}


@pytest.mark.parametrize("race", RACES)
def test_a_race_is_a_compile_time_error(cspc_cli, race):
    """The race detector: a variable written in one branch of a PAR and used in another is rejected."""
    program, expected = RACES[race]
    assert cspc_cli("check", MAIN + program + ":\n") == (1, "", expected)


def test_a_record_type(occam):
    """struct: DATA TYPE ... RECORD, with fields p[x], assigned and copied as a whole."""
    source = (
        '#INCLUDE "course.module"\n'
        "DATA TYPE POINT\n"
        "  RECORD\n"
        "    INT x, y:\n"
        ":\n"
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"
        "  POINT p, q:\n"
        "  SEQ\n"
        "    p[x], p[y] := 3, 4\n"
        "    q := p\n"
        "    q[x] := 10\n"
        "    out.int ((p[x] * 100) + (q[x] + q[y]), 0, screen!)\n"
        ":\n"
    )
    assert occam(source) == (0, "314", "")


def test_a_proc_changes_its_reference_parameters(occam):
    """functions: a PROC's parameters are references, so it can change the caller's variables."""
    source = (
        '#INCLUDE "course.module"\n'
        "PROC swap (INT a, b)\n"
        "  a, b := b, a\n"
        ":\n"
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"
        "  INT x, y:\n"
        "  SEQ\n"
        "    x, y := 1, 2\n"
        "    swap (x, y)\n"
        "    out.int ((10 * x) + y, 0, screen!)\n"
        ":\n"
    )
    assert occam(source) == (0, "21", "")


def test_a_function_cannot_have_side_effects(cspc_cli):
    """functions: a FUNCTION that assigns to a variable outside it is rejected."""
    source = MAIN + (
        "  INT x:\n"
        "  INT FUNCTION f (VAL INT a)\n"
        "    VALOF\n"
        "      x := a\n"
        "      RESULT a\n"
        "  :\n"
        "  x := f (1)\n"
        ":\n"
    )
    assert cspc_cli("check", source) == (1, "", (
        "prog.csp:6:7: error: FUNCTION `f' cannot change `x', which is declared outside it\n"
        "          x := a\n"
        "          ^\n"
    ))  # fmt: skip


def test_a_slice_of_a_fixed_size_array(occam):
    """slices: [a FROM i FOR n] passes part of an array."""
    source = (
        '#INCLUDE "course.module"\n'
        "INT FUNCTION sum (VAL []INT xs)\n"
        "  INT total:\n"
        "  VALOF\n"
        "    SEQ\n"
        "      total := 0\n"
        "      SEQ i = 0 FOR SIZE xs\n"
        "        total := total + xs[i]\n"
        "    RESULT total\n"
        ":\n"
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"
        "  VAL [5]INT a IS [1, 2, 3, 4, 5]:\n"
        "  out.int (sum ([a FROM 1 FOR 3]), 0, screen!)\n"
        ":\n"
    )
    assert occam(source) == (0, "9", "")


def test_int_is_32_bits_and_overflow_is_an_error(occam):
    """int: INT is 32-bit; PLUS wraps; + past MOSTPOS INT is a run-time error."""
    source = MAIN + (
        "  INT x:\n"
        "  SEQ\n"
        "    x := MOSTPOS INT\n"
        "    out.int (x, 0, screen!)\n"
        "    out.int (x PLUS 1, 12, screen!)\n"
        '    out.string ("*n", 0, screen!)\n'
        "    x := x + 1\n"
        ":\n"
    )
    assert occam(source) == (1, "2147483647 -2147483648\n", (
        "prog.csp:9:10: run-time error: arithmetic overflow\n"
        "        x := x + 1\n"
        "             ^~~~~\n"
    ))  # fmt: skip


# =========================================================================== from-occam.md

HELLO = MAIN + '  out.string ("hello*n", 0, screen!)\n:\n'


@pytest.mark.parametrize("name", ["prog.occ", "prog.csp"])
def test_cspc_run_runs_occ_and_csp_files(cspc_cli, backend, name):
    """kroc prog.occ; ./prog: cspc run prog.occ, and the same for .csp."""
    assert cspc_cli("run", HELLO, "--backend", backend, name=name) == (0, "hello\n", "")


def test_deadlock_diagnostics_need_no_flag(occam):
    """kroc -d: with no option, a deadlock names the blocked process, its wait, channel and line."""
    source = MAIN + "  CHAN INT c:\n  c ! 1\n:\n"
    assert occam(source) == (1, "", (
        "run-time error: deadlock: no process can proceed (1 blocked)\n"
        "  prog.csp:4: 'main' waits to output on channel c\n"
    ))  # fmt: skip


@pytest.mark.parametrize("line", ['#INCLUDE "course.module"', '#USE "course.lib"'])
def test_the_bundled_course_library(occam, line):
    """#INCLUDE "course.module" and #USE "course.lib" both give cspc's own
    course library, an occam file inside the package."""
    source = (
        line
        + "\nPROC main (CHAN BYTE keyboard?, screen!, error!)\n  out.int (-42, 5, screen!)\n:\n"
    )
    assert occam(source) == (0, "  -42", "")
    library = Path(cspc.__file__).parent / "lib" / "course.module"
    assert "PROC out.int (VAL INT n, VAL INT field, CHAN BYTE out!)" in library.read_text()


NOT_FOUND = (
    'prog.csp:2:1: error: cannot find #INCLUDE file "greet.inc" (looked in ., cspc\'s library)\n'
    '    #INCLUDE "greet.inc"\n'
    "    ^~~~~~~~~~~~~~~~~~~~\n"
)


@pytest.fixture
def greet_library(tmp_path):
    """greet.inc, in a folder lib/ of its own; the program prog.csp includes it."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "greet.inc").write_text(
        'PROC greet (CHAN BYTE out!)\n  out.string ("hi*n", 0, out!)\n:\n'
    )
    return (
        '#INCLUDE "course.module"\n#INCLUDE "greet.inc"\n'
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n  greet (screen!)\n:\n"
    )


def test_minus_i_adds_an_include_folder(cspc_cli, greet_library, backend):
    """-I dir: #INCLUDE finds files there; without it they are not found."""
    assert cspc_cli("run", greet_library, "--backend", backend, "-I", "lib") == (0, "hi\n", "")
    assert cspc_cli("run", greet_library) == (1, "", NOT_FOUND)


def test_ocsearch_is_not_read(cspc_cli, greet_library):
    """OCSEARCH: cspc does not read it, as the page says; only -I adds folders."""
    assert cspc_cli("run", greet_library, env={"OCSEARCH": "lib"}) == (1, "", NOT_FOUND)


USAGE_ERRORS = {
    "parallel usage of variables": (
        "  INT x:\n  PAR\n    x := 1\n    x := 2\n",
        "prog.csp:5:5: error: variable `x' is assigned to in parallel\n"
        "        x := 1\n        ^\n"
        "prog.csp:6:5: note: assigned here, in parallel\n"
        "        x := 2\n        ^\n",
    ),
    "parallel usage of channels": (
        "  CHAN INT c:\n  INT x, y:\n  PAR\n    c ? x\n    c ? y\n",
        "prog.csp:6:5: error: parallel inputs on channel `c'\n"
        "        c ? x\n        ^\n"
        "prog.csp:7:5: note: input here, in parallel\n"
        "        c ? y\n        ^\n",
    ),
    "aliasing": (
        "  PROC swap (INT a, b)\n    a, b := b, a\n  :\n  INT x:\n  swap (x, x)\n",
        "prog.csp:7:12: error: `x' is passed twice by reference to `swap' (the actuals alias)\n"
        "      swap (x, x)\n               ^\n"
        "prog.csp:7:9: note: also passed here\n"
        "      swap (x, x)\n            ^\n",
    ),
    "VAL": (
        "  VAL INT k IS 3:\n  k := 4\n",
        "prog.csp:4:3: error: `k' is VAL and cannot be assigned to\n      k := 4\n      ^\n",
    ),
    "channel directions": (
        "  BYTE b:\n  screen ? b\n",
        "prog.csp:4:3: error: channel parameter `screen' cannot be used for input\n"
        "      screen ? b\n      ^~~~~~\n",
    ),
}


@pytest.mark.parametrize("rule", USAGE_ERRORS)
def test_the_usage_checks_of_the_occam_compiler(cspc_cli, rule):
    """The occam compiler's usage checks: each rule's violation is a compile-time error."""
    program, expected = USAGE_ERRORS[rule]
    assert cspc_cli("check", MAIN + program + ":\n") == (1, "", expected)


RUN_TIME_ERRORS = {
    "overflow": (
        "  INT x:\n  SEQ\n    x := MOSTPOS INT\n    x := x * 2\n",
        "prog.csp:6:10: run-time error: arithmetic overflow\n        x := x * 2\n             ^~~~~\n",
    ),
    "IF with no true branch": (
        "  INT x:\n  SEQ\n    x := 3\n    IF\n      x < 0\n        SKIP\n",
        "prog.csp:6:5: run-time error: IF: no condition is TRUE\n        IF\n        ^\n",
    ),
    "array index": (
        "  [3]INT a:\n  INT i:\n  SEQ\n    i := 3\n    a[i] := 0\n",
        "prog.csp:7:5: run-time error: array index out of range\n        a[i] := 0\n        ^~~~~~~~~\n",
    ),
}


@pytest.mark.parametrize("error", RUN_TIME_ERRORS)
def test_a_run_time_error_names_the_line_and_exits_1(occam, error):
    """Run-time errors: a message with the .csp file and line, exit status 1."""
    program, expected = RUN_TIME_ERRORS[error]
    assert occam(MAIN + program + ":\n") == (1, "", expected)


# --------------------------------------------------------------------------- claims in the prose


def test_an_unknown_pragma_is_ignored_with_a_warning(occam):
    """from-occam.md: pragmas cspc does not know are ignored with a warning; the program runs."""
    source = '#PRAGMA COMMENT "for KRoC"\n' + HELLO
    assert occam(source) == (0, "hello\n", (
        "prog.csp:1:1: warning: #PRAGMA COMMENT is not known to cspc; ignored\n"
        '    #PRAGMA COMMENT "for KRoC"\n'
        "    ^~~~~~~~~~~~~~~~~~~~~~~~~~\n"
    ))  # fmt: skip


def test_pragma_shared_lets_parallel_processes_use_a_variable(occam):
    """from-occam.md: #PRAGMA SHARED x, as under KRoC; the usage checks stop looking at x."""
    source = MAIN + (
        "  INT a, b:\n"
        "  #PRAGMA SHARED a\n"
        "  SEQ\n"
        "    a := 0\n"
        "    PAR\n"
        "      a := a + 1\n"
        "      b := a\n"
        "    out.int (a, 0, screen!)\n"
        '    out.string ("*n", 0, screen!)\n'
        ":\n"
    )
    assert occam(source) == (0, "1\n", "")


def test_pragma_external_is_an_error_that_says_why(occam):
    source = '#PRAGMA EXTERNAL "PROC C.f (INT x) = 0"\n' + HELLO
    status, out, err = occam(source)
    assert (status, out) == (1, "")
    assert err.splitlines()[0] == (
        "prog.csp:1:1: error: #PRAGMA EXTERNAL (a routine in native code) is not supported: cspc "
        "runs Python, so write the routine in occam, or bind it to Python with #PRAGMA PYTHON"
    )


def test_the_dining_philosophers_idiom_is_accepted_without_a_warning(cspc_cli):
    """from-occam.md: fork (right[i]?, left[(i + 1) \\ n]?) in a replicated PAR checks cleanly."""
    source = (ROOT / "examples" / "philosophers_deadlock.csp").read_text()
    assert "fork (right[i]?, left[(i + 1) \\ N]?)" in source
    assert cspc_cli("check", source) == (0, "", "")


def test_subscripts_it_cannot_prove_distinct_get_a_warning(cspc_cli):
    """from-occam.md: where cspc cannot prove two subscripts distinct it warns, and accepts."""
    source = MAIN + (
        "  [5]CHAN INT c:\n"
        "  PAR\n"
        "    PAR i = 0 FOR 5\n"
        "      c[(i * i) \\ 5] ! i\n"
        "    PAR i = 0 FOR 5\n"
        "      INT x:\n"
        "      c[i] ? x\n"
        ":\n"
    )
    assert cspc_cli("check", source) == (0, "", (
        "prog.csp:6:7: warning: cannot prove the subscripts distinct: "
        "parallel outputs on channel `c' if they are equal\n"
        "          c[(i * i) \\ 5] ! i\n"
        "          ^~~~~~~~~~~~~~\n"
    ))  # fmt: skip


# =========================================================================== every row has a test

ROWS = {
    "from-pycsp.md": {
        "`@process`": [test_calling_a_process_function_only_makes_a_process],
        "`Channel()`": [
            test_a_write_waits_for_the_reader,
            test_a_second_writer_on_a_one_to_one_channel_is_refused,
        ],
        "`Channel(buffer=n)` (PyCSP)": [
            test_n_writes_complete_with_no_reader_and_come_out_in_order,
            test_retiring_a_buffered_channel_loses_nothing_it_holds,
            test_a_writer_waiting_for_room_is_told_its_value_did_not_get_in,
            test_poisoning_or_retiring_the_readers_drops_what_a_buffered_channel_holds,
        ],
        "shared channels (any process may read or write)": [
            test_several_writers_share_a_channel,
            test_several_readers_share_a_channel,
        ],
        "`+chan` / `-chan` (PyCSP), `IN`/`OUT`": [test_ends_work_their_way_and_refuse_the_other],
        "`Parallel(p, q)` / `Par(p, q).start()`": [
            test_par_runs_processes_and_plain_functions_concurrently
        ],
        "`Sequence(p, q)` / `Seq(p, q)`": [test_seq_runs_processes_one_after_another],
        "`AltSelect(InputGuard(c), ...)` / `Alt(...).select()`": [
            test_alt_select_gives_index_and_value_and_pri_alt_prefers_the_first
        ],
        "`OutputGuard(c, msg=v)`": [test_an_output_guard_writes_its_value],
        "`TimeoutGuard(seconds=s)` / `Timeout(seconds=s)`": [
            test_timeout_guards_in_seconds_and_as_a_deadline
        ],
        "`SkipGuard()`": [test_a_skip_guard_is_always_ready],
        "`poison(c)`": [test_poison_reaches_every_user_and_spreads],
        "`retire(c)`": [
            test_a_shared_channel_retires_after_its_last_writer_and_loses_nothing,
            test_end_retire_on_a_one_to_one_channel_retires_it_at_once,
            test_retiring_the_channel_itself_retires_it_at_once,
        ],
        "`ChannelPoisonException`": [test_poison_reaches_every_user_and_spreads],
        "`ChannelRetireException`": [test_end_retire_on_a_one_to_one_channel_retires_it_at_once],
        "`shutdown()`": [test_shutdown_is_not_needed],
    },
    "from-go.md": {
        "`go f(x)`": [test_a_par_ends_only_when_all_its_branches_have],
        "`for i := 0; i < n; i++ { go worker(i) }`": [
            test_a_replicated_par_starts_one_worker_per_index
        ],
        "`make(chan int)`": [test_an_occam_channel_is_synchronous],
        "`make(chan int, 10)`": [
            test_a_buffer_process_stands_in_for_a_buffered_channel,
            test_ten_writes_complete_on_a_channel_of_capacity_ten,
        ],
        "`c <- v`, `v := <-c`": [test_send_and_receive],
        "many goroutines sending on one channel": [
            test_two_writers_on_one_channel_are_a_compile_time_error,
            test_an_alt_merges_several_channels,
        ],
        "`select { case v := <-a: ... case v := <-b: ... }`": [
            test_an_alt_merges_several_channels,
            test_pri_alt_prefers_the_first_ready_guard,
        ],
        "`select` with `default:`": [test_a_pri_alt_ending_in_true_skip_does_not_wait],
        "`case <-time.After(d):`": [test_an_after_guard_times_out],
        "`case c <- v:` (send in select)": [
            test_an_output_guard_is_a_syntax_error_in_occam,
            test_an_output_guard_writes_its_value,
        ],
        "a nil channel in a `select` (to disable a case)": [
            test_a_false_precondition_disables_a_ready_guard
        ],
        "`close(c)` and `for v := range c`": [
            test_an_end_marker_of_a_variant_protocol_ends_the_stream,
            test_retiring_a_buffered_channel_loses_nothing_it_holds,
            test_poison_ends_a_readers_loop_after_the_last_value,
        ],
        "`fatal error: all goroutines are asleep - deadlock!`": [
            test_a_deadlock_lists_every_blocked_process
        ],
        "the race detector, at run time": [test_a_race_is_a_compile_time_error],
        "`struct`": [test_a_record_type],
        "functions": [
            test_a_proc_changes_its_reference_parameters,
            test_a_function_cannot_have_side_effects,
        ],
        "slices": [test_a_slice_of_a_fixed_size_array],
        "`int` (64-bit)": [test_int_is_32_bits_and_overflow_is_an_error],
    },
    "from-occam.md": {
        "`kroc prog.occ` then `./prog`": [test_cspc_run_runs_occ_and_csp_files],
        "`kroc -d` for deadlock diagnostics": [test_deadlock_diagnostics_need_no_flag],
        '`#INCLUDE "course.module"`, `#USE "course.lib"`': [test_the_bundled_course_library],
        "`-I dir` / `OCSEARCH`": [test_minus_i_adds_an_include_folder, test_ocsearch_is_not_read],
        "the occam compiler's usage checks": [test_the_usage_checks_of_the_occam_compiler],
        "run-time errors (STOP the program, or halt)": [
            test_a_run_time_error_names_the_line_and_exits_1
        ],
    },
}


def table_rows(page: Path) -> list[str]:
    """The left-hand cells of the page's tables, header and separator rows left out."""
    cells = [
        line.split("|")[1].strip() for line in page.read_text().splitlines() if line.startswith("|")
    ]
    headers = {cell for cell, nxt in zip(cells, cells[1:]) if re.fullmatch(r"-+", nxt)}
    return [cell for cell in cells if cell not in headers and not re.fullmatch(r"-+", cell)]


@pytest.mark.parametrize("page", sorted(ROWS))
def test_every_row_of_the_pages_has_a_test(page):
    rows = table_rows(DOCS / page)
    assert len(rows) == len(set(rows)), "two rows with the same left-hand cell"
    assert set(rows) == set(ROWS[page])
