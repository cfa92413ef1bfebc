"""Every occam run-time error stops the program with `file:line[:col]: run-time
error: message`, the source line, exit status 1 and no Python traceback (on
both backends); --debug adds the traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cspc.cli import main

HEADER = """\
#INCLUDE "course.module"
PROC main (CHAN BYTE keyboard?, screen!, error!)
  INT x, y:
  [4]INT a:
  BYTE b:
  SEQ
    x, y := MOSTPOS INT, 0
    out.string ("before*n", 0, screen!)
"""
ERROR_LINE = 9  # the first line of the body below

# name -> (process at ERROR_LINE, text expected in the message[, line offset of the
# error from ERROR_LINE, or None for an error inside the course library, reported
# at the call on ERROR_LINE with a note at the library's line])
CASES = {
    "add overflow": ("x := x + 1", "arithmetic overflow"),
    "multiply overflow": ("x := x * 2", "arithmetic overflow"),
    "negate MOSTNEG": ("x := - ((MOSTNEG INT) PLUS y)", "arithmetic overflow"),
    "subtract overflow": ("x := (MOSTNEG INT) - (x - y)", "arithmetic overflow"),
    "divide by zero": ("x := x / y", "division by zero"),
    "divide MOSTNEG by -1": ("x := (MOSTNEG INT) / (y - 1)", "arithmetic overflow"),
    "remainder by zero": ("x := x \\ y", "remainder by zero"),
    "index too big": ("a[x] := 1", "array index out of range"),
    "negative index": ("a[y - 1] := 1", "array index out of range"),
    "index read": ("x := a[y + 4]", "array index out of range"),
    "slice out of range": (
        "VAL []INT s IS [a FROM y + 2 FOR 3]:\n    x := s[0]",
        "slice [FROM 2 FOR 3] out of range",
    ),
    "BYTE conversion": ("b := BYTE (x /\\ 1023)", "conversion out of range"),
    "BYTE arithmetic": ("b := 200\n    b := b + b", "arithmetic overflow", 1),
    "negative shift": ("x := 1 << (y - 1)", "shift count -1 out of range (0 to 32)"),
    "shift wider than INT": ("x := 1 >> (y + 33)", "shift count 33 out of range (0 to 32)"),
    "IF without a true condition": ("IF\n      y > 0\n        SKIP", "IF: no condition is TRUE"),
    "CASE without a match": ("CASE y\n      1\n        SKIP", "CASE"),
    "error in a PAR branch": ("PAR\n      SKIP\n      x := x + 1", "arithmetic overflow", 2),
    "error in a called PROC": ("out.int (a[x], 0, screen!)", "array index out of range"),
    "error inside a PROC": ('out.string ("x", MOSTNEG INT, screen!)', "arithmetic overflow", None),
    "RETYPES of an open array of the wrong size": (
        "VAL []INT s IS [a FROM 0 FOR y + 3]:\n    VAL [2]INT64 w RETYPES s:\n    x := INT w[0]",
        "RETYPES needs the same size: 12 bytes given for [2]INT64 (16 bytes)",
        1,
    ),
    "RESHAPES with a size computed as it runs that does not fit": (
        "[y + 3][]INT m RESHAPES a:\n    x := m[0][0]",
        "RESHAPES: 16 bytes are no whole number of the known sizes of [3][]INT (12 bytes)",
    ),
    "RESHAPES to sizes computed as it runs of another size": (
        "[y + 2][y + 3]INT m RESHAPES a:\n    x := m[0][0]",
        "RESHAPES needs the same size: 16 bytes given for [2][3]INT (24 bytes)",
    ),
    "RESHAPES to a negative size": (
        "[y - 1][]INT m RESHAPES a:\n    x := m[0][0]",
        "RESHAPES: array size -1 is negative",
    ),
    "REAL division by zero": (
        "REAL64 r:\n    r := 1.0 / (REAL64 ROUND y)",
        "floating-point division by zero",
        1,
    ),
}


def program(body: str) -> str:
    """The test program with ``body`` (later lines already indented) at ERROR_LINE."""
    return f"{HEADER}    {body}\n:\n"


@pytest.fixture(autouse=True)
def shared_cache(tmp_path_factory, monkeypatch):
    # One cache for the session: the same program on both backends compiles once.
    monkeypatch.setenv("CSPC_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cspc-cache"))


def run(tmp_path, source: str, *args: str):
    path = tmp_path / "prog.csp"
    path.write_text(source)
    return CliRunner().invoke(main, ["run", *args, str(path)]), path


# The threads backend shares the generated code; a sample of the cases keeps the suite fast.
ON_THREADS = {
    "add overflow",
    "RESHAPES with a size computed as it runs that does not fit",
    "negative index",
    "IF without a true condition",
    "error in a PAR branch",
}
MATRIX = [("greenlet", name) for name in CASES] + [("threads", name) for name in sorted(ON_THREADS)]


@pytest.mark.parametrize("backend, name", MATRIX)
def test_runtime_error(name, tmp_path, backend):
    body, message, offset = (CASES[name] + (0,))[:3]
    result, path = run(tmp_path, program(body), "--backend", backend)
    assert result.exit_code == 1, result.stderr
    assert result.stdout_bytes == b"before\n"  # output before the error is flushed
    first, *rest = result.stderr.splitlines()
    if offset is None:  # inside the course library: the user's call first, the library's line last
        assert first.startswith(f"{path}:{ERROR_LINE}:"), first
        assert "course.module:" in rest[-1] and rest[-1].endswith("note: in the library, here")
    else:
        assert first.startswith(f"{path}:{ERROR_LINE + offset}:"), first
    assert f"run-time error: {message}" in first, result.stderr
    assert "Traceback" not in result.stderr
    assert rest and rest[0].strip()  # the source line is quoted


NAMED = """\
#INCLUDE "course.module"
DATA TYPE SHORT IS INT16:
DATA TYPE MYINT IS INT:
DATA TYPE MYBYTE IS BYTE:
PROC main (CHAN BYTE keyboard?, screen!, error!)
  SHORT s:
  MYINT x:
  MYBYTE b:
  SEQ
    s, x, b := MOSTPOS SHORT, 40000, 200
    x := x * 2
    out.string ("before*n", 0, screen!)
    {body}
    out.string ("after*n", 0, screen!)
