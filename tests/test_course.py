"""The course library (cspc/lib/course.module): every documented procedure,
function and constant, checked by running small occam programs with
`cspc run` on both backends and comparing their exact output with what KRoC
prints.

Most tests batch many *cases* into one program, so that the suite stays
fast: each case prints ``{label|...|}`` around its output, and the test
compares the outputs label by label, so a failure names the cases that
differ.  Input cases share one scripted stdin, consumed in order.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parent.parent / "cspc" / "lib" / "course.module"

ESC = b"\x1b"
BEL = b"\x07"
RUB = b"\x08 \x08"  # how the input procedures rub out one echoed character


# --------------------------------------------------------------------------- running programs


def indent(text: str, by: int) -> str:
    return textwrap.indent(textwrap.dedent(text).strip("\n"), " " * by)


def main_program(body: str, header: str = '#INCLUDE "course.module"') -> str:
    """A whole program whose main PROC runs ``body`` (an occam process)."""
    return f"{header}\n\nPROC main (CHAN BYTE keyboard?, screen!, error!)\n{indent(body, 2)}\n:\n"


def case_steps(cases: list[tuple[str, str]]) -> str:
    """Processes running each (label, process) case in turn, its output
    bracketed by ``{label|`` and ``|}`` on a line of its own."""
    steps = []
    for label, process in cases:
        steps.append(
            f'out.string ("{{{label}|", 0, screen!)\n'
            f"{textwrap.dedent(process).strip()}\n"
            f'out.string ("|}}*n", 0, screen!)'
        )
    return "\n".join(steps)


def cases_program(cases: list[tuple[str, str]]) -> str:
    return main_program("SEQ\n" + indent(case_steps(cases), 2))


def run(tmp_path: Path, source: str, backend: str, stdin: bytes = b"", name: str = "prog"):
    path = tmp_path / f"{name}.csp"
    path.write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "cspc", "run", "--backend", backend, str(path)],
        input=stdin,
        capture_output=True,
        timeout=120,
        env={**os.environ, "CSPC_CACHE_DIR": str(tmp_path / "cache")},
    )


def outputs(stdout: bytes) -> dict[str, bytes]:
    return {m.group(1).decode(): m.group(2) for m in re.finditer(rb"\{([\w.]+)\|(.*?)\|\}\n", stdout, re.S)}


def check_cases(tmp_path, backend, cases, stdin=b"", deadlocks=False):
    """Run ``cases`` [(label, process, expected bytes)] as one program."""
    result = run(tmp_path, cases_program([(label, code) for label, code, _ in cases]), backend, stdin)
    if deadlocks:
        # A Legoland network runs forever: once the test's consumer is done,
        # every process left is blocked, which the runtime reports as deadlock.
        assert result.returncode == 1, result.stderr.decode()
        assert b"deadlock" in result.stderr.lower(), result.stderr.decode()
    else:
        assert result.returncode == 0, result.stderr.decode()
    assert outputs(result.stdout) == {label: expected for label, _, expected in cases}


# --------------------------------------------------------------------------- output


OUTPUT_CASES = [
    # out.int: right-justified; a number wider than its field is printed in full
    ("int.field", "out.int (42, 5, screen!)", b"   42"),
    ("int.negative", "out.int (-42, 5, screen!)", b"  -42"),
    ("int.zero", "out.int (0, 0, screen!)", b"0"),
    ("int.zero.field", "out.int (0, 3, screen!)", b"  0"),
    ("int.wide", "out.int (123456, 3, screen!)", b"123456"),
    ("int.negative.field", "out.int (7, -3, screen!)", b"7"),
    ("int.minus.one", "out.int (-1, 0, screen!)", b"-1"),
    ("int.ten", "out.int (10, 0, screen!)", b"10"),
    ("int.minus.ten", "out.int (-10, 0, screen!)", b"-10"),
    ("int.billion", "out.int (-1000000000, 12, screen!)", b" -1000000000"),
    ("int.mostneg", "out.int (MOSTNEG INT, 0, screen!)", b"-2147483648"),
    ("int.mostneg.field", "out.int (MOSTNEG INT, 13, screen!)", b"  -2147483648"),
    ("int.mostpos", "out.int (MOSTPOS INT, 0, screen!)", b"2147483647"),
    ("number", "out.number (-5, 3, screen!)", b" -5"),
    ("byte.zero", "out.byte (0, 0, screen!)", b"0"),
    ("byte.max", "out.byte (255, 5, screen!)", b"  255"),
    ("byte.digit", "out.byte (9, 2, screen!)", b" 9"),
    ("byte.hundred", "out.byte ('d', 0, screen!)", b"100"),
    ("ch", "out.ch ('x', 3, screen!)", b"  x"),
    ("ch.zero", "out.ch ('x', 0, screen!)", b"x"),
    ("string", 'out.string ("abc", 5, screen!)', b"  abc"),
    ("string.narrow", 'out.string ("abc", 1, screen!)', b"abc"),
    ("string.empty", 'out.string ("", 2, screen!)', b"  "),
    ("string.escapes", 'out.string ("a*tb**", 0, screen!)', b"a\tb*"),
    ("repeat", "out.repeat ('**', 3, screen!)", b"***"),
    ("repeat.negative", "out.repeat ('**', -2, screen!)", b""),
    ("bool.true", "out.bool (TRUE, 0, screen!)", b"TRUE"),
    ("bool.false", "out.bool (FALSE, 7, screen!)", b"  FALSE"),
    ("yes", "out.yes.no (TRUE, 4, screen!)", b" yes"),
    ("no", "out.yes.no (FALSE, 0, screen!)", b"no"),
    # FLUSH (255) flushes the screen and is not itself printed
    ("flush", "SEQ\n  screen ! 'a'\n  flush (screen!)\n  screen ! FLUSH\n  screen ! 'b'", b"ab"),
    # out.hex: field 0 shows eight digits; otherwise field - 1 low digits
    ("hex", "out.hex (255, 0, screen!)", b"#000000FF"),
    ("hex.field", "out.hex (255, 3, screen!)", b"#FF"),
    ("hex.narrow", "out.hex (#1234ABCD, 5, screen!)", b"#ABCD"),
    ("hex.exact", "out.hex (#1234ABCD, 9, screen!)", b"#1234ABCD"),
    ("hex.one.digit", "out.hex (#1234ABCD, 2, screen!)", b"#D"),
    ("hex.field.one", "out.hex (255, 1, screen!)", b""),
    ("hex.minus.one", "out.hex (-1, 0, screen!)", b"#FFFFFFFF"),
    # ... but zero and MOSTNEG INT always show eight digits, right-justified
    ("hex.zero", "out.hex (0, 0, screen!)", b"#00000000"),
    ("hex.zero.narrow", "out.hex (0, 3, screen!)", b"#00000000"),
    ("hex.zero.wide", "out.hex (0, 12, screen!)", b"   #00000000"),
    ("hex.mostneg", "out.hex (MOSTNEG INT, 10, screen!)", b" #80000000"),
    # cspc's choice where KRoC's shifts go beyond the word: leading zeros
    ("hex.wide", "out.hex (-2, 10, screen!)", b"#0FFFFFFFE"),
]


def test_output_procedures(tmp_path, backend):
    check_cases(tmp_path, backend, OUTPUT_CASES)


# --------------------------------------------------------------------------- screen control


SCREEN_CASES = [
    ("cursor.x.y", "cursor.x.y (3, 15, screen!)", ESC + b"[15;3H"),
    ("cursor.up", "cursor.up (2, screen!)", ESC + b"[2A"),
    ("cursor.down", "cursor.down (10, screen!)", ESC + b"[10B"),
    ("cursor.right", "cursor.right (1, screen!)", ESC + b"[1C"),
    ("cursor.left", "cursor.left (200, screen!)", ESC + b"[200D"),
    ("erase.eol", "erase.eol (screen!)", ESC + b"[0K"),
    ("erase.bol", "erase.bol (screen!)", ESC + b"[1K"),
    ("erase.line", "erase.line (screen!)", ESC + b"[2K"),
    ("erase.eos", "erase.eos (screen!)", ESC + b"[0J"),
    ("erase.bos", "erase.bos (screen!)", ESC + b"[1J"),
    ("erase.screen", "erase.screen (screen!)", ESC + b"[2J"),
    ("cursor.visible", "cursor.visible (screen!)", ESC + b"[?25h"),
    ("cursor.invisible", "cursor.invisible (screen!)", ESC + b"[?25l"),
    ("goto.x.y", "goto.x.y (10, 20, screen!)", ESC + b"[20;10H"),
    ("pos.int", "pos.int (1, 2, 42, 4, screen!)", ESC + b"[2;1H  42"),
    ("pos.yes.no", "pos.yes.no (7, 8, TRUE, 4, screen!)", ESC + b"[8;7H yes"),
]


def test_screen_procedures(tmp_path, backend):
    check_cases(tmp_path, backend, SCREEN_CASES)


# --------------------------------------------------------------------------- constants, strings, random


def show_bool_int(call: str) -> str:
    """A process printing the (BOOL, INT) results of ``call`` as `TRUE 7`."""
    return f"""
        BOOL ok:
        INT value:
        SEQ
          ok, value := {call}
          out.bool (ok, 0, screen!)
          screen ! ' '
          out.int (value, 0, screen!)
        """


STRING_CASES = [
    (
        "constants",
        """
        SEQ
          SEQ i = 0 FOR 7
            VAL []BYTE all IS [NULL, BELL, BACK, ESCAPE, DELETE, FLUSH, END.OF.FILE]:
            SEQ
              out.int (INT all[i], 0, screen!)
              screen ! ' '
          out.int (string.less, 0, screen!)
          out.int (string.same, 2, screen!)
          out.int (string.more, 2, screen!)
        """,
        b"0 7 8 27 127 255 255 -1 0 1",
    ),
    ("equal.same", 'out.bool (equal.string ("abc", "abc"), 0, screen!)', b"TRUE"),
    ("equal.nulls", 'out.bool (equal.string ("abc", "abc*#00*#00"), 0, screen!)', b"TRUE"),
    ("equal.differ", 'out.bool (equal.string ("abc", "abd"), 0, screen!)', b"FALSE"),
    ("equal.prefix", 'out.bool (equal.string ("ab", "abc"), 0, screen!)', b"FALSE"),
    ("equal.empty", 'out.bool (equal.string ("", "*#00"), 0, screen!)', b"TRUE"),
    ("compare.less", 'out.int (compare.string ("abc", "abd"), 0, screen!)', b"-1"),
    ("compare.more", 'out.int (compare.string ("abd", "abc"), 0, screen!)', b"1"),
    ("compare.prefix", 'out.int (compare.string ("ab", "abc"), 0, screen!)', b"-1"),
    ("compare.longer", 'out.int (compare.string ("abc", "ab"), 0, screen!)', b"1"),
    ("compare.nulls", 'out.int (compare.string ("abc", "abc*#00"), 0, screen!)', b"0"),
    ("compare.bytes", 'out.int (compare.string ("B", "a"), 0, screen!)', b"-1"),
    (
        "make.string",
        """
        [5]BYTE s:
        SEQ
          s := "hello"
          make.string (s, 2)
          write.string (s, 4, screen!)
          out.int (INT s[4], 2, screen!)
        """,
        b"  he 0",
    ),
    (
        "copy.string.pad",
        """
        [5]BYTE b:
        SEQ
          b := "xxxxx"
          copy.string ("hi", b)
          write.string (b, 0, screen!)
          out.int (INT b[2], 2, screen!)
        """,
        b"hi 0",
    ),
    (
        "copy.string.truncate",
        """
        [5]BYTE b:
        SEQ
          copy.string ("hello world", b)
          out.string (b, 0, screen!)
        """,
        b"hello",
    ),
    ("write.string", 'write.string ("ab*#00*#00", 4, screen!)', b"  ab"),
    ("starts.with", 'out.bool (starts.with.string ("ab", "abc"), 0, screen!)', b"TRUE"),
    ("starts.with.not", 'out.bool (starts.with.string ("b", "abc"), 0, screen!)', b"FALSE"),
    ("starts.with.long", 'out.bool (starts.with.string ("abcd", "abc"), 0, screen!)', b"FALSE"),
    ("ends.with", 'out.bool (ends.with.string ("bc", "abc"), 0, screen!)', b"TRUE"),
    ("ends.with.not", 'out.bool (ends.with.string ("ab", "abc"), 0, screen!)', b"FALSE"),
    ("byte.in", "out.bool (byte.in.string ('c', \"abc\"), 0, screen!)", b"TRUE"),
    ("byte.in.not", "out.bool (byte.in.string ('z', \"abc\"), 0, screen!)", b"FALSE"),
    ("to.int", show_bool_int('string.to.int ("-123")'), b"TRUE -123"),
    ("to.int.plus", show_bool_int('string.to.int ("+7")'), b"TRUE 7"),
    ("to.int.mostneg", show_bool_int('string.to.int ("-2147483648")'), b"TRUE -2147483648"),
    ("to.int.letter", show_bool_int('string.to.int ("12a")'), b"FALSE 0"),
    ("to.int.sign", show_bool_int('string.to.int ("1-2")'), b"FALSE 0"),
    ("to.int.empty", show_bool_int('string.to.int ("")'), b"FALSE 0"),
    ("check.num.chars", 'out.bool (check.num.chars ("-", 1), 0, screen!)', b"FALSE"),
    ("convert.num.chars", show_bool_int('convert.num.chars ("-042")'), b"TRUE -42"),
    ("convert.byte.chars", 'out.int (convert.byte.chars ("2550", 3), 0, screen!)', b"255"),
    (
        "random",
        # Park and Miller's minimal standard from seed 1: 16807, 282475249,
        # 1622650073, 984943658, 1144108930
        """
        INT seed, value:
        SEQ
          seed := 1
          SEQ i = 0 FOR 5
            SEQ
              value, seed := random (1000, seed)
              out.int (value, 4, screen!)
          out.int (seed, 11, screen!)
        """,
        b" 807 249  73 658 930 1144108930",
    ),
    (
        "random.range",
        """
        INT seed, value:
        BOOL in.range:
        SEQ
          seed, in.range := 42, TRUE
          SEQ i = 0 FOR 200
            SEQ
              value, seed := random (6, seed)
              in.range := in.range AND ((0 <= value) AND (value < 6))
          out.bool (in.range, 0, screen!)
        """,
        b"TRUE",
    ),
]


def test_constants_strings_and_random(tmp_path, backend):
    check_cases(tmp_path, backend, STRING_CASES)


# --------------------------------------------------------------------------- input


def read_int(max_chars: int = 20) -> str:
    return f"""
        INT n:
        SEQ
          in.int (n, {max_chars}, keyboard?, screen!)
          screen ! '='
          out.int (n, 0, screen!)
        """


def read_byte(max_chars: int = 3) -> str:
    return f"""
        BYTE b:
        SEQ
          in.byte (b, {max_chars}, keyboard?, screen!)
          screen ! '='
          out.byte (b, 0, screen!)
        """


def read_string(size: int = 10, max_chars: int = 10) -> str:
    """in.string, then `=length,text` and the padding bytes as numbers."""
    return f"""
        [{size}]BYTE s:
        INT length:
        SEQ
          SEQ i = 0 FOR SIZE s
            s[i] := 'x'
          in.string (s, length, {max_chars}, keyboard?, screen!)
          screen ! '='
          out.int (length, 0, screen!)
          screen ! ','
          write.string (s, 0, screen!)
          SEQ i = length FOR (SIZE s) - length
            out.int (INT s[i], 2, screen!)
        """


def file_read(proc: str, max_chars: int = 10) -> str:
    """file.in.string or file.in.token, then `=length,text`."""
    return f"""
        [10]BYTE s:
        INT length:
        SEQ
          {proc} (s, length, {max_chars}, keyboard?)
          out.int (length, 0, screen!)
          screen ! ','
          write.string (s, 0, screen!)
        """


def file_read_int(max_chars: int = 10) -> str:
    return f"""
        INT n:
        BOOL ok:
        SEQ
          n := 99
          file.in.int (n, {max_chars}, ok, keyboard?)
          out.bool (ok, 0, screen!)
          screen ! ' '
          out.int (n, 0, screen!)
        """


def read_bool() -> str:
    return """
        BOOL b:
        SEQ
          in.bool (b, keyboard?, screen!)
          screen ! '='
          out.bool (b, 0, screen!)
        """


# (label, process, keys typed, expected screen)
INPUT_CASES = [
    ("int", read_int(), b"42\n", b"42=42"),
    ("int.space.ends", read_int(), b"-17 ", b"-17=-17"),
    ("int.return.ends", read_int(), b"+8\r", b"+8=8"),
    ("int.letter.bleeps", read_int(), b"4x2\n", b"4" + BEL + b"2=42"),
    ("int.sign.inside", read_int(), b"+-5\n5\n", b"+-5" + RUB * 3 + BEL + b"5=5"),
    ("int.empty", read_int(), b"\n9\n", BEL + b"9=9"),
    ("int.overflow", read_int(), b"2147483648\n7\n", b"2147483648" + RUB * 10 + BEL + b"7=7"),
    ("int.mostneg", read_int(), b"-2147483648\n", b"-2147483648=-2147483648"),
    # KRoC's overflow check looks only at the sign of the wrapped total
    ("int.wraps.like.kroc", read_int(), b"9999999999\n", b"9999999999=1410065407"),
    ("int.backspace", read_int(), b"12\x083\n", b"12" + RUB + b"3=13"),
    ("int.delete", read_int(), b"12\x7f3\n", b"12" + RUB + b"3=13"),
    ("int.backspace.empty", read_int(), b"\x085\n", BEL + b"5=5"),
    ("int.max", read_int(2), b"123\n", b"12" + BEL + b"=12"),
    ("byte", read_byte(), b"255\n", b"255=255"),
    ("byte.too.big", read_byte(), b"256\n7\n", b"256" + RUB * 3 + BEL + b"7=7"),
    ("byte.max", read_byte(5), b"1234 ", b"123" + BEL + b"=123"),
    ("byte.letter", read_byte(), b"a1 ", BEL + b"1=1"),
    ("byte.empty", read_byte(), b"\n", b"=0"),
    ("string", read_string(), b"hi there\n", b"hi there=8,hi there 0 0"),
    ("string.control", read_string(), b"a\tb\n", b"a" + BEL + b"b=2,ab 0 0 0 0 0 0 0 0"),
    ("string.max", read_string(5, 3), b"abcd\n", b"abc" + BEL + b"=3,abc 0 0"),
    ("string.size", read_string(2, 10), b"abc\n", b"ab" + BEL + b"=2,ab"),
    ("string.backspace", read_string(3), b"ab\x08c\r", b"ab" + RUB + b"c=2,ac 0"),
    ("bool.yes", read_bool(), b"y", b"yes=TRUE"),
    ("bool.bleeps", read_bool(), b"xN", BEL + b"no=FALSE"),
    ("bool.upper", read_bool(), b"Y", b"yes=TRUE"),
    (
        "skip",
        "BYTE ch:\nSEQ\n  in.skip (ch, keyboard?)\n  screen ! ch",
        b"   q",
        b"q",
    ),
    (
        "digit",
        "BYTE d:\nSEQ\n  in.digit (d, keyboard?, screen!)\n  screen ! '='\n  screen ! d",
        b"a5",
        BEL + b"=5",
    ),
    # the file.in.* procedures neither echo nor bleep; unprintable
    # characters and those beyond `max` are dropped
    ("file.string", file_read("file.in.string"), b" a\tb c\r\n", b"5, ab c"),
    ("file.string.max", file_read("file.in.string", 3), b"abcdef\n", b"3,abc"),
    ("file.token", file_read("file.in.token"), b" \t\r\n tok1 ", b"4,tok1"),
    ("file.token.max", file_read("file.in.token", 2), b"xyz\n", b"2,xy"),
    ("file.int", file_read_int(), b"  -42 ", b"TRUE -42"),
    ("file.int.plus", file_read_int(), b"+7\n", b"TRUE 7"),
    ("file.int.letter", file_read_int(), b"4x ", b"FALSE 99"),
    ("file.int.sign.only", file_read_int(), b"- ", b"FALSE 99"),
    (
        "file.number",
        "INT n:\nBOOL ok:\nSEQ\n  file.in.number (n, 10, ok, keyboard?)\n  out.int (n, 0, screen!)",
        b"123\n",
        b"123",
    ),
    (
        "ask.string",
        """
        [10]BYTE s:
        INT length:
        SEQ
          ask.string ("name? ", s, length, 10, keyboard?, screen!)
          out.int (length, 0, screen!)
        """,
        b"bob\n",
        b"name? bob\r\n3",
    ),
    (
        "ask.bool",
        "BOOL b:\nSEQ\n  ask.bool (\"ok? \", b, keyboard?, screen!)\n  out.bool (b, 0, screen!)",
        b"n",
        b"ok? no\r\nFALSE",
    ),
    (
        "ask.int",
        "INT n:\nSEQ\n  ask.int (\"n? \", n, 5, keyboard?, screen!)\n  out.int (n, 0, screen!)",
        b"-12\n",
        b"n? -12\r\n-12",
    ),
    (
        "ask.byte",
        "BYTE b:\nSEQ\n  ask.byte (\"b? \", b, 3, keyboard?, screen!)\n  out.byte (b, 0, screen!)",
        b"65\n",
        b"b? 65\r\n65",
    ),
]


def test_input_procedures(tmp_path, backend):
    stdin = b"".join(keys for _, _, keys, _ in INPUT_CASES)
    cases = [(label, code, expected) for label, code, _, expected in INPUT_CASES]
    check_cases(tmp_path, backend, cases, stdin=stdin)


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
    (
        "times",
        "INT x:\nSEQ\n  PAR\n    times.1 ! 3\n    times.2 ! 4\n  times.out ? x\n  out.int (x, 0, screen!)",
        b"12",
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
    ("numbers", "SEQ i = 0 FOR 5\n  INT x:\n  SEQ\n    numbers.out ? x\n    out.int (x, 2, screen!)", b" 0 1 2 3 4"),
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
    ("black.hole", "SEQ\n  SEQ i = 0 FOR 3\n    hole ! 'x'\n  out.string (\"gone\", 0, screen!)", b"gone"),
]

LEGOLAND_NETWORK = """
CHAN INT id.in, id.out, succ.in, succ.out, plus.1, plus.2, plus.out:
CHAN INT times.1, times.2, times.out, delta.in, delta.1, delta.2:
CHAN INT prefix.in, prefix.out, tail.in, tail.out:
CHAN INT integrate.in, integrate.out, pairs.in, pairs.out:
CHAN INT numbers.out, squares.out, fibonacci.out:
CHAN BYTE hole:
PAR
  id (id.in?, id.out!)
  succ (succ.in?, succ.out!)
  plus (plus.1?, plus.2?, plus.out!)
  times (times.1?, times.2?, times.out!)
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
    source = textwrap.dedent(
        """\
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
        """
    )
    result = run(tmp_path, source, backend)
    assert result.stdout == b"         0\r\n         1\r\n         3\r\n         6\r\n"
    assert result.returncode == 1 and b"deadlock" in result.stderr.lower()


