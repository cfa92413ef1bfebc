"""REALs as text: the course library's out.real32/out.real64 and in.real32/
in.real64, and the predefined REAL32TOSTRING, REAL64TOSTRING, STRINGTOREAL32
and STRINGTOREAL64 beneath them, on both backends.

The expected texts follow the rules of KRoC's (INMOS's) REAL32TOSTRING:
significant digits are got by scaling the value to an integer of at most 9
(REAL64: 17) digits, which is then rounded again, as decimal text, to the
digits the format has room for; a 5 left over by the second rounding goes the
way that undoes the first, or to an even digit when the first was exact.
"""

from __future__ import annotations

import random
import struct
from decimal import Decimal

import pytest
from course_support import BEL, RUB, check_cases, main_program, run

from cspc.runtime import OccamError
from cspc.runtime.realtext import real32_text, real64_text

# A REAL32 (REAL64) whose bits are given: infinities, NaN, negative zero.
BITS32 = {"inf": "#7F800000", "minf": "#FF800000", "nan": "#7FC00000", "mzero": "#80000000"}


def r32(ip: int, dp: int, value: str) -> str:
    if value in BITS32:
        return (
            f"VAL INT bits IS {BITS32[value]}:\n"
            f"VAL REAL32 x RETYPES bits:\n"
            f"out.real32 (x, {ip}, {dp}, screen!)"
        )
    return f"out.real32 ({value}, {ip}, {dp}, screen!)"


def r64(ip: int, dp: int, value: str) -> str:
    return f"out.real64 ({value}, {ip}, {dp}, screen!)"


REAL32_CASES = [
    # free format (0, 0): 9 significant digits, fixed point where it fits
    ("free.one", r32(0, 0, "1.0"), b"1.0"),
    ("free.half", r32(0, 0, "0.5"), b"0.5"),
    ("free.hundred", r32(0, 0, "100.0"), b"100.0"),
    ("free.negative", r32(0, 0, "-2.5"), b"-2.5"),
    ("free.digits", r32(0, 0, "123.456"), b"123.456001"),
    ("free.pi", r32(0, 0, "3.14159"), b"3.14159012"),
    ("free.tenth", r32(0, 0, "0.1"), b"0.100000001"),
    ("free.thousandth", r32(0, 0, "0.001"), b"0.00100000005"),
    ("free.three.zeros", r32(0, 0, "0.00015"), b"0.000150000007"),
    ("free.four.zeros", r32(0, 0, "0.0001"), b"9.99999975E-05"),
    ("free.nine.digits", r32(0, 0, "123456789.0"), b"123456792.0"),
    ("free.ten.digits", r32(0, 0, "1.0E+9"), b"1.0E+09"),
    ("free.big", r32(0, 0, "1.0E+10"), b"1.0E+10"),
    ("free.small", r32(0, 0, "1.0E-5"), b"9.99999975E-06"),
    ("free.largest", r32(0, 0, "3.4E+38"), b"3.39999995E+38"),
    ("free.zero", r32(0, 0, "0.0"), b"0.0"),
    ("free.minus.zero", r32(0, 0, "mzero"), b"-0.0"),
    ("free.inf", r32(0, 0, "inf"), b"Inf"),
    ("free.minus.inf", r32(0, 0, "minf"), b"-Inf"),
    ("free.nan", r32(0, 0, "nan"), b"NaN"),
    # beyond 10**13 the scaling uses rounded powers of ten: KRoC's last digit
    # is not always the correctly rounded one (1.94591720E+34 would be)
    ("free.scaled", r32(0, 0, "1.9459172E+34"), b"1.94591721E+34"),
    # fixed point (ip, dp): ip + dp + 2 characters, a sign place first
    ("fixed.pad", r32(4, 2, "-2.5"), b"   -2.50"),
    ("fixed.pi", r32(3, 3, "3.14159"), b"   3.142"),
    ("fixed.even.down", r32(1, 2, "0.125"), b" 0.12"),
    ("fixed.even.up", r32(1, 2, "0.375"), b" 0.38"),
    ("fixed.round.up", r32(1, 2, "0.006"), b" 0.01"),
    ("fixed.round.down", r32(1, 2, "0.004"), b" 0.00"),
    ("fixed.carry", r32(2, 1, "9.96"), b" 10.0"),
    ("fixed.wide", r32(10, 10, "1.0"), b"          1.0000000000"),
    ("fixed.ten.digits", r32(10, 10, "123.456"), b"        123.4560010000"),
    ("fixed.zero", r32(2, 2, "0.0"), b"  0.00"),
    ("fixed.minus.zero", r32(2, 2, "mzero"), b" -0.00"),
    ("fixed.inf", r32(3, 2, "minf"), b"-Inf   "),
    ("fixed.nan", r32(1, 1, "nan"), b" NaN"),
    # ... too wide for the field: exponent form in the same width, or Ov
    ("fixed.to.exponent", r32(5, 3, "1.0E+10"), b" 1.000E+10"),
    ("fixed.to.one.digit", r32(4, 1, "1.0E+10"), b"  1E+10"),
    ("fixed.to.no.room", r32(2, 2, "1.0E+10"), b" 1E+10"),
    ("fixed.overflow", r32(1, 1, "9.96"), b" Ov "),
    ("fixed.overflow.negative", r32(1, 1, "-123.0"), b"-Ov "),
    ("fixed.overflow.wider", r32(1, 2, "10.0"), b" Ov  "),
    # exponent form (0, dp): dp significant digits, dp + 6 characters
    ("exp.four", r32(0, 4, "12345.0"), b" 1.234E+04"),
    ("exp.four.odd", r32(0, 4, "12355.0"), b" 1.236E+04"),
    ("exp.one.even", r32(0, 1, "2.5"), b"  2E+00"),
    ("exp.one.odd", r32(0, 1, "3.5"), b"  4E+00"),
    ("exp.one.negative", r32(0, 1, "-2.5"), b"- 2E+00"),
    ("exp.nine", r32(0, 9, "0.1"), b" 1.00000001E-01"),
    ("exp.zero.filled", r32(0, 12, "0.1"), b" 1.00000001000E-01"),
    ("exp.zero", r32(0, 3, "0.0"), b" 0.00E+00"),
    ("exp.zero.one", r32(0, 1, "0.0"), b"  0E+00"),
    ("exp.inf", r32(0, 4, "inf"), b" Inf      "),
    ("exp.tiny", r32(0, 4, "1.4E-45"), b" 1.401E-45"),
]

