"""In a terminal the keyboard behaves as under KRoC: the program gets each key
as it is pressed and is the only one to echo it; the terminal's settings come
back however the run ends.  A pipe or a file is read as before.

The programs run on a real pseudo-terminal (its slave end is their controlling
terminal, stdin, stdout and stderr), as ``cspc run`` and as a compiled module
run with ``python prog.py``, on both backends."""

from __future__ import annotations

import io
import os
import select
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

termios = pytest.importorskip("termios")
fcntl = pytest.importorskip("fcntl")
if not hasattr(os, "openpty"):
    pytest.skip("no pseudo-terminals here", allow_module_level=True)

from cspc.runtime import io as rt_io  # noqa: E402
from cspc.runtime.occam import run_main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ECHO = ROOT / "examples" / "echo.csp"
BANNER = b"Type something; a full stop ends it.\r\n"
WAIT = 60.0  # seconds: generous, for a loaded machine; reads stop as soon as the bytes are there
LFLAG, CC = 3, 6


def raw_flags(attrs) -> tuple[bool, bool, bool]:
    """(ICANON, ECHO, ISIG) of terminal attributes."""
    lflag = attrs[LFLAG]
    return bool(lflag & termios.ICANON), bool(lflag & termios.ECHO), bool(lflag & termios.ISIG)


class Terminal:
    """A program running on a fresh pseudo-terminal, and the keyboard at its other end."""

    def __init__(self, argv: list[str], cwd: Path, env: dict):
        self.master, self.slave = os.openpty()
        attrs = termios.tcgetattr(self.slave)
        attrs[LFLAG] |= termios.ICANON | termios.ECHO | termios.ISIG  # a shell's usual mode
        termios.tcsetattr(self.slave, termios.TCSANOW, attrs)
        self.before = termios.tcgetattr(self.slave)
        self.seen = b""

        def child_setup():  # in the new session: the pty becomes the controlling terminal
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # even if the tests run with it ignored

        self.proc = subprocess.Popen(
            argv,
            stdin=self.slave,
            stdout=self.slave,
            stderr=self.slave,
            cwd=cwd,
            env=env,
            start_new_session=True,
            preexec_fn=child_setup,
        )

    def attrs(self):
        return termios.tcgetattr(self.slave)

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def read_until(self, expected: bytes) -> bytes:
        """What the program writes from now until ``expected`` has arrived (inclusive)."""
        deadline = time.monotonic() + WAIT
        while expected not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"waited {WAIT}s for {expected!r}; got {self.seen!r}")
            ready, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b""
                self.seen += chunk
        at = self.seen.index(expected) + len(expected)
        got, self.seen = self.seen[:at], self.seen[at:]
        return got

    def drain(self) -> bytes:
        """Whatever else is there to read right now."""
        while select.select([self.master], [], [], 0.05)[0]:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.seen += chunk
        got, self.seen = self.seen, b""
        return got

    def wait(self) -> int:
        return self.proc.wait(timeout=WAIT)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT)
        os.close(self.master)
        os.close(self.slave)


def environment(tmp_path: Path, backend: str) -> dict:
    env = dict(os.environ, NO_COLOR="1", CSPC_CACHE_DIR=str(tmp_path / "cache"))
    env["CSPC_BACKEND"] = backend  # both runners take it from here
    return env


@pytest.fixture(params=["cspc run", "python prog.py"])
def runner(request):
    return request.param


def command(runner: str, source: Path, tmp_path: Path) -> list[str]:
    """How ``runner`` runs the occam program ``source``."""
    if runner == "cspc run":
        return [sys.executable, "-m", "cspc", "run", str(source)]
    module = tmp_path / (source.stem + ".py")
    if not module.exists():
        subprocess.run(
            [sys.executable, "-m", "cspc", "compile", str(source), "-o", str(module)],
            check=True,
            capture_output=True,
            timeout=WAIT,
        )
    return [sys.executable, str(module)]


@pytest.fixture
def terminal(tmp_path, backend, runner):
    started = []

    def start(source: Path = ECHO) -> Terminal:
        t = Terminal(command(runner, source, tmp_path), ROOT, environment(tmp_path, backend))
        started.append(t)
        return t

    yield start
    for t in started:
        t.close()


# --------------------------------------------------------------------------- keys as pressed


def test_each_key_reaches_the_program_as_pressed_and_is_echoed_once(terminal):
    t = terminal()
    assert t.read_until(BANNER) == BANNER
    assert raw_flags(t.attrs()) == (False, False, True)  # cbreak, no echo, Ctrl-C still works
    assert t.attrs()[CC][termios.VMIN] == 1
    t.type(b"a")  # no Enter
    assert t.read_until(b"A") == b"A"  # the program's echo, and no terminal echo of "a"
    t.type(b"b")
    assert t.read_until(b"B") == b"B"
    t.type(b".")
    assert t.read_until(b"Bye.\r\n") == b"\r\nBye.\r\n"
    assert t.wait() == 0
    assert t.drain() == b""
    assert t.attrs() == t.before


