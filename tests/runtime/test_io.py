"""run_main: keyboard from stdin, screen/error to stdout/stderr as bytes."""

import io
import os
import threading
import time

import pytest

from cspc.runtime import Channel, Deadlock, OccamError, Timer
from cspc.runtime.occam import FLUSH, par, run_main


class Recorder(io.RawIOBase):
    """A binary stream that remembers each write separately."""

    def __init__(self):
        self.chunks = []

    def writable(self):
        return True

    def write(self, data):
        self.chunks.append(bytes(data))
        return len(data)

    @property
    def data(self):
        return b"".join(self.chunks)


def write_text(screen, text):
    for byte in text.encode():
        screen.write(byte)


def test_echo_from_stdin(backend):
    def echo(keyboard, screen, error):
        while True:
            ch = keyboard.read()
            if ch == ord("\n"):
                break
            screen.write(ch)
        write_text(screen, "!\n")

    out = Recorder()
    assert run_main(echo, backend=backend, stdin=io.BytesIO(b"hello\nignored"), stdout=out) == 0
    assert out.data == b"hello!\n"


def test_screen_is_buffered_until_flush_and_flush_byte_is_not_printed(backend):
    out = Recorder()
    seen_during_run = []

    def prog(keyboard, screen, error):
        write_text(screen, "ab")
        seen_during_run.append(out.data)
        screen.write(FLUSH)
        seen_during_run.append(out.data)
        write_text(screen, "cd")

    run_main(prog, backend=backend, stdin=io.BytesIO(b""), stdout=out)
    assert seen_during_run == [b"", b"ab"]
    assert out.data == b"abcd"  # the rest at exit


def test_error_channel_goes_to_stderr(backend):
    out, err = Recorder(), Recorder()

    def prog(keyboard, screen, error):
        write_text(screen, "out")
        write_text(error, "err")

    run_main(prog, backend=backend, stdin=io.BytesIO(b""), stdout=out, stderr=err)
    assert (out.data, err.data) == (b"out", b"err")


def test_text_streams_are_accepted(backend):
    out = io.StringIO()

    def prog(keyboard, screen, error):
        write_text(screen, "héllo")

    run_main(prog, backend=backend, stdin=io.StringIO("x"), stdout=out)
    assert out.getvalue() == "héllo"


def test_reading_the_keyboard_flushes_the_screen(backend):
    out = Recorder()
    seen = []

    def prog(keyboard, screen, error):
        write_text(screen, "prompt> ")
        keyboard.read()
        seen.append(out.data)

    run_main(prog, backend=backend, stdin=io.BytesIO(b"y"), stdout=out)
    assert seen == [b"prompt> "]


def test_output_is_flushed_before_a_deadlock_is_reported(backend):
    out = Recorder()

    def prog(keyboard, screen, error):
        write_text(screen, "partial")
        Channel("stuck").read()

    with pytest.raises(Deadlock):
        run_main(prog, backend=backend, stdin=io.BytesIO(b""), stdout=out)
    assert out.data == b"partial"


def test_output_is_flushed_before_an_error_propagates(backend):
    out = Recorder()

    def prog(keyboard, screen, error):
        write_text(screen, "so far")
        raise OccamError("array subscript out of range")

    with pytest.raises(OccamError):
        run_main(prog, backend=backend, stdin=io.BytesIO(b""), stdout=out)
    assert out.data == b"so far"


def test_reading_past_end_of_file_is_reported_as_deadlock(backend):
    def prog(keyboard, screen, error):
        keyboard.read()
        keyboard.read()

    with pytest.raises(Deadlock) as info:
        run_main(prog, backend=backend, stdin=io.BytesIO(b"x"), stdout=Recorder())
    got = {r.process: (r.waiting_for, r.channel) for r in info.value.blocked}
    assert got == {"prog": ("input", "keyboard"), "keyboard": ("keyboard", "keyboard")}
    assert "stdin, which is at end of file" in str(info.value)


def test_deadlock_is_reported_while_stdin_stays_open(backend):
    # A terminal's stdin never reaches end of file: the keyboard feeder's pending
    # read must not hide a deadlock among processes that never read the keyboard.
    read_fd, write_fd = os.pipe()
    stdin = os.fdopen(read_fd, "rb", buffering=0)

    def prog(keyboard, screen, error):
        c, d = Channel("c"), Channel("d")
        par(lambda: c.write(1), d.read, names=["writer", "reader"])

    try:
        with pytest.raises(Deadlock) as info:
            run_main(prog, backend=backend, stdin=stdin, stdout=Recorder())
    finally:
        os.close(write_fd)
        stdin.close()
    got = {r.process: (r.waiting_for, r.channel) for r in info.value.blocked}
    assert got == {"writer": ("output", "c"), "reader": ("input", "d")}
    assert "keyboard" not in str(info.value)


def test_end_of_stdin_is_not_reported_when_nobody_reads_the_keyboard(backend):
    def prog(keyboard, screen, error):
        Channel("stuck").read()

    with pytest.raises(Deadlock) as info:
        run_main(prog, backend=backend, stdin=io.BytesIO(b""), stdout=Recorder())
    assert [r.process for r in info.value.blocked] == ["prog"]
    assert "end of file" not in str(info.value)


def test_waiting_for_the_keyboard_does_not_freeze_the_others(backend):
    read_fd, write_fd = os.pipe()
    stdin = os.fdopen(read_fd, "rb", buffering=0)
    log = []
    ticked = threading.Event()

    def typist():
        ticked.wait(30)  # type only once the ticker has run its course
        time.sleep(0.05)
        os.write(write_fd, b"k")
        os.close(write_fd)

    def prog(keyboard, screen, error):
        def reader():
            log.append(("key", keyboard.read()))

        def ticker():
            for i in range(5):
                Timer().sleep(10_000)
                log.append(("tick", i))
            ticked.set()

        par(reader, ticker)

    t = threading.Thread(target=typist)
    t.start()
    try:
        run_main(prog, backend=backend, stdin=stdin, stdout=Recorder())
    finally:
        t.join()
        stdin.close()
    assert log == [("tick", i) for i in range(5)] + [("key", ord("k"))]