# --------------------------------------------------------------------------- the library's interface


# The documented signatures of the public procedures and functions (parameter
# names are not part of the interface; `times` is cspc's reading of the
# Legoland multiplier, by analogy with `plus`).
SIGNATURES = """
PROC out.repeat (VAL BYTE ch, VAL INT n, CHAN BYTE out!)
PROC out.ch (VAL BYTE ch, VAL INT field, CHAN BYTE out!)
PROC out.string (VAL []BYTE s, VAL INT field, CHAN BYTE out!)
PROC out.byte (VAL BYTE b, VAL INT field, CHAN BYTE out!)
PROC out.int (VAL INT n, VAL INT field, CHAN BYTE out!)
PROC out.number (VAL INT n, VAL INT field, CHAN BYTE out!)
PROC out.hex (VAL INT n, VAL INT field, CHAN BYTE out!)
PROC out.bool (VAL BOOL b, VAL INT field, CHAN BYTE out!)
PROC out.yes.no (VAL BOOL b, VAL INT field, CHAN BYTE out!)
PROC flush (CHAN BYTE out!)
PROC in.skip (BYTE ch, CHAN BYTE in?)
PROC in.digit (BYTE d, CHAN BYTE in?, CHAN BYTE out!)
PROC in.string ([]BYTE s, INT length, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC in.bool (BOOL b, CHAN BYTE in?, CHAN BYTE out!)
PROC in.byte.chars ([]BYTE s, INT length, CHAN BYTE in?, CHAN BYTE out!)
INT FUNCTION convert.byte.chars (VAL []BYTE s, VAL INT length)
PROC in.byte (BYTE b, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC in.num.chars ([]BYTE s, INT length, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
BOOL FUNCTION check.num.chars (VAL []BYTE s, VAL INT length)
BOOL, INT FUNCTION convert.num.chars (VAL []BYTE s)
PROC in.int (INT n, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC black.hole (CHAN BYTE in?)
PROC file.in.string ([]BYTE s, INT length, VAL INT max, CHAN BYTE in?)
PROC file.in.token ([]BYTE t, INT length, VAL INT max, CHAN BYTE in?)
PROC file.in.int (INT n, VAL INT max, BOOL ok, CHAN BYTE in?)
PROC file.in.number (INT n, VAL INT max, BOOL ok, CHAN BYTE in?)
PROC ask.string (VAL []BYTE prompt, []BYTE s, INT length, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC ask.bool (VAL []BYTE prompt, BOOL b, CHAN BYTE in?, CHAN BYTE out!)
PROC ask.byte (VAL []BYTE prompt, BYTE b, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC ask.int (VAL []BYTE prompt, INT n, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC cursor.x.y (VAL BYTE x, VAL BYTE y, CHAN BYTE out!)
PROC cursor.up (VAL BYTE n, CHAN BYTE out!)
PROC cursor.down (VAL BYTE n, CHAN BYTE out!)
PROC cursor.right (VAL BYTE n, CHAN BYTE out!)
PROC cursor.left (VAL BYTE n, CHAN BYTE out!)
PROC erase.eol (CHAN BYTE out!)
PROC erase.bol (CHAN BYTE out!)
PROC erase.line (CHAN BYTE out!)
PROC erase.eos (CHAN BYTE out!)
PROC erase.bos (CHAN BYTE out!)
PROC erase.screen (CHAN BYTE out!)
PROC cursor.visible (CHAN BYTE out!)
PROC cursor.invisible (CHAN BYTE out!)
PROC goto.x.y (VAL INT x, VAL INT y, CHAN BYTE out!)
PROC pos.int (VAL INT col, VAL INT row, VAL INT n, VAL INT field, CHAN BYTE out!)
PROC pos.yes.no (VAL INT col, VAL INT row, VAL BOOL b, VAL INT field, CHAN BYTE out!)
PROC make.string ([]BYTE a, VAL INT length)
PROC copy.string (VAL []BYTE a, []BYTE b)
BOOL FUNCTION equal.string (VAL []BYTE a, VAL []BYTE b)
INT FUNCTION compare.string (VAL []BYTE a, VAL []BYTE b)
BOOL FUNCTION starts.with.string (VAL []BYTE needle, VAL []BYTE haystack)
BOOL FUNCTION ends.with.string (VAL []BYTE needle, VAL []BYTE haystack)
BOOL FUNCTION byte.in.string (VAL BYTE needle, VAL []BYTE haystack)
BOOL, INT FUNCTION string.to.int (VAL []BYTE s)
PROC write.string (VAL []BYTE a, VAL INT field, CHAN BYTE out!)
INT, INT FUNCTION random (VAL INT upto, VAL INT seed)
PROC id (CHAN INT in?, CHAN INT out!)
PROC succ (CHAN INT in?, CHAN INT out!)
PROC plus (CHAN INT in.1?, CHAN INT in.2?, CHAN INT out!)
PROC times (CHAN INT in.1?, CHAN INT in.2?, CHAN INT out!)
PROC delta (CHAN INT in?, CHAN INT out.1!, CHAN INT out.2!)
PROC prefix (VAL INT n, CHAN INT in?, CHAN INT out!)
PROC tail (CHAN INT in?, CHAN INT out!)
PROC numbers (CHAN INT out!)
PROC integrate (CHAN INT in?, CHAN INT out!)
PROC pairs (CHAN INT in?, CHAN INT out!)
PROC squares (CHAN INT out!)
PROC fibonacci (CHAN INT out!)
"""