REAL64_CASES = [
    ("free.third", r64(0, 0, "2.0 / 3.0"), b"0.66666666666666663"),
    ("free.tenth", r64(0, 0, "0.1"), b"0.10000000000000001"),
    ("free.one", r64(0, 0, "1.0"), b"1.0"),
    ("free.big", r64(0, 0, "1.0E+100"), b"1.0E+100"),
    ("free.small", r64(0, 0, "1.5E-300"), b"1.5000000000000001E-300"),
    ("exp.five", r64(0, 5, "1.0E+100"), b" 1.0000E+100"),
    ("exp.zero", r64(0, 3, "0.0"), b" 0.00E+000"),
    ("fixed.negative", r64(5, 3, "-1234.5"), b" -1234.500"),
    ("fixed.to.one.digit", r64(3, 3, "1.0E+10"), b"  1E+010"),
    ("fixed.overflow", r64(2, 2, "1.0E+10"), b" Ov   "),
]


def test_out_real32(tmp_path, backend):
    check_cases(tmp_path, backend, REAL32_CASES)


def test_out_real64(tmp_path, backend):
    check_cases(tmp_path, backend, REAL64_CASES)


# --------------------------------------------------------------------------- REALTOSTRING itself


def test_realtostring_returns_the_length_and_fills_the_array(tmp_path):
    program = main_program(
        """
        [20]BYTE text:
        INT length:
        SEQ
          REAL32TOSTRING (length, text, 1.5, 2, 1)
          out.int (length, 0, screen!)
          out.string ([text FOR length], 3, screen!)
          REAL64TOSTRING (length, [text FROM 2 FOR 10], -0.25, 0, 0)
          out.int (length, 3, screen!)
          out.string ([text FROM 2 FOR length], 6, screen!)
        """
    )
    result = run(tmp_path, program, "greenlet")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"5  1.5  5 -0.25"


@pytest.mark.parametrize(
    "call, message",
    [
        ("out.real32 (1.0, -1, 2, screen!)", b"REAL32TOSTRING: no format has -1 places"),
        ("out.real32 (1.0, 3, 0, screen!)", b"no format has 3 places before the point and 0"),
        ("out.real64 (1.0, 60, 10, screen!)", b"the text needs 72 bytes, the array holds 64"),
    ],
)
def test_bad_formats_are_run_time_errors(tmp_path, call, message):
    result = run(tmp_path, main_program(call), "greenlet")
    assert result.returncode == 1
    assert message in result.stderr
    assert b"prog.csp:4" in result.stderr  # the user's line that called into the library


def _f32(bits: int) -> float:
    return struct.unpack(">f", struct.pack(">I", bits))[0]


def test_digits_are_correctly_rounded_where_the_powers_of_ten_are_exact():
    """Between about 1e-4 and 1e21 every power of ten the scaling uses is
    exact in a word, and the digits KRoC's method gives are the correctly
    rounded ones: an oracle independent of the method."""
    rng = random.Random(7)
    checked = 0
    while checked < 3000:
        x = _f32(rng.getrandbits(31))
        if not 1e-4 < x < 1e21:
            continue
        checked += 1
        for digits in (9, 4, 1):
            text = real32_text(x, 0, digits).decode().replace("E", "e")
            assert Decimal(text) == Decimal(format(Decimal(x), f".{digits - 1}e")), x
    for x in (0.1, 2.0 / 3.0, 1e-9, 123456.789, 6.02214076e23 / 1e10):
        text = real64_text(x, 0, 17).decode().replace("E", "e")
        assert Decimal(text) == Decimal(format(Decimal(x), ".16e"))