:
"""

# A named type's arithmetic is checked at its base's width: `x * 2' above is
# fine at 32 bits, each of these is not (body, message).
NAMED_CASES = {
    "named INT16 add": ("s := s + 1(SHORT)", "arithmetic overflow"),
    "named INT16 conversion": ("s := SHORT x", "conversion out of range: 80000 does not fit in INT16"),
    "named BYTE add": ("b := b + b", "arithmetic overflow"),
    "named INT16 negation": ("s := - ((MOSTNEG SHORT) PLUS (s MINUS s))", "arithmetic overflow"),
}


@pytest.mark.parametrize("name", sorted(NAMED_CASES))
def test_a_named_type_overflows_as_its_base(name, tmp_path, backend):
    body, message = NAMED_CASES[name]
    result, path = run(tmp_path, NAMED.format(body=body), "--backend", backend)
    assert result.exit_code == 1, result.stderr
    assert result.stdout_bytes == b"before\n"
    first, source, *_ = result.stderr.splitlines()
    assert first.startswith(f"{path}:13:") and first.endswith(f": run-time error: {message}"), first
    assert source == f"        {body}"
    assert "Traceback" not in result.stderr


def test_error_points_at_the_csp_column(tmp_path):
    result, path = run(tmp_path, program("x := x + 1"))
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path}:{ERROR_LINE}:10: run-time error: arithmetic overflow"
    assert lines[1] == "        x := x + 1"
    assert lines[2] == "             ^~~~~"


def test_error_inside_an_included_file_names_that_file(tmp_path):
    # out.string indexes its VAL []BYTE; a negative field is fine, but a
    # huge count in out.repeat-like code is not: use a helper file of our own.
    (tmp_path / "lib.inc").write_text("PROC bad (VAL INT i)\n  [2]INT v:\n  v[i] := 0\n:\n")
    source = '#INCLUDE "lib.inc"\nPROC main (CHAN BYTE keyboard?, screen!, error!)\n  bad (5)\n:\n'
    result, _ = run(tmp_path, source)
    assert result.exit_code == 1
    assert "lib.inc:3:" in result.stderr.splitlines()[0]
    assert "v[i] := 0" in result.stderr


def test_stop_deadlocks_naming_the_line(tmp_path, backend):
    result, _ = run(tmp_path, program("STOP"), "--backend", backend)
    assert result.exit_code == 1
    assert "deadlock" in result.stderr
    assert f"prog.csp:{ERROR_LINE}" in result.stderr


def test_deadlock_names_the_csp_line(tmp_path, backend):
    result, _ = run(tmp_path, program("CHAN INT c:\n    c ! 1"), "--backend", backend)
    assert result.exit_code == 1
    assert result.stderr.startswith("run-time error: deadlock")
    assert f"prog.csp:{ERROR_LINE + 1}" in result.stderr
    assert "Traceback" not in result.stderr


def test_deadlock_names_the_partner_that_never_came(tmp_path, backend):
    source = """\