CONSTANTS = {
    "NULL": ("BYTE", 0),
    "BELL": ("BYTE", 7),
    "BACK": ("BYTE", 8),
    "ESCAPE": ("BYTE", 27),
    "DELETE": ("BYTE", 127),
    "FLUSH": ("BYTE", 255),
    "END.OF.FILE": ("BYTE", 255),
    "string.less": ("INT", -1),
    "string.same": ("INT", 0),
    "string.more": ("INT", 1),
}


def documented_signatures() -> dict[str, str]:
    """name -> "PROC (kinds of parameters)" or "T FUNCTION (...)", from SIGNATURES."""
    table = {}
    for line in SIGNATURES.strip().splitlines():
        head, params = line.split(" (", 1)
        *results, name = head.split(" ")
        kinds = [re.sub(r" [\w.]+([?!]?)$", r"\1", p.strip()) for p in params.rstrip(")").split(",")]
        table[name] = f"{' '.join(results)} ({', '.join(kinds)})"
    return table


def type_text(t) -> str:
    from cspc import syntax

    if isinstance(t, syntax.PrimType):
        return t.name
    if isinstance(t, syntax.ArrayType):
        return ("[]" if t.size is None else "[n]") + type_text(t.elem)
    if isinstance(t, syntax.ChanType):
        return "CHAN " + type_text(t.protocol)
    return type(t).__name__


