"""occam's top-level channels: ``keyboard``, ``screen`` and ``error`` as bytes.

Part of the occam ABI: import these names from :mod:`cspc.runtime.occam`,
which re-exports them (this module is where they are written).

``run_main(proc)`` runs ``proc(keyboard, screen, error)`` the way KRoC runs a
top-level PROC:

* ``keyboard`` is a real :class:`Channel` (so it works in ALTs) fed, one byte
  per communication, by a daemon process that reads stdin through the
  backend's ``external_call``: on greenlets a helper thread does the read, so
  a process waiting for the keyboard never freezes the others.  A pending read
  keeps the run alive only while some process waits on the keyboard: a program
  that deadlocks without reading the keyboard is reported at once, even with
  stdin still open (a terminal).  At end of file the feeder stops: a process
  that then reads the keyboard is blocked for good, and the deadlock report
  says the keyboard is at end of file (KRoC would hang forever instead).
* ``screen`` and ``error`` are :class:`ScreenWriter` ends: ``write(byte)``
  appends to a buffer (no process, no context switch) that is written to the
  stream when the program writes FLUSH (byte 255, not printed), when the
  program reads the keyboard or every process is waiting for the outside
  world, when the buffer grows large, and when the run ends -- also when it
  ends in deadlock or an error, before the error is reported.
* When stdin is a terminal (and the run is in the foreground), the terminal
  is in cbreak mode with echo off for the run, as under KRoC: the program
  gets each key as it is pressed and echoes what it wants (the course
  library's line editor echoes and handles backspace itself).  Ctrl-C still
  interrupts.  The terminal's settings come back however the run ends --
  normally, in an error or deadlock, on Ctrl-C, and on SIGTERM, SIGHUP or
  SIGQUIT (then the signal does what it would have done); Ctrl-Z restores
  them while the program is stopped.  A pipe or a file is read as it is.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import select
import signal
import sys
import threading

from . import _core
from . import channels as _channels
from .channels import Channel
from .errors import BlockedProcess, CSPError
from .process import branch_name, spawn_daemon
from .forking import run_forking
from .scheduler import run

FLUSH = 255
_FLUSH_AT = 1 << 16


class ScreenWriter:
    """A buffered byte-writing end bound to a stream (``screen!``/``error!``)."""

    # _wclaim: the CLAIM of occam-pi's `SHARED CHAN BYTE screen!' (see _shared.claim_of)
    __slots__ = ("name", "_buf", "_stream", "_decoder", "_flushing", "_wclaim")

    def __init__(self, stream, name="screen"):
        self.name = name
        self._wclaim = None
        self._buf = bytearray()
        self._flushing = threading.Lock()
        self._stream, self._decoder = _binary_target(stream)

    def write(self, value) -> None:
        if _channels._observer is not None:  # a tracer: the outside world reads at once
            _channels._communicated(self, value, _core.active.primitives()["_current"](), None)
        if value.__class__ is int:
            if value == FLUSH:
                self.flush()
                return
            self._buf.append(value)
        elif isinstance(value, (bytes, bytearray)):
            self._buf += value
        elif isinstance(value, str):
            self._buf += value.encode()
        else:
            raise CSPError(f"{self.name}: expected a BYTE (an int 0..255), got {value!r}")
        if len(self._buf) >= _FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        if not self._buf:
            return
        # On threads another process may append while we flush: take exactly
        # the bytes there now (appends land after them), one flusher at a time.
        with self._flushing:
            n = len(self._buf)
            data = bytes(self._buf[:n])
            del self._buf[:n]
            if self._decoder is not None:
                self._stream.write(self._decoder.decode(data))
            else:
                self._stream.write(data)
            self._stream.flush()

    def writer(self):
        return self

    def poison(self) -> None:
        pass

    def __repr__(self):
        return f"<ScreenWriter {self.name}>"


def _binary_target(stream):
    """(stream, decoder): a binary stream, or a text stream with a UTF-8 decoder."""
    if isinstance(stream, io.TextIOBase) or (not _accepts_bytes(stream) and hasattr(stream, "encoding")):
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            stream.flush()
            return buffer, None
        return stream, codecs.getincrementaldecoder("utf-8")(errors="replace")
    return stream, None


def _accepts_bytes(stream) -> bool:
    return isinstance(stream, (io.RawIOBase, io.BufferedIOBase))


class KeyboardChannel(Channel):
    """The ``keyboard`` channel: reading it first flushes the screen."""

    __slots__ = ()
    flush_first = None  # set per instance through the class made by run_main

    def read(self):
        screens = _screens_to_flush
        for s in screens:
            s.flush()
        return Channel.read(self)


_screens_to_flush: list = []


def _reader_for(stream):
    """A function reading the next chunk of bytes (b"" at end of file)."""
    if isinstance(stream, io.TextIOBase) and getattr(stream, "buffer", None) is None:
        return lambda: stream.read(4096).encode()
    stream = getattr(stream, "buffer", stream)
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is not None and not isinstance(stream, io.BytesIO):
        return _FdReader(fd)  # returns what is there: interactive
    read1 = getattr(stream, "read1", None) or stream.read
    return lambda: read1(4096)


class _FdReader:
    """Reads the chunks of bytes waiting on file descriptor ``fd``, for one run.

    A read may still be pending when the run ends (the program finished while
    a process waited for a key).  :meth:`close` makes it return ``b""``
    without taking anything, so the keys typed next go to whoever reads the
    terminal after the run -- the next run in this Python process, or the
    shell -- and never to a leftover thread of this one.  Where ``poll`` is
    missing (Windows) a pending read can only be left to finish."""

    def __init__(self, fd):
        self.fd = fd
        self.closed = False
        self.pending = 0
        self.lock = threading.Lock()
        self.wake = os.pipe() if hasattr(select, "poll") else None

    def __call__(self) -> bytes:
        with self.lock:
            if self.closed:
                return b""
            self.pending += 1
        try:
            if self.wake is not None:
                poller = select.poll()
                poller.register(self.fd, select.POLLIN)
                poller.register(self.wake[0], select.POLLIN)
                poller.poll()  # until input (or its end, or an error) or close()
            with self.lock:
                if self.closed:
                    return b""
            return os.read(self.fd, 4096)
        finally:
            with self.lock:
                self.pending -= 1
                if self.closed and self.pending == 0:
                    self._close_wake()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            if self.pending == 0:
                self._close_wake()
            elif self.wake is not None:
                os.write(self.wake[1], b"!")  # the pending read closes the pipe

    def _close_wake(self) -> None:
        if self.wake is not None:
            for end in self.wake:
                os.close(end)
            self.wake = None


class _EndOfFile:
    """What the keyboard feeder waits on once stdin is exhausted."""

    __slots__ = ("keyboard",)

    def __init__(self, keyboard):
        self.keyboard = keyboard

    def _cancel(self, proc):
        pass

    def _kill(self, proc, exc):
        proc.exc = exc
        _core.active.wake(proc)

    def _describe(self, proc):
        if not self.keyboard._reader_waiting():
            return None  # nobody reads the keyboard: the end of stdin is beside the point
        return BlockedProcess(proc.name, "keyboard", "keyboard")


def _feed_keyboard(keyboard, read_chunk, screens):
    backend = _core.active

    def feed():
        while True:
            for s in screens:
                s.flush()
            try:
                data = backend.external_call(read_chunk, "stdin", wanted=keyboard._reader_waiting)
            except (OSError, ValueError):  # unreadable stdin: as good as at end of file
                data = b""
            if not data:
                break
            for byte in data:
                keyboard.write(byte)
        cur = backend.primitives()["_current"]()
        backend.primitives()["_block"](cur, _EndOfFile(keyboard))

    def feeder():
        try:
            feed()
        except KeyboardInterrupt:
            # On greenlets Ctrl-C lands in whichever process is running, which
            # may be this daemon: nobody joins it, so hand the interrupt to the
            # scheduler's loop, out of which it ends the run.
            hub = getattr(backend, "hub", None)
            if hub is None:
                raise
            hub.throw(KeyboardInterrupt)

    return feeder


# --------------------------------------------------------------------------- the terminal

try:
    import termios
except ImportError:  # not a POSIX system: no terminal modes to set
    termios = None

# Signals whose default action ends the program: the terminal is restored first.
_ENDING_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, name)
)


def _terminal_fd(stream):
    """The file descriptor of ``stream`` if it is a terminal, else None."""
    if termios is None:
        return None
    try:
        fd = getattr(stream, "buffer", stream).fileno()
    except (AttributeError, OSError, ValueError):
        return None
    try:
        return fd if os.isatty(fd) else None
    except OSError:
        return None


def _foreground(fd) -> bool:
    """Whether this process may set the modes of terminal ``fd`` without being
    stopped for it (SIGTTOU): it is in the foreground, or ``fd`` is not its
    controlling terminal."""
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return True


class _KeysMode:
    """The terminal ``fd`` in cbreak mode without echo (``tty.setcbreak``'s mode,
    with ECHO off and ISIG kept), and the way back to its own settings."""

    def __init__(self, fd):
        self.fd = fd
        self.saved = termios.tcgetattr(fd)
        keys = termios.tcgetattr(fd)
        keys[3] &= ~(termios.ICANON | termios.ECHO)  # lflag: no line editing, no echo
        keys[3] |= termios.ISIG  # Ctrl-C, Ctrl-\ and Ctrl-Z still send signals
        keys[6][termios.VMIN] = 1  # a read returns as soon as one key is there
        keys[6][termios.VTIME] = 0
        self.keys = keys
        self.on = False

    def enter(self) -> None:
        if not self.on and _foreground(self.fd):
            termios.tcsetattr(self.fd, termios.TCSANOW, self.keys)
            self.on = True

    def leave(self) -> None:
        if not self.on:
            return
        self.on = False
        try:
            # From the background (after Ctrl-Z and `bg`) this would stop the
            # program with SIGTTOU: ignore that while restoring, as shells do.
            old = _set_handler(signal.SIGTTOU, signal.SIG_IGN) if hasattr(signal, "SIGTTOU") else None
            try:
                termios.tcsetattr(self.fd, termios.TCSANOW, self.saved)
            finally:
                if old is not None:
                    _set_handler(signal.SIGTTOU, old)
        except (OSError, termios.error):  # the terminal has gone (hung up)
            pass


def _set_handler(signum, handler):
    """signal.signal, or None where it cannot be used (not the main thread)."""
    try:
        return signal.signal(signum, handler)
    except (ValueError, OSError):
        return None


@contextlib.contextmanager
def keys_mode(stdin):
    """For the ``with`` body: terminal ``stdin`` delivers each key as it is
    pressed, without echo; nothing changes if ``stdin`` is not a terminal."""
    fd = _terminal_fd(stdin)
    if fd is None:
        yield False
        return
    try:
        mode = _KeysMode(fd)
    except (OSError, termios.error):
        yield False
        return
    installed = {}

    def ending(signum, frame):
        mode.leave()
        for s, h in installed.items():
            _set_handler(s, h)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)  # what the signal would have done

    def stop(signum, frame):  # Ctrl-Z: the shell gets its terminal back
        mode.leave()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)  # stopped here until continued
        _set_handler(signum, stop)
        mode.enter()

    def resumed(signum, frame):  # `fg` after the program stopped in the background
        mode.enter()

    handlers = {s: ending for s in _ENDING_SIGNALS}
    if hasattr(signal, "SIGTSTP"):
        handlers[signal.SIGTSTP] = stop
        handlers[signal.SIGCONT] = resumed
    for signum, handler in handlers.items():
        # Only where nobody else handles the signal, and only from the main thread.
        if signal.getsignal(signum) is signal.SIG_DFL:
            old = _set_handler(signum, handler)
            if old is not None:
                installed[signum] = old
    try:
        mode.enter()
        yield mode.on
    finally:
        mode.leave()
        for signum, old in installed.items():
            _set_handler(signum, old)


def run_main(
    proc, backend=None, stdin=None, stdout=None, stderr=None, *, observer=None, policy=None
) -> int:
    """Run an occam top-level PROC ``proc(keyboard, screen, error)`` with stdin,
    stdout and stderr (or the given streams) as bytes; return 0 on success.
    Deadlock, ProcessError and the program's own errors propagate after the
    output written so far has been flushed.  ``observer`` and ``policy`` are
    the run's hooks, as for :func:`run`.  Under ``mpiexec`` with more than one
    rank, the run is one rank's share of the job (:mod:`cspc.runtime.distributed`)."""
    from cspc.runtime import distributed

    if distributed.takes_over():
        from cspc.runtime.distributed.toplevel import run_main as run_rank

        return run_rank(proc, backend, stdin, stdout, stderr, observer=observer, policy=policy)
    stdin = sys.stdin if stdin is None else stdin
    screen = ScreenWriter(sys.stdout if stdout is None else stdout, "screen")
    error = ScreenWriter(sys.stderr if stderr is None else stderr, "error")
    keyboard = KeyboardChannel("keyboard")
    screens = (screen, error)
    read_chunk = _reader_for(stdin)

    def main():
        spawn_daemon(_feed_keyboard(keyboard, read_chunk, screens), "keyboard")
        # The program's own FORKING: a FORK outside any FORKING block joins it.
        run_forking(lambda: proc(keyboard, screen, error))

    _screens_to_flush[:] = screens
    idle = lambda: [s.flush() for s in screens]  # noqa: E731
    with keys_mode(stdin):
        try:
            run(
                main,
                backend=backend,
                observer=observer,
                policy=policy,
                name=branch_name(proc, 0),
                idle_hook=idle,
            )
        finally:
            close = getattr(read_chunk, "close", None)
            if close is not None:
                close()  # a read still pending takes no more input
            _screens_to_flush.clear()
            screen.flush()
            error.flush()
    return 0