def test_the_course_line_editor_handles_backspace_itself(terminal, tmp_path):
    source = tmp_path / "line.csp"
    source.write_text(
        '#INCLUDE "course.module"\n'
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"
        "  [20]BYTE s:\n"
        "  INT n:\n"
        "  SEQ\n"
        '    out.string ("> ", 0, screen!)\n'
        "    in.string (s, n, 20, keyboard?, screen!)\n"
        '    out.string ("*n[", 0, screen!)\n'
        "    out.string ([s FROM 0 FOR n], 0, screen!)\n"
        '    out.string ("]*n", 0, screen!)\n'
        ":\n"
    )
    t = terminal(source)
    t.read_until(b"> ")
    t.type(b"ax")
    assert t.read_until(b"x") == b"ax"  # echoed once each, by in.string
    t.type(b"\x7f")  # the backspace key (DEL): rubbed out by the library
    assert t.read_until(b"\b \b") == b"\b \b"
    t.type(b"b\r")
    assert t.read_until(b"]\r\n") == b"b\r\n[ab]\r\n"
    assert t.wait() == 0
    assert t.attrs() == t.before


# --------------------------------------------------------------------------- every way out


def test_ctrl_c_interrupts_and_gives_the_terminal_back(terminal):
    t = terminal()
    t.read_until(BANNER)
    t.type(b"\x03")  # Ctrl-C: SIGINT from the terminal
    assert t.read_until(b"cspc: interrupted\r\n") == b"cspc: interrupted\r\n"  # no ^C echoed
    assert t.wait() == 130
    assert t.attrs() == t.before


def test_a_run_time_error_gives_the_terminal_back(terminal, tmp_path):
    source = tmp_path / "fail.csp"
    source.write_text(
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"
        "  BYTE ch:\n"
        "  SEQ\n"
        "    screen ! '?'\n"
        "    keyboard ? ch\n"
        "    ch := ch + 200\n"
        ":\n"
    )
    t = terminal(source)
    t.read_until(b"?")
    assert raw_flags(t.attrs()) == (False, False, True)
    t.type(b"z")  # 122 + 200 overflows a BYTE
    assert b"run-time error: arithmetic overflow" in t.read_until(b"^")
    assert t.wait() == 1
    assert t.attrs() == t.before


def test_a_deadlock_gives_the_terminal_back(terminal, tmp_path):
    source = tmp_path / "stuck.csp"
    source.write_text(
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"
        "  CHAN INT c:\n"
        "  INT x:\n"
        "  BYTE ch:\n"
        "  SEQ\n"
        "    screen ! '?'\n"
        "    keyboard ? ch\n"
        "    c ? x\n"
        ":\n"
    )
    t = terminal(source)
    t.read_until(b"?")
    t.type(b"k")
    assert b"deadlock" in t.read_until(b"deadlock")
    assert t.wait() == 1
    assert t.attrs() == t.before


def test_sigterm_gives_the_terminal_back_and_still_terminates(terminal):
    t = terminal()
    t.read_until(BANNER)
    t.proc.send_signal(signal.SIGTERM)
    assert t.wait() == -signal.SIGTERM
    assert t.attrs() == t.before


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash for job control")
def test_ctrl_z_stops_the_program_and_fg_brings_back_keys_as_pressed(tmp_path, backend, runner):
    # Under a real job-control shell: Ctrl-Z stops the program (it gives the
    # terminal back first), `fg' continues it, and it gets keys as pressed again.
    env = environment(tmp_path, backend)
    env.update(PS1="shell$ ", HISTFILE=os.devnull, TERM="dumb")
    line = " ".join(shlex.quote(arg) for arg in command(runner, ECHO, tmp_path))
    t = Terminal(["bash", "--norc", "--noprofile", "-i"], ROOT, env)
    try:
        t.read_until(b"shell$ ")
        t.type(line.encode() + b"\r")
        t.read_until(BANNER)
        t.type(b"a")
        assert t.read_until(b"A") == b"A"
        t.type(b"\x1a")  # Ctrl-Z
        assert b"Stopped" in t.read_until(b"shell$ ")
        t.type(b"fg\r")
        t.read_until(b"fg\r\n")
        t.read_until(line.encode() + b"\r\n")  # bash names the job it continues
        deadline = time.monotonic() + WAIT  # until the continued program has set its mode again
        while raw_flags(t.attrs()) != (False, False, True) and time.monotonic() < deadline:
            time.sleep(0.01)
        t.type(b"b")  # no Enter: keys mode is back
        assert t.read_until(b"B") == b"B"
        t.type(b".")
        t.read_until(b"Bye.\r\n")
        t.type(b"echo status=$?\r")
        assert t.read_until(b"status=0\r\n").endswith(b"status=0\r\n")
        t.type(b"exit\r")
        t.wait()
    finally:
        t.close()


# --------------------------------------------------------------------------- not a terminal