PROC swap.first (CHAN INT out!, in?)
  INT v:
  SEQ
    out ! 2
    in ? v
:
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN INT c, d:
  INT x:
  PAR
    SEQ
      c ! 1
      d ? x
    swap.first (d!, c?)
:
"""
    result, path = run(tmp_path, source, "--backend", backend)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        f"  {path}:4: 'swap.first' waits to output on channel d (to 'main, PAR branch 1')",
        f"  {path}:12: 'main, PAR branch 1' waits to output on channel c (to 'swap.first')",
    ]


def test_debug_shows_the_traceback(tmp_path):
    result, _ = run(tmp_path, program("x := x / y"), "--debug")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert "run-time error: division by zero" in result.stderr


def test_a_deadlock_inside_a_library_proc_names_the_users_call_first(tmp_path, backend):
    source = (
        '#INCLUDE "course.module"\nPROC main (CHAN BYTE keyboard?, screen!, error!)\n  INT n:\n'
        "  in.int (n, 5, keyboard?, screen!)\n:\n"
    )
    path = tmp_path / "prog.csp"
    path.write_text(source)
    result = CliRunner().invoke(main, ["run", "--backend", backend, str(path)], input=b"")
    assert result.exit_code == 1
    line = next(l for l in result.stderr.splitlines() if "'main'" in l)
    assert line.startswith(f"  {path}:4: 'main' waits to input from channel keyboard [in the library at ")
    assert "course.module:" in line


def test_a_run_time_error_inside_a_library_proc_names_the_users_call_first(tmp_path, monkeypatch):
    from cspc.runtime import toplevel

    (tmp_path / "lib.inc").write_text("PROC halve (INT x)\n  x := x / 0\n:\n")
    path = tmp_path / "prog.csp"
    path.write_text(
        '#INCLUDE "lib.inc"\nPROC main (CHAN BYTE keyboard?, screen!, error!)\n  INT v:\n'
        "  SEQ\n    v := 1\n    halve (v)\n:\n"
    )
    monkeypatch.setattr(toplevel, "is_library_file", lambda f: f.endswith("lib.inc"))
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{path}:6:") and lines[0].endswith("run-time error: division by zero")
    assert lines[1] == "        halve (v)"
    assert lines[-1].startswith(f"{tmp_path / 'lib.inc'}:2:")
    assert lines[-1].endswith(": note: in the library, here")


def test_a_second_run_after_an_edit_quotes_the_line_as_it_is_now(tmp_path):
    # In one Python process (a notebook, a test session) the quoted line comes
    # from the file as it is, not from a copy cached by an earlier run.
    body = "PROC main (CHAN BYTE keyboard?, screen!, error!)\n  INT x:\n  SEQ\n    x := 0\n"
    first, path = run(tmp_path, body + "    x := 1 / x\n:\n")
    assert first.stderr.splitlines()[1] == "        x := 1 / x"
    second, _ = run(tmp_path, body + "    x := 2 / (x - x)\n:\n")
    assert second.exit_code == 1
    assert second.stderr.splitlines()[1] == "        x := 2 / (x - x)"


def test_a_deadlock_in_a_claim_names_the_process_waiting_to_claim(tmp_path, backend):
    source = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  SHARED ! CHAN INT c:
  PAR
    CLAIM c!
      c ! 1
    CLAIM c!
      c ! 2
:
"""
    result, path = run(tmp_path, source, "--backend", backend)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "run-time error: deadlock: no process can proceed (2 blocked)",
        f"  {path}:5: 'main, PAR branch 1' waits to output on channel c",
        f"  {path}:6: 'main, PAR branch 2' waits to CLAIM a shared end of channel c "
        "(the writing end is held by 'main, PAR branch 1')",
    ]


def test_a_deadlock_in_an_extended_rendezvous_names_the_writer_held(tmp_path, backend):
    source = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN INT c, d:
  INT x, y:
  PAR
    SEQ
      c ! 1
      d ! 2
    c ?? x
      d ? y
:
"""
    result, path = run(tmp_path, source, "--backend", backend)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        f"  {path}:6: 'main, PAR branch 1' waits to output on channel c (to 'main, PAR branch 2') "
        "[its value was taken by an extended input (??), whose process has not ended]",
        f"  {path}:9: 'main, PAR branch 2' waits to input from channel d (from 'main, PAR branch 1')",
    ]


EMPTY_CASE = """\
#INCLUDE "course.module"
PROTOCOL TAGS
  CASE
    one