def test_nine_digits_read_back_as_the_same_real32():
    # 9 significant digits identify a REAL32, and STRINGTOREAL32 reads the
    # exponent form REAL32TOSTRING writes (after its sign place).
    from cspc.runtime.realtext import STRINGTOREAL32

    rng = random.Random(12)
    for _ in range(3000):
        x = _f32(rng.getrandbits(31))
        if x != x:
            continue
        error, back = STRINGTOREAL32(False, 0.0, real32_text(x, 0, 9).strip())
        assert not error and back == x, x


def test_python_level_refusals():
    with pytest.raises(OccamError):
        real32_text(1.0, 0, -1)


# --------------------------------------------------------------------------- STRINGTOREAL


def s2r(kind: str, text: str) -> str:
    return (
        "BOOL error:\n"
        f"{kind} x:\n"
        "SEQ\n"
        f'  STRINGTO{kind} (error, x, "{text}")\n'
        "  out.bool (error, 0, screen!)\n"
        "  screen ! ' '\n"
        f"  out.{kind.lower()} (x, 0, 0, screen!)"
    )


STRINGTOREAL_CASES = [
    ("plain", s2r("REAL32", "12.5"), b"FALSE 12.5"),
    ("signed", s2r("REAL32", "-0.25"), b"FALSE -0.25"),
    ("plus", s2r("REAL32", "+3.0"), b"FALSE 3.0"),
    ("exponent", s2r("REAL32", "12.5E+2"), b"FALSE 1250.0"),
    ("negative.exponent", s2r("REAL32", "1.5E-3"), b"FALSE 0.00150000001"),
    ("many.digits", s2r("REAL32", "3.14159265358979"), b"FALSE 3.14159274"),
    ("huge", s2r("REAL32", "1.0E+39"), b"FALSE Inf"),
    ("tiny", s2r("REAL32", "1.0E-50"), b"FALSE 0.0"),
    # occam's literal syntax: a point and digits after it, a sign after E
    ("no.point", s2r("REAL32", "12"), b"TRUE NaN"),
    ("no.fraction", s2r("REAL32", "12."), b"TRUE NaN"),
    ("unsigned.exponent", s2r("REAL32", "1.0E5"), b"TRUE NaN"),
    ("empty", s2r("REAL32", ""), b"TRUE NaN"),
    # text after a correct real: Error, but the value of the correct part
    ("trailing", s2r("REAL32", "2.5xyz"), b"TRUE 2.5"),
    ("r64.plain", s2r("REAL64", "0.1"), b"FALSE 0.10000000000000001"),
    ("r64.exponent", s2r("REAL64", "-6.25E+100"), b"FALSE -6.2499999999999999E+100"),
    ("r64.bad", s2r("REAL64", "abc"), b"TRUE NaN"),
]


def test_stringtoreal(tmp_path, backend):
    check_cases(tmp_path, backend, STRINGTOREAL_CASES)


# --------------------------------------------------------------------------- in.real32, in.real64


def read_real(kind: str, max_chars: int = 20) -> str:
    return f"""
        {kind} r:
        SEQ
          in.{kind.lower()} (r, {max_chars}, keyboard?, screen!)
          screen ! '='
          out.{kind.lower()} (r, 0, 0, screen!)
        """


IN_REAL_CASES = [
    # (label, process, keys typed, what the screen shows): the echo, then =
    # and the value read
    ("plain", read_real("REAL32"), b"1.5\n", b"1.5=1.5"),
    ("space.ends", read_real("REAL32"), b"-0.25 ", b"-0.25=-0.25"),
    ("exponent", read_real("REAL64"), b"2.5E+3\r", b"2.5E+3=2500.0"),
    # other keys ring the bell and are not kept; backspace rubs out
    ("bell", read_real("REAL32"), b"1x.e5\n", b"1" + BEL + b"." + BEL + b"5=1.5"),
    ("backspace", read_real("REAL32"), b"12\b.5\n", b"12" + RUB + b".5=1.5"),
    # text that is not a REAL is rubbed out, with the bell, and typed again
    ("retyped", read_real("REAL32"), b"12\n3.0\n", b"12" + RUB * 2 + BEL + b"3.0=3.0"),
    ("max", read_real("REAL32", 3), b"1.25\n", b"1.2" + BEL + b"=1.20000005"),
    (
        "ask",
        'REAL32 r:\nSEQ\n  ask.real32 ("r? ", r, 9, keyboard?, screen!)\n'
        "  out.real32 (r, 2, 1, screen!)",
        b"7.0\n",
        b"r? 7.0\r\n  7.0",
    ),
]


def test_in_real(tmp_path, backend):
    stdin = b"".join(keys for _, _, keys, _ in IN_REAL_CASES)
    cases = [(label, code, shown) for label, code, _, shown in IN_REAL_CASES]
    check_cases(tmp_path, backend, cases, stdin=stdin)
