"""Whole programs on the course library: Legoland's processes, `#USE`, and a
course exercise unchanged (on both backends)."""

from __future__ import annotations

import textwrap

from course_support import case_steps, indent, main_program, outputs, run

# --------------------------------------------------------------------------- Legoland


LEGOLAND_CASES = [
    ("id", "INT x:\nSEQ\n  id.in ! 9\n  id.out ? x\n  out.int (x, 0, screen!)", b"9"),
    ("succ", "INT x:\nSEQ\n  succ.in ! 9\n  succ.out ? x\n  out.int (x, 0, screen!)", b"10"),
    # the components add with PLUS, so they wrap rather than stop
    (
        "succ.wraps",
        "INT x:\nSEQ\n  succ.in ! MOSTPOS INT\n  succ.out ? x\n  out.int (x, 0, screen!)",
        b"-2147483648",
    ),
    (
        "plus",
        "INT x:\nSEQ\n  PAR\n    plus.1 ! 3\n    plus.2 ! 4\n  plus.out ? x\n  out.int (x, 0, screen!)",
        b"7",
    ),
    (  # the time, as a timer reads it: the second reading is no earlier than the first
        "times",
        "INT a, b:\nSEQ\n  times.out ? a\n  times.out ? b\n  out.bool (NOT (a AFTER b), 0, screen!)",
        b"TRUE",
    ),
    (
        "delta",
        """
        INT x, y:
        SEQ
          delta.in ! 5
          PAR
            delta.1 ? x
            delta.2 ? y
          out.int (x, 0, screen!)
          out.int (y, 2, screen!)
        """,
        b"5 5",
    ),
    (
        "prefix",
        """
        INT x, y:
        SEQ
          prefix.out ? x
          prefix.in ! 1
          prefix.out ? y
          out.int (x, 0, screen!)
          out.int (y, 2, screen!)
        """,
        b"5 1",
    ),
    (
        "tail",
        """
        INT x:
        SEQ
          tail.in ! 1
          tail.in ! 2
          tail.out ? x
          out.int (x, 0, screen!)
        """,
        b"2",
    ),
    (
        "integrate",
        """
        SEQ i = 1 FOR 4
          INT x:
          SEQ
            integrate.in ! i
            integrate.out ? x
            out.int (x, 3, screen!)
        """,
        b"  1  3  6 10",
    ),
    (
        "pairs",
        """
        SEQ
          pairs.in ! 1
          SEQ i = 2 FOR 3
            INT x:
            SEQ
              pairs.in ! i
              pairs.out ? x
              out.int (x, 2, screen!)
        """,
        b" 3 5 7",
    ),
    (
        "numbers",
        "SEQ i = 0 FOR 5\n  INT x:\n  SEQ\n    numbers.out ? x\n    out.int (x, 2, screen!)",
        b" 0 1 2 3 4",
    ),
    (
        "squares",
        "SEQ i = 0 FOR 6\n  INT x:\n  SEQ\n    squares.out ? x\n    out.int (x, 3, screen!)",
        b"  1  4  9 16 25 36",
    ),
    (
        "fibonacci",
        "SEQ i = 0 FOR 10\n  INT x:\n  SEQ\n    fibonacci.out ? x\n    out.int (x, 3, screen!)",
        b"  0  1  1  2  3  5  8 13 21 34",
    ),
    (
        "black.hole",
        "SEQ\n  SEQ i = 0 FOR 3\n    hole ! 'x'\n  out.string (\"gone\", 0, screen!)",
        b"gone",
    ),
]

LEGOLAND_NETWORK = """
CHAN INT id.in, id.out, succ.in, succ.out, plus.1, plus.2, plus.out:
CHAN INT times.out, delta.in, delta.1, delta.2:
CHAN INT prefix.in, prefix.out, tail.in, tail.out:
CHAN INT integrate.in, integrate.out, pairs.in, pairs.out:
CHAN INT numbers.out, squares.out, fibonacci.out:
CHAN BYTE hole:
PAR
  id (id.in?, id.out!)
  succ (succ.in?, succ.out!)
  plus (plus.1?, plus.2?, plus.out!)
  times (times.out!)
  delta (delta.in?, delta.1!, delta.2!)
  prefix (5, prefix.in?, prefix.out!)
  tail (tail.in?, tail.out!)
  integrate (integrate.in?, integrate.out!)
  pairs (pairs.in?, pairs.out!)
  numbers (numbers.out!)
  squares (squares.out!)
  fibonacci (fibonacci.out!)
  black.hole (hole?)
  SEQ
"""


def test_legoland(tmp_path, backend):
    # One consumer talks to each component in turn, so the output is
    # deterministic; the components run forever, so the program ends in
    # deadlock once the consumer is done.
    steps = case_steps([(label, code) for label, code, _ in LEGOLAND_CASES])
    source = main_program(LEGOLAND_NETWORK.strip("\n") + "\n" + indent(steps, 4))
    result = run(tmp_path, source, backend)
    assert result.returncode == 1, result.stderr.decode()
    assert b"deadlock" in result.stderr.lower(), result.stderr.decode()
    assert outputs(result.stdout) == {label: expected for label, _, expected in LEGOLAND_CASES}


# --------------------------------------------------------------------------- whole programs


def test_course_lib_via_use(tmp_path, backend):
    # Older course programs say #USE "course.lib"
    source = main_program('out.string ("hello*n", 0, screen!)', header='#USE "course.lib"')
    result = run(tmp_path, source, backend)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"hello\n"


def test_a_course_exercise_runs_unchanged(tmp_path, backend):
    # In the style of the course's first exercises: a pipeline of library
    # components printed through a user PROC that tabulates with out.int.
    source = textwrap.dedent("""\
        #INCLUDE "course.module"

        PROC print.stream (VAL INT count, CHAN INT in?, CHAN BYTE out!)
          SEQ i = 0 FOR count
            INT n:
            SEQ
              in ? n
              out.int (n, 10, out!)
              out.string ("*c*n", 0, out!)
        :

        PROC q (CHAN BYTE keyboard?, screen!, error!)
          CHAN INT a, b:
          PAR
            numbers (a!)
            integrate (a?, b!)
            print.stream (4, b?, screen!)
        :
        """)
    result = run(tmp_path, source, backend)
    assert result.stdout == b"         0\r\n         1\r\n         3\r\n         6\r\n"
    assert result.returncode == 1 and b"deadlock" in result.stderr.lower()


def test_consts_inc_and_convert_module(tmp_path, backend):
    # KRoC's consts.inc on its own, or beside course.module (its constants
    # then declared twice, harmlessly); convert.module declares nothing.
    alone = '#INCLUDE "consts.inc"\nPROC main (CHAN BYTE out!)\n  out ! BELL\n:\n'
    result = run(tmp_path, alone, backend)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"\x07"
    header = '#INCLUDE "consts.inc"\n#INCLUDE "course.module"\n#INCLUDE "convert.module"'
    both = main_program("out.int (string.more + (INT DELETE), 0, screen!)", header=header)
    result = run(tmp_path, both, backend, name="both")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"128"
