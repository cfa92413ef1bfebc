"""The course library's output, screen-control, string, constant and random
procedures, against what KRoC prints (on both backends)."""

from __future__ import annotations

from course_support import ESC, check_cases

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


# --------------------------------------------------------------------------- string buffers


def buffered(size: int, *calls: str, start: int = 0) -> str:
    """Append with each call to a buffer of `size` bytes holding `start`
    bytes of dots, then print the buffer's text and its length."""
    steps = "\n".join(f"  {c}" for c in calls)
    return (
        f"[{size}]BYTE buf:\nINT len:\nSEQ\n  len := {start}\n"
        f"  SEQ i = 0 FOR {start}\n    buf[i] := '.'\n{steps}\n"
        "  out.string ([buf FOR len], 0, screen!)\n  out.int (len, 3, screen!)"
    )


BUFFER_CASES = [
    (
        "string",
        buffered(10, 'buffer.set.string (buf, len, "ab")', 'buffer.set.string (buf, len, "cd")'),
        b"abcd  4",
    ),
    ("string.cut", buffered(5, 'buffer.set.string (buf, len, "abcdef")', start=2), b"..abc  5"),
    ("string.full", buffered(3, 'buffer.set.string (buf, len, "x")', start=3), b"...  3"),
    ("int", buffered(12, "buffer.set.int (buf, len, 42)", "buffer.set.int (buf, len, -7)"), b"42-7  4"),
    ("int.zero", buffered(4, "buffer.set.int (buf, len, 0)"), b"0  1"),
    ("int.mostpos", buffered(12, "buffer.set.int (buf, len, MOSTPOS INT)"), b"2147483647 10"),
    # what does not fit is dropped: the sign and the leading digits are kept
    ("int.cut", buffered(6, "buffer.set.int (buf, len, -98765432)"), b"-98765  6"),
    ("hex", buffered(10, "buffer.set.hex (buf, len, 255)"), b"FF  2"),
    ("hex.zero", buffered(10, "buffer.set.hex (buf, len, 0)"), b"0  1"),
    ("hex.negative", buffered(10, "buffer.set.hex (buf, len, -2)"), b"FFFFFFFE  8"),
    # ... but a hexadecimal number keeps its last digits, as KRoC's does
    ("hex.cut", buffered(6, "buffer.set.hex (buf, len, #ABCDE)", start=3), b"...CDE  6"),
    ("bin8", buffered(10, "buffer.set.bin8 (buf, len, 5)"), b"00000101  8"),
    ("bin8.cut", buffered(4, "buffer.set.bin8 (buf, len, #F0)", start=1), b".111  4"),
    ("real32", buffered(20, "buffer.set.real32 (buf, len, 2, 2, 3.14159)"), b"  3.14  6"),
    ("real32.free", buffered(20, "buffer.set.real32 (buf, len, 0, 0, 0.5)"), b"0.5  3"),
    ("real32.cut", buffered(4, "buffer.set.real32 (buf, len, 0, 3, 1.0)"), b" 1.0  4"),
]


def test_string_buffers(tmp_path, backend):
    check_cases(tmp_path, backend, BUFFER_CASES)
