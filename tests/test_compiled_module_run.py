"""A compiled module run with ``python prog.py`` behaves like ``cspc run``:
the same run-time error messages (column and caret included), the same
``cspc: interrupted`` and status 130 on SIGINT, and an unknown backend is a
usage error (status 2, one line) for both."""

from __future__ import annotations

import io
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_run_errors import CASES, program

from cspc.runtime.occam import run_program

WAIT = 60.0
ROOT = Path(__file__).resolve().parent.parent
UNKNOWN = b"cspc: unknown backend 'bogus' in CSPC_BACKEND: choose one of greenlet, threads\n"


def env(tmp_path: Path, **extra) -> dict:
    environment = dict(os.environ, NO_COLOR="1", CSPC_CACHE_DIR=str(tmp_path / "cache"))
    environment.pop("CSPC_BACKEND", None)
    environment.update(extra)
    return environment


def compile_module(tmp_path: Path, source: str) -> None:
    (tmp_path / "prog.csp").write_text(source)
    subprocess.run(
        [sys.executable, "-m", "cspc", "compile", "prog.csp", "-o", "prog.py"],
        cwd=tmp_path, env=env(tmp_path), check=True, capture_output=True, timeout=WAIT,
    )  # fmt: skip


def both(tmp_path: Path, backend: str):
    """(cspc run prog.csp, python prog.py), each as a finished process."""
    runs = []
    for argv in ([sys.executable, "-m", "cspc", "run", "prog.csp"], [sys.executable, "prog.py"]):
        runs.append(
            subprocess.run(
                argv, cwd=tmp_path, env=env(tmp_path, CSPC_BACKEND=backend),
                capture_output=True, timeout=WAIT,
            )  # fmt: skip
        )
    return runs


# --------------------------------------------------------------------------- run-time errors


OVERFLOW = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  INT x:
  SEQ
    x := 2147483647
    x := x + 1
:
"""

INDEX = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  [4]INT a:
  INT i:
  SEQ
    i := 7
    a[i] := 1
:
"""


@pytest.mark.parametrize(
    "source, message",
    [
        (
            OVERFLOW,
            b"prog.csp:5:10: run-time error: arithmetic overflow\n"
            b"        x := x + 1\n"
            b"             ^~~~~\n",
        ),
        (
            INDEX,
            b"prog.csp:6:5: run-time error: array index out of range\n"
            b"        a[i] := 1\n"
            b"        ^~~~~~~~~\n",
        ),
    ],
    ids=["overflow", "index"],
)
def test_a_run_time_error_has_its_column_and_caret_in_both(tmp_path, backend, source, message):
    compile_module(tmp_path, source)
    for result in both(tmp_path, backend):
        assert (result.returncode, result.stdout, result.stderr) == (1, b"", message)


# A sample of the run-time error cases: arithmetic, indexing, IF, PAR, the course library.
SAMPLE = [
    "add overflow", "divide by zero", "index read", "slice out of range", "BYTE conversion",
    "negative shift", "IF without a true condition", "CASE without a match",
    "error in a PAR branch", "error in a called PROC", "error inside a PROC",
    "REAL division by zero",
]  # fmt: skip


@pytest.mark.parametrize("case", SAMPLE)
def test_the_module_reports_errors_exactly_as_cspc_run_does(tmp_path, case):
    compile_module(tmp_path, program(CASES[case][0]))
    under_run, as_module = both(tmp_path, "greenlet")
    assert under_run.returncode == 1
    assert b"run-time error" in under_run.stderr
    assert (as_module.returncode, as_module.stdout, as_module.stderr) == (
        under_run.returncode,
        under_run.stdout,
        under_run.stderr,
    )


# --------------------------------------------------------------------------- SIGINT


READS_KEYBOARD = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  BYTE ch:
  SEQ
    screen ! '?'
    screen ! 255
    keyboard ? ch
:
"""

TICKS = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  TIMER clock:
  INT t:
  WHILE TRUE
    SEQ
      clock ? t
      clock ? AFTER t PLUS 20000
      screen ! '.'
      screen ! 255
:
"""


def interrupted(argv, cwd: Path, environment: dict, ready: bytes):
    """Run ``argv`` until it has written ``ready``, then send it SIGINT; (status, stderr)."""
    proc = subprocess.Popen(
        argv, cwd=cwd, env=environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        seen = b""
        deadline = time.monotonic() + WAIT
        while ready not in seen:
            assert time.monotonic() < deadline, f"waited {WAIT}s for {ready!r}, got {seen!r}"
            if select.select([proc.stdout], [], [], 1.0)[0]:
                chunk = os.read(proc.stdout.fileno(), 4096)
                assert chunk, f"the program ended first: {seen!r}"
                seen += chunk
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=WAIT)
        return proc.returncode, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.mark.parametrize("source, ready", [(READS_KEYBOARD, b"?"), (TICKS, b".")], ids=["keyboard", "timer"])
def test_sigint_prints_interrupted_and_exits_130_in_both(tmp_path, backend, source, ready):
    compile_module(tmp_path, source)
    for argv in ([sys.executable, "-m", "cspc", "run", "prog.csp"], [sys.executable, "prog.py"]):
        status, err = interrupted(argv, tmp_path, env(tmp_path, CSPC_BACKEND=backend), ready)
        assert (status, err) == (130, b"cspc: interrupted\n"), argv


# --------------------------------------------------------------------------- unknown backends


def test_an_unknown_backend_in_the_environment_is_a_usage_error_in_both(tmp_path):
    compile_module(tmp_path, OVERFLOW)
    for result in both(tmp_path, "bogus"):
        assert (result.returncode, result.stdout, result.stderr) == (2, b"", UNKNOWN)


def test_an_unknown_backend_option_is_a_usage_error(tmp_path):
    compile_module(tmp_path, OVERFLOW)
    result = subprocess.run(
        [sys.executable, "-m", "cspc", "run", "--backend", "bogus", "prog.csp"],
        cwd=tmp_path, env=env(tmp_path), capture_output=True, timeout=WAIT,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stdout == b""
    assert b"Invalid value for '--backend': 'bogus' is not one of 'greenlet', 'threads'." in result.stderr


def test_the_backend_names_still_accept_their_aliases(tmp_path):
    (tmp_path / "prog.csp").write_text("PROC main (CHAN BYTE keyboard?, screen!, error!)\n  screen ! 'k'\n:\n")
    compile_module(tmp_path, (tmp_path / "prog.csp").read_text())
    for result in both(tmp_path, " Threads "):
        assert (result.returncode, result.stdout, result.stderr) == (0, b"k", b"")


def test_run_program_refuses_an_unknown_backend_before_running(capsys):
    ran = []
    status = run_program(lambda k, s, e: ran.append(1), backend="bogus", stdin=io.BytesIO())
    assert status == 2
    assert ran == []
    assert capsys.readouterr().err == "cspc: unknown backend 'bogus': choose one of greenlet, threads\n"