def test_a_pipe_is_read_as_before(tmp_path, backend, runner):
    result = subprocess.run(
        command(runner, ECHO, tmp_path),
        input=b"hello, world.",
        capture_output=True,
        cwd=ROOT,
        env=environment(tmp_path, backend),
        timeout=WAIT,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == b"Type something; a full stop ends it.\nHELLO, WORLD\nBye.\n"


def test_a_file_is_read_as_before(tmp_path, backend, runner):
    keys = tmp_path / "keys.txt"
    keys.write_bytes(b"ab\x7fc.")
    with open(keys, "rb") as stdin:
        result = subprocess.run(
            command(runner, ECHO, tmp_path),
            stdin=stdin,
            capture_output=True,
            cwd=ROOT,
            env=environment(tmp_path, backend),
            timeout=WAIT,
        )
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == b"Type something; a full stop ends it.\nAB\x7fC\nBye.\n"


def program_reading(n: int):
    def proc(keyboard, screen, error):
        for _ in range(n):
            screen.write(keyboard.read())

    return proc


def test_run_main_leaves_termios_alone_without_a_terminal(tmp_path, backend, monkeypatch):
    def refuse(*args):
        raise AssertionError("the terminal modes were touched")

    monkeypatch.setattr(termios, "tcsetattr", refuse)
    keys = tmp_path / "keys"
    keys.write_bytes(b"xy")
    out = io.BytesIO()
    with open(keys, "rb") as stdin:
        run_main(program_reading(2), backend=backend, stdin=stdin, stdout=out, stderr=io.BytesIO())
    run_main(program_reading(1), backend=backend, stdin=io.BytesIO(b"z"), stdout=out, stderr=io.BytesIO())
    assert out.getvalue() == b"xyz"


# --------------------------------------------------------------------------- keys_mode itself


@pytest.fixture
def pty_pair():
    master, slave = os.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[LFLAG] |= termios.ICANON | termios.ECHO | termios.ISIG
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    stream = open(slave, "rb", buffering=0, closefd=False)
    yield master, slave, stream
    stream.close()
    os.close(master)
    os.close(slave)


def test_keys_mode_sets_cbreak_without_echo_and_restores_after_an_error(pty_pair):
    _, slave, stream = pty_pair
    before = termios.tcgetattr(slave)
    with pytest.raises(RuntimeError):
        with rt_io.keys_mode(stream) as on:
            assert on is True
            assert raw_flags(termios.tcgetattr(slave)) == (False, False, True)
            raise RuntimeError
    assert termios.tcgetattr(slave) == before


def test_keys_mode_leaves_a_background_terminal_alone(pty_pair, monkeypatch):
    _, slave, stream = pty_pair
    before = termios.tcgetattr(slave)
    monkeypatch.setattr(rt_io.os, "tcgetpgrp", lambda fd: os.getpgrp() + 1)
    with rt_io.keys_mode(stream) as on:
        assert on is False
        assert termios.tcgetattr(slave) == before
    assert termios.tcgetattr(slave) == before


def test_run_main_on_a_terminal_gets_keys_as_typed(pty_pair, backend):
    master, slave, stream = pty_pair
    before = termios.tcgetattr(slave)

    def type_once_in_keys_mode():  # a key, no Enter, once the run has set the mode
        deadline = time.monotonic() + WAIT
        while raw_flags(termios.tcgetattr(slave))[0] and time.monotonic() < deadline:
            time.sleep(0.01)
        os.write(master, b"k")

    typist = threading.Thread(target=type_once_in_keys_mode, daemon=True)
    typist.start()
    out = io.BytesIO()
    run_main(program_reading(1), backend=backend, stdin=stream, stdout=out, stderr=io.BytesIO())
    typist.join(WAIT)
    assert out.getvalue() == b"k"
    assert termios.tcgetattr(slave) == before


def read_within(fd: int, seconds: float) -> bytes:
    ready, _, _ = select.select([fd], [], [], seconds)
    return os.read(fd, 4096) if ready else b""


def test_after_a_run_the_next_keys_go_to_whoever_reads_the_terminal(pty_pair, backend):
    # The program ends while the keyboard feeder is still waiting for a key: that
    # wait must not take the key typed after the run (the next run's, or the shell's).
    master, slave, stream = pty_pair
    os.write(master, b"k")
    out = io.BytesIO()
    run_main(program_reading(1), backend=backend, stdin=stream, stdout=out, stderr=io.BytesIO())
    assert out.getvalue() == b"k"
    time.sleep(0.2)  # time for a leftover read to start, if there were one
    os.write(master, b"next\n")
    assert read_within(slave, WAIT) == b"next\n"


def test_after_a_run_the_rest_of_a_pipe_is_left_unread(backend):
    r, w = os.pipe()
    try:
        os.write(w, b"k")
        out = io.BytesIO()
        with open(r, "rb", buffering=0, closefd=False) as stdin:
            run_main(program_reading(1), backend=backend, stdin=stdin, stdout=out, stderr=io.BytesIO())
        assert out.getvalue() == b"k"
        time.sleep(0.2)
        os.write(w, b"rest")
        assert read_within(r, WAIT) == b"rest"
    finally:
        os.close(r)
        os.close(w)
