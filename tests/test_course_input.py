"""The course library's input procedures: scripted keystrokes, the echo and the
result KRoC gives (on both backends)."""

from __future__ import annotations

from course_support import BEL, RUB, check_cases

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
        'BOOL b:\nSEQ\n  ask.bool ("ok? ", b, keyboard?, screen!)\n  out.bool (b, 0, screen!)',
        b"n",
        b"ok? no\r\nFALSE",
    ),
    (
        "ask.int",
        'INT n:\nSEQ\n  ask.int ("n? ", n, 5, keyboard?, screen!)\n  out.int (n, 0, screen!)',
        b"-12\n",
        b"n? -12\r\n-12",
    ),
    (
        "ask.byte",
        'BYTE b:\nSEQ\n  ask.byte ("b? ", b, 3, keyboard?, screen!)\n  out.byte (b, 0, screen!)',
        b"65\n",
        b"b? 65\r\n65",
    ),
]


def test_input_procedures(tmp_path, backend):
    stdin = b"".join(keys for _, _, keys, _ in INPUT_CASES)
    cases = [(label, code, expected) for label, code, _, expected in INPUT_CASES]
    check_cases(tmp_path, backend, cases, stdin=stdin)