:
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN TAGS t:
  PAR
    t ! one
    t ? CASE
      -- no variants
:
"""


def test_a_message_to_a_case_input_with_no_variants_stops_the_program(tmp_path, backend):
    result, path = run(tmp_path, EMPTY_CASE, "--backend", backend)
    assert result.exit_code == 1, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:10:") and ": run-time error: " in first, first
    assert "Traceback" not in result.stderr


PRAGMA_SHARED_COLLISION = """\
#INCLUDE "course.module"
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN INT c:
  #PRAGMA SHARED c
  PAR
    c ! 1
    c ! 2
:
"""


def test_two_writers_at_once_on_a_pragma_shared_channel_is_a_run_time_error(tmp_path, backend):
    # #PRAGMA SHARED switches the check off; the channel still has one process at each end.
    # With no reader the first writer waits for ever, so the second always meets it there.
    result, path = run(tmp_path, PRAGMA_SHARED_COLLISION, "--backend", backend)
    assert result.exit_code == 1, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith((f"{path}:6:", f"{path}:7:")), first
    assert first.endswith(
        "run-time error: two processes are writing to channel c at once: a channel has one process "
        "at each end (to share one, declare it SHARED and CLAIM it)"
    ), first
    assert "internal" not in result.stderr


def test_a_deadlock_at_a_case_input_names_its_line_not_its_last_variants(tmp_path, backend):
    # A method call spanning lines takes its last line in CPython 3.11; the
    # generated read of `c ? CASE' must keep the line it starts on.
    source = """\
PROTOCOL CMD
  CASE
    move; INT
    stop
:
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN CMD c:
  INT x:
  c ? CASE
    move; x
      SKIP
    stop
      SKIP
:
"""
    result, path = run(tmp_path, source, "--backend", backend)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [f"  {path}:9: 'main' waits to input from channel c"]


CHAN_TYPE = """\
CHAN TYPE LINK
  MOBILE RECORD
    CHAN INT req?:
    CHAN INT reply!:
:
"""


def test_using_an_undefined_channel_type_end_is_a_positioned_error(tmp_path, backend):
    source = CHAN_TYPE + """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  LINK! cli, other:
  LINK? svr:
  INT x:
  SEQ
    cli, svr := MOBILE LINK
    x := 0
    IF
      x = 0
        other := cli
      TRUE
        SKIP
    cli[req] ! 1
:
"""
    result, path = run(tmp_path, source, "--backend", backend)
    assert result.exit_code == 1
    assert f"{path}:18:5: run-time error: MOBILE `cli' is undefined here" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_deadlock_on_a_channel_type_names_the_bundle_and_its_channel(tmp_path, backend):
    source = CHAN_TYPE + """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  LINK! cli:
  LINK? svr:
  INT x, y:
  SEQ
    cli, svr := MOBILE LINK
    PAR
      cli[reply] ? x
      svr[req] ? y
:
"""
    result, path = run(tmp_path, source, "--backend", backend)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "run-time error: deadlock: no process can proceed (2 blocked)",
        f"  {path}:13: 'main, PAR branch 1' waits to input from channel cli[reply]",
        f"  {path}:14: 'main, PAR branch 2' waits to input from channel cli[req]",
    ]


def test_a_deadlock_at_a_claim_of_a_shared_end_names_its_holder(tmp_path, backend):
    source = CHAN_TYPE + """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  SHARED LINK! cli:
  LINK? svr:
  INT x:
  SEQ
    cli, svr := MOBILE LINK
    PAR
      CLAIM cli
        cli[reply] ? x
      CLAIM cli
        cli[req] ! 1
:
"""
    result, path = run(tmp_path, source, "--backend", backend)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "run-time error: deadlock: no process can proceed (2 blocked)"
    assert sorted(lines[1:]) == sorted([
        f"  {path}:14: 'main, PAR branch 1' waits to input from channel cli[reply]",
        f"  {path}:15: 'main, PAR branch 2' waits to CLAIM a shared end of channel cli "
        "(the client end is held by 'main, PAR branch 1')",
    ])


def test_a_deadlock_on_an_element_of_an_array_of_ends_names_the_element(tmp_path, backend):
    source = CHAN_TYPE + """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  [3]LINK! clis:
  [3]LINK? svrs:
  INT x:
  SEQ
    SEQ i = 0 FOR 3
      clis[i], svrs[i] := MOBILE LINK
    clis[2][reply] ? x
:
"""
    result, path = run(tmp_path, source, "--backend", backend)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "run-time error: deadlock: no process can proceed (1 blocked)",
        f"  {path}:13: 'main' waits to input from channel clis[2][reply]",
    ]