def declared_signatures(program) -> dict[str, str]:
    from cspc import syntax

    table = {}
    for spec in program.specs:
        if isinstance(spec, (syntax.ProcDecl, syntax.FunctionDecl)):
            kinds = []
            for p in spec.params:
                mode = "VAL " if p.mode == "VAL" else ""
                kinds.append(f"{mode}{type_text(p.type)}{p.direction or ''}")
            if isinstance(spec, syntax.ProcDecl):
                head = "PROC"
            else:
                head = ", ".join(type_text(t) for t in spec.results) + " FUNCTION"
            table[spec.name.name] = f"{head} ({', '.join(kinds)})"
    return table


def test_library_declares_every_documented_name_with_its_signature():
    from cspc import parse
    program = parse.parse_file(str(LIB), [])
    declared = declared_signatures(program)
    for name, signature in documented_signatures().items():
        assert declared.get(name) == signature, name


def test_library_declares_the_documented_constants():
    from cspc import parse
    from cspc import syntax

    program = parse.parse_file(str(LIB), [])
    constants = {
        spec.name.name: spec
        for spec in program.specs
        if isinstance(spec, syntax.Abbreviation) and spec.mode == "VAL"
    }
    for name, (type_name, _) in CONSTANTS.items():
        assert name in constants, name
        assert type_text(constants[name].type) == type_name, name


def test_library_helpers_are_marked_private():
    # Anything the library declares beyond the documented interface is a
    # helper, and is named `course.*` so that it cannot clash with a program.
    from cspc import parse
    from cspc import syntax

    program = parse.parse_file(str(LIB), [])
    public = set(documented_signatures()) | set(CONSTANTS)
    for spec in program.specs:
        name = getattr(spec, "name", None)
        if isinstance(name, syntax.Name) and name.name not in public:
            assert name.name.startswith("course."), name.name
