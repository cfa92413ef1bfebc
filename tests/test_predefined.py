"""occam's predefined routines (LONGSUM, SHIFTLEFT, SQRT, IEEE32OP, MOVE2D,
ASSERT, ...), called from occam programs run on both backends: each case is a
process and the lines it prints.  The expected values are worked out from the
manual's definitions (unsigned words with carries, IEEE rounding), not from
the implementation; REALs are printed as their bits."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cspc.cli import main

PRELUDE = """\
#INCLUDE "course.module"
PROC main (CHAN BYTE keyboard?, screen!, error!)
  PROC int (VAL INT n)
    SEQ
      out.int (n, 0, screen!)
      out.string ("*n", 0, screen!)
  :
  PROC hex (VAL INT n)
    SEQ
      out.hex (n, 0, screen!)
      out.string ("*n", 0, screen!)
  :
  PROC bool (VAL BOOL b)
    SEQ
      out.bool (b, 0, screen!)
      out.string ("*n", 0, screen!)
  :
  PROC r32 (VAL REAL32 r)
    VAL INT bits RETYPES r:
    hex (bits)
  :
  PROC r64 (VAL REAL64 r)
    VAL [2]INT bits RETYPES r:
    SEQ
      out.hex (bits[1], 0, screen!)
      out.hex (bits[0], 0, screen!)
      out.string ("*n", 0, screen!)
  :
  INT a, b, c, n:
  BOOL ok:
  INT32 q:
  REAL32 x, y, nan, inf:
  REAL64 d:
  SEQ
    n := 0  -- added to shift counts and such, so that nothing is constant
    nan := REAL32OP (0.0 (REAL32), 3, 0.0 (REAL32))
    inf := REAL32OP (1.0 (REAL32), 3, 0.0 (REAL32))
"""


def source(body: str) -> str:
    lines = [f"    {line}" for line in body.strip("\n").splitlines()]
    return PRELUDE + "\n".join(lines) + "\n:\n"


def run(tmp_path, text: str, backend: str):
    path = tmp_path / "prog.csp"
    path.write_text(text)
    return CliRunner().invoke(main, ["run", "--backend", backend, str(path)]), path


@pytest.fixture(autouse=True)
def shared_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CSPC_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cspc-cache"))


# family -> [(process, the lines it prints)]
CASES = {
    "carries and borrows": [
        ("a, b := LONGSUM (-1, 1, n)\nint (a)\nint (b)", "1 0"),
        ("a, b := LONGSUM (-1, -1, 1)\nint (a)\nint (b)", "1 -1"),
        ("a, b := LONGSUM (5, 7, 3)  -- only carry.in's low bit counts\nint (a)\nint (b)", "0 13"),
        ("a, b := LONGSUM (MOSTPOS INT, 1, n)  -- unsigned: no overflow\nint (a)\nint (b)", "0 -2147483648"),
        ("a, b := LONGDIFF (0, 1, n)\nint (a)\nint (b)", "1 -1"),
        ("a, b := LONGDIFF (5, 3, 1)\nint (a)\nint (b)", "0 1"),
        ("a, b := LONGDIFF (0, -1, 1)\nint (a)\nint (b)", "1 0"),
        ("a, b := LONGDIFF (MOSTNEG INT, 1, n)\nint (a)\nint (b)", "0 2147483647"),
        ("a, b := LONGPROD (-1, -1, -1)\nint (a)\nint (b)", "-1 0"),
        ("a, b := LONGPROD (MOSTNEG INT, 2, 57)\nint (a)\nint (b)", "1 57"),
        ("a, b := LONGPROD (150, 3, 5)\nint (a)\nint (b)", "0 455"),
        ("a, b := LONGDIV (1, 1, 2)\nint (a)\nint (b)", "-2147483648 1"),
        ("a, b := LONGDIV (0, -1, 16)\nint (a)\nint (b)", "268435455 15"),
        ("a, b := LONGDIV (15, -1, 16)\nint (a)\nint (b)", "-1 15"),
        ("int (LONGADD ((MOSTPOS INT) - 1, n, 3))", "2147483647"),
        ("int (LONGADD (1, 2, 2))", "3"),
        ("int (LONGSUB ((MOSTNEG INT) + 1, n, 1))", "-2147483648"),
        ("int (LONGSUB (-5, -7, n))", "2"),
    ],
    "double shifts": [
        ("a, b := SHIFTLEFT (0, 1, n)\nint (a)\nint (b)", "0 1"),
        ("a, b := SHIFTLEFT (0, 1, n + 31)\nint (a)\nint (b)", "0 -2147483648"),
        ("a, b := SHIFTLEFT (0, 1, n + 32)\nint (a)\nint (b)", "1 0"),
        ("a, b := SHIFTLEFT (0, 1, n + 33)\nint (a)\nint (b)", "2 0"),
        ("a, b := SHIFTLEFT (0, 1, n + 63)\nint (a)\nint (b)", "-2147483648 0"),
        ("a, b := SHIFTLEFT (-1, -1, n + 64)\nint (a)\nint (b)", "0 0"),
        ("a, b := SHIFTLEFT (-1, -1, n + 65)  -- out of range: zero\nint (a)\nint (b)", "0 0"),
        ("a, b := SHIFTLEFT (-1, -1, n - 1)\nint (a)\nint (b)", "0 0"),
        ("a, b := SHIFTRIGHT (MOSTNEG INT, 0, n + 31)\nint (a)\nint (b)", "1 0"),
        ("a, b := SHIFTRIGHT (MOSTNEG INT, 0, n + 32)\nint (a)\nint (b)", "0 -2147483648"),
        ("a, b := SHIFTRIGHT (MOSTNEG INT, 0, n + 33)\nint (a)\nint (b)", "0 1073741824"),
        ("a, b := SHIFTRIGHT (-1, -1, n + 63)\nint (a)\nint (b)", "0 1"),
        ("a, b := SHIFTRIGHT (-1, -1, n + 64)\nint (a)\nint (b)", "0 0"),
        ("a, b := SHIFTRIGHT (5, 0, 1)\nint (a)\nint (b)", "2 -2147483648"),
        ("c, a, b := NORMALISE (0, 1)\nint (c)\nint (a)\nint (b)", "63 -2147483648 0"),
        ("c, a, b := NORMALISE (0, n)\nint (c)\nint (a)\nint (b)", "64 0 0"),
        ("c, a, b := NORMALISE (1, 0)\nint (c)\nint (a)\nint (b)", "31 -2147483648 0"),
        ("c, a, b := NORMALISE (-1, 5)\nint (c)\nint (a)\nint (b)", "0 -1 5"),
        ("c, a, b := NORMALISE (0, -1)\nint (c)\nint (a)\nint (b)", "32 -1 0"),
        ("c, a, b := NORMALISE (MOSTPOS INT, MOSTNEG INT)\nint (c)\nint (a)\nint (b)", "1 -1 0"),
    ],
    "word shifts and rotations": [
        ("int (ASHIFTRIGHT (-8, n + 1))", "-4"),
        ("int (ASHIFTRIGHT (-1, n + 31))", "-1"),
        ("int (ASHIFTRIGHT (-1, n + 32))", "-1"),
        ("int (ASHIFTRIGHT (MOSTPOS INT, n + 32))", "0"),
        ("int (ASHIFTRIGHT (12345, n))", "12345"),
        ("int (ASHIFTLEFT (-7, n + 2))", "-28"),
        ("int (ASHIFTLEFT (1, n + 30))", "1073741824"),
        ("int (ASHIFTLEFT (-1, n + 31))", "-2147483648"),
        ("int (ASHIFTLEFT (0, n + 32))", "0"),
        ("int (ROTATELEFT ((MOSTNEG INT) \\/ 1, n + 1))", "3"),
        ("int (ROTATERIGHT (3, n + 1))", "-2147483647"),
        ("hex (ROTATELEFT (#12345678, n + 4))", "#23456781"),
        ("hex (ROTATERIGHT (#12345678, n + 4))", "#81234567"),
        ("int (ROTATELEFT (5, n))", "5"),
        ("int (ROTATELEFT (5, n + 32))", "5"),
        ("int (ROTATERIGHT (MOSTNEG INT, n + 32))", "-2147483648"),
        ("int (ROTATELEFT (1, n + 33))", "2"),
        ("int (ROTATERIGHT (1, n + 64))  -- SHIFTRIGHT (1, 0, 64): nothing is left", "0"),
        ("int (FRACMUL (#40000000, #40000000))  -- a quarter", "536870912"),
        ("int (FRACMUL (1, 1))", "0"),
        ("int (FRACMUL (#40000000, 3))  -- 1.5 units: to even", "2"),
        ("int (FRACMUL (#40000000, 5))  -- 2.5 units: to even", "2"),
        ("int (FRACMUL (#40000000, 7))  -- 3.5 units: to even", "4"),
        ("int (FRACMUL (-1, #40000000))  -- -0.5 units: to even", "0"),
        ("int (FRACMUL (MOSTNEG INT, MOSTNEG INT))  -- 1.0 wraps", "-2147483648"),
        ("int (FRACMUL (MOSTNEG INT, #40000000))", "-1073741824"),
    ],
    "bits": [
        ("int (BITCOUNT (-1, 3))", "35"),
        ("int (BITCOUNT (#F0F0, n))", "8"),
        ("int (BITREVWORD (1))", "-2147483648"),
        ("hex (BITREVWORD (#0000FFFF))", "#FFFF0000"),
        ("hex (BITREVNBITS (#1234, 16))", "#00002C48"),
        ("int (BITREVNBITS (-1, n))", "0"),
        ("int (BITREVNBITS (1, n + 32))", "-2147483648"),
        ("int (BITREVNBITS (#B, 4))", "13"),
        ("hex (CRCWORD (#12345678, 0, #04C11DB7))  -- of degree < 32: itself", "#12345678"),
        ("hex (CRCWORD (0, 1, #04C11DB7))  -- x**32 mod P", "#04C11DB7"),
        ("hex (CRCWORD (0, 2, #04C11DB7))  -- x**33 mod P", "#09823B6E"),
        ("hex (CRCBYTE (#12345678, 0, #04C11DB7))  -- the top byte", "#00000012"),
        ("hex (CRCBYTE (0, #01000000, #04C11DB7))", "#04C11DB7"),
        ("a, b, c := UNPACKSN (#40490FDB)\nhex (a)\nint (b)\nint (c)", "#C90FDB00 128 1"),
        ("a, b, c := UNPACKSN (n)\nint (a)\nint (b)\nint (c)", "0 0 0"),
        ("a, b, c := UNPACKSN (5)\nint (a)\nint (b)\nint (c)", "1280 1 1"),
        ("a, b, c := UNPACKSN (#7F800000)\nint (a)\nint (b)\nint (c)", "0 255 2"),
        ("a, b, c := UNPACKSN (#7FC00001)\nhex (a)\nint (b)\nint (c)", "#40000100 255 3"),
        ("hex (ROUNDSN (#80, #C90FDB00, 0))", "#40490FDB"),
        ("hex (ROUNDSN (#80, #C90FDB80, 0))  -- a half, odd: up", "#40490FDC"),
        ("hex (ROUNDSN (#80, #C90FDA80, 0))  -- a half, even: down", "#40490FDA"),
        ("hex (ROUNDSN (#80, #C90FDA80, #3000))  -- more than a half", "#40490FDB"),
        ("hex (ROUNDSN (1, #100, 0))", "#00000001"),
    ],
    "floating-point functions": [
        ("r32 (SQRT (2.0 (REAL32)))", "#3FB504F3"),
        ("r64 (DSQRT (2.0 (REAL64)))", "#3FF6A09E#667F3BCD"),
        ("r32 (SQRT (inf))", "#7F800000"),
        ("r32 (MINUSX (0.0 (REAL32)))", "#80000000"),
        ("r32 (ABS (MINUSX (0.0 (REAL32))))", "#00000000"),
        ("r64 (DABS (-2.5 (REAL64)))", "#40040000#00000000"),
        ("r32 (SCALEB (1.0 (REAL32), n + 127))", "#7F000000"),
        ("r32 (SCALEB (1.0 (REAL32), n - 149))", "#00000001"),
        ("r32 (SCALEB (1.0 (REAL32), n - 150))  -- half the least: to even", "#00000000"),
        ("r32 (SCALEB (3.0 (REAL32), n - 150))  -- one and a half: to even", "#00000002"),
        ("r64 (DSCALEB (1.0 (REAL64), n - 1074))", "#00000000#00000001"),
        ("r32 (COPYSIGN (2.0 (REAL32), -1.0 (REAL32)))", "#C0000000"),
        ("r32 (NEXTAFTER (1.0 (REAL32), 2.0 (REAL32)))", "#3F800001"),
        ("r32 (NEXTAFTER (1.0 (REAL32), 0.0 (REAL32)))", "#3F7FFFFF"),
        ("r32 (NEXTAFTER (0.0 (REAL32), -1.0 (REAL32)))", "#80000001"),
        ("r64 (DNEXTAFTER (1.0 (REAL64), 2.0 (REAL64)))", "#3FF00000#00000001"),
        ("r32 (MULBY2 (3.0 (REAL32)))", "#40C00000"),
        ("r32 (DIVBY2 (SCALEB (1.0 (REAL32), n - 149)))", "#00000000"),
        ("r64 (DDIVBY2 (3.0 (REAL64)))", "#3FF80000#00000000"),
        ("r32 (LOGB (8.0 (REAL32)))", "#40400000"),
        ("r32 (LOGB (SCALEB (1.0 (REAL32), n - 149)))  -- a denormal: the field less the bias", "#C2FE0000"),
        ("r32 (LOGB (SCALEB (1.0 (REAL32), n - 126)))", "#C2FC0000"),
        ("r32 (LOGB (inf))", "#7F800000"),
        ("r64 (DLOGB (DSCALEB (1.0 (REAL64), n - 1074)))", "#C08FF800#00000000"),
        ("r32 (LOGB (0.0 (REAL32)))", "#FF800000"),
        ("r64 (DLOGB (0.25 (REAL64)))", "#C0000000#00000000"),
        ("r32 (FPINT (2.5 (REAL32)))", "#40000000"),
        ("r32 (FPINT (3.5 (REAL32)))", "#40800000"),
        ("r32 (FPINT (-0.25 (REAL32)))", "#80000000"),
        ("r64 (DFPINT (1.1 (REAL64)))", "#3FF00000#00000000"),
        ("bool (ISNAN (nan))\nbool (ISNAN (inf))\nbool (NOTFINITE (inf))\nbool (NOTFINITE (1.0 (REAL32)))",
         "TRUE FALSE TRUE FALSE"),
        ("bool (ORDERED (nan, 1.0 (REAL32)))\nbool (ORDERED (1.0 (REAL32), 2.0 (REAL32)))", "FALSE TRUE"),
        ("bool (DISNAN (REAL64OP (0.0 (REAL64), 3, 0.0 (REAL64))))\nbool (DORDERED (1.0 (REAL64), 1.0 (REAL64)))",
         "TRUE TRUE"),
        ("a, x := FLOATING.UNPACK (-6.0 (REAL32))\nint (a)\nr32 (x)", "2 #3FC00000"),
        ("a, x := FLOATING.UNPACK (SCALEB (1.0 (REAL32), n - 149))\nint (a)\nr32 (x)", "-149 #3F800000"),
        ("a, d := DFLOATING.UNPACK (0.75 (REAL64))\nint (a)\nr64 (d)", "-1 #3FF80000#00000000"),
        ("ok, q, x := ARGUMENT.REDUCE (10.0 (REAL32), 3.0 (REAL32), 0.0 (REAL32))\nbool (ok)\nint (INT q)\nr32 (x)",
         "TRUE 3 #3F800000"),
        ("ok, q, d := DARGUMENT.REDUCE (1.1 (REAL64), 3.1415927 (REAL64), 1.0E-8 (REAL64))\nbool (ok)\nint (INT q)\n"
         "bool (d = 1.1 (REAL64))", "TRUE 0 TRUE"),
        ("ok, q, x := ARGUMENT.REDUCE (SCALEB (1.0 (REAL32), 30), 1.0 (REAL32), 0.0 (REAL32))  -- too far apart\n"
         "bool (ok)", "FALSE"),
    ],
    "IEEE arithmetic": [
        ("SEQ rm = 0 FOR 4\n  SEQ\n    ok, x := IEEE32OP (1.0 (REAL32), rm, 3, 3.0 (REAL32))\n    bool (ok)\n    r32 (x)",
         "FALSE #3EAAAAAA FALSE #3EAAAAAB FALSE #3EAAAAAB FALSE #3EAAAAAA"),
        ("SEQ rm = 0 FOR 4\n  SEQ\n    ok, x := IEEE32OP (-1.0 (REAL32), rm, 3, 3.0 (REAL32))\n    r32 (x)",
         "#BEAAAAAA #BEAAAAAB #BEAAAAAA #BEAAAAAB"),
        ("SEQ rm = 0 FOR 4\n  SEQ\n    ok, x := IEEE32OP (1.0 (REAL32), rm, 0, SCALEB (1.0 (REAL32), -24))\n    r32 (x)",
         "#3F800000 #3F800000 #3F800001 #3F800000"),
        ("SEQ rm = 0 FOR 4\n  SEQ\n    ok, x := IEEE32OP (1.0 (REAL32), rm, 1, 1.0 (REAL32))\n    r32 (x)",
         "#00000000 #00000000 #00000000 #80000000"),
        ("SEQ rm = 0 FOR 4\n  SEQ\n    ok, x := IEEE32OP (3.0E38 (REAL32), rm, 2, 2.0 (REAL32))\n    bool (ok)\n    r32 (x)",
         "TRUE #7F7FFFFF TRUE #7F800000 TRUE #7F800000 TRUE #7F7FFFFF"),
        ("SEQ rm = 0 FOR 4\n  SEQ\n    ok, x := IEEE32OP (-3.0E38 (REAL32), rm, 0, -3.0E38 (REAL32))\n    r32 (x)",
         "#FF7FFFFF #FF800000 #FF7FFFFF #FF800000"),
        ("ok, x := IEEE32OP (1.0 (REAL32), 1, 3, 0.0 (REAL32))\nbool (ok)\nr32 (x)", "TRUE #7F800000"),
        ("SEQ rm = 0 FOR 4\n  SEQ\n    ok, d := IEEE64OP (1.0E308 (REAL64), rm, 2, 10.0 (REAL64))\n    bool (ok)\n    r64 (d)",
         "TRUE #7FEFFFFF#FFFFFFFF TRUE #7FF00000#00000000 TRUE #7FF00000#00000000 TRUE #7FEFFFFF#FFFFFFFF"),
        ("ok, x := IEEE32OP (inf, 1, 3, 2.0 (REAL32))\nbool (ok)\nr32 (x)", "TRUE #7F800000"),
        ("ok, x := IEEE32OP (MINUSX (2.0 (REAL32)), 1, 3, inf)\nr32 (x)", "#80000000"),
        ("ok, x := IEEE32OP (inf, 1, 3, nan)\nbool (ok)\nbool (ISNAN (x))", "TRUE TRUE"),
        ("ok, x := IEEE32OP (inf, 1, 2, 0.0 (REAL32))\nbool (ISNAN (x))", "TRUE"),
        ("ok, x := IEEE32OP (inf, 1, 1, inf)\nbool (ok)\nbool (ISNAN (x))", "TRUE TRUE"),
        ("ok, x := IEEE32OP (2.0 (REAL32), 1, 2, 3.0 (REAL32))\nbool (ok)\nr32 (x)", "FALSE #40C00000"),
        ("ok, d := IEEE64OP (1.0 (REAL64), 2, 3, 3.0 (REAL64))\nbool (ok)\nr64 (d)", "FALSE #3FD55555#55555556"),
        ("ok, d := IEEE64OP (1.0 (REAL64), 1, 3, 3.0 (REAL64))\nr64 (d)", "#3FD55555#55555555"),
        ("SEQ rm = 0 FOR 4\n  SEQ\n    ok, d := IEEE64OP (1.0 (REAL64), rm, 1, DSCALEB (1.0 (REAL64), -60))\n    r64 (d)",
         "#3FEFFFFF#FFFFFFFF #3FF00000#00000000 #3FF00000#00000000 #3FEFFFFF#FFFFFFFF"),
        ("r32 (REAL32OP (1.0 (REAL32), 3, 3.0 (REAL32)))", "#3EAAAAAB"),
        ("r32 (REAL32OP (1.0 (REAL32), 3, 0.0 (REAL32)))  -- no error checking", "#7F800000"),
        ("r64 (REAL64OP (1.5 (REAL64), 1, 0.25 (REAL64)))", "#3FF40000#00000000"),
        ("ok, x := IEEE32REM (10.0 (REAL32), 6.0 (REAL32))\nbool (ok)\nr32 (x)", "FALSE #C0000000"),
        ("ok, x := IEEE32REM (1.0 (REAL32), 0.0 (REAL32))\nbool (ok)\nbool (ISNAN (x))", "TRUE TRUE"),
        ("ok, d := IEEE64REM (1.0 (REAL64), 2.0 (REAL64))\nbool (ok)\nr64 (d)", "FALSE #3FF00000#00000000"),
        ("r64 (REAL64REM (7.0 (REAL64), 2.0 (REAL64)))  -- 3.5 rounds to 4", "#BFF00000#00000000"),
        ("r32 (REAL32REM (5.0 (REAL32), 2.0 (REAL32)))  -- 2.5 rounds to 2", "#3F800000"),
        ("bool (REAL32EQ (0.0 (REAL32), MINUSX (0.0 (REAL32))))\nbool (REAL32EQ (nan, nan))", "TRUE FALSE"),
        ("bool (REAL32GT (2.0 (REAL32), 1.0 (REAL32)))\nbool (REAL64GT (1.0 (REAL64), 1.0 (REAL64)))", "TRUE FALSE"),
        ("int (IEEECOMPARE (1.0 (REAL32), 2.0 (REAL32)))\nint (IEEECOMPARE (2.0 (REAL32), 2.0 (REAL32)))\n"
         "int (IEEECOMPARE (3.0 (REAL32), 2.0 (REAL32)))\nint (IEEECOMPARE (nan, 1.0 (REAL32)))", "-1 0 1 2"),
        ("int (DIEEECOMPARE (1.0 (REAL64), 0.5 (REAL64)))", "1"),
    ],
    "block moves": [
        ("[3][4]BYTE src, dst:\nSEQ\n  SEQ i = 0 FOR 3\n    SEQ j = 0 FOR 4\n      src[i][j], dst[i][j] := BYTE ((i * 4) + j), 99\n"
         "  MOVE2D (src, 1, 1, dst, 0, 0, 2, 2)\n  DRAW2D (src, 0, 0, dst, 2, 0, 2, 1)\n  CLIP2D (src, 0, 0, dst, 2, 2, 2, 1)\n"
         "  MOVE2D (src, 0, 0, dst, 0, 2, 0, 5)  -- no width: nothing moves\n"
         "  SEQ i = 0 FOR 3\n    SEQ j = 0 FOR 4\n      int (INT dst[i][j])",
         "5 6 99 1  9 10 99 99  99 99 0 99"),
    ],
    "ASSERT": [
        ("ASSERT (n = 0)\nint (1)", "1"),
    ],
}


@pytest.mark.parametrize("family", sorted(CASES))
def test_predefined_routines(family, tmp_path, backend):
    body = "\n".join(process for process, _ in CASES[family])
    result, _ = run(tmp_path, source(body), backend)
    assert result.stderr == ""
    assert result.exit_code == 0
    got = result.stdout.split()
    want = " ".join(printed for _, printed in CASES[family]).split()
    assert got == want


# process -> what the run-time error says; the error is on the process's first line.
ERRORS = {
    "int (LONGADD (MOSTPOS INT, n, 1))": "arithmetic overflow in LONGADD",
    "int (LONGSUB (MOSTNEG INT, 1, n))": "arithmetic overflow in LONGSUB",
    "a, b := LONGDIV (1, 2, n)": "division by zero in LONGDIV",
    "a, b := LONGDIV (5, 0, 5)": "arithmetic overflow in LONGDIV",
    "int (ASHIFTLEFT (1, n + 31))": "arithmetic overflow in ASHIFTLEFT",
    "int (ASHIFTRIGHT (1, n + 33))": "ASHIFTRIGHT: shift count 33 out of range (0 to 32)",
    "int (ASHIFTLEFT (1, n - 1))": "ASHIFTLEFT: shift count -1 out of range (0 to 32)",
    "int (BITREVNBITS (1, n + 33))": "BITREVNBITS: bit count 33 out of range",
    "x := REAL32OP (1.0 (REAL32), n + 4, 1.0 (REAL32))": "REAL32 operation code 4 out of range (0 to 3)",
    "ok, x := IEEE32OP (1.0 (REAL32), n + 4, 0, 1.0 (REAL32))": "IEEE rounding mode 4 out of range",
    "a, x := FLOATING.UNPACK (0.0 (REAL32))": "FLOATING.UNPACK of 0.0",
    "x := SQRT ((REAL32 ROUND n) - 1.0 (REAL32))": "SQRT of a negative number",
    "x := SCALEB (1.0 (REAL32), n + 128)": "floating-point overflow in SCALEB",
    "d := DMULBY2 (DSCALEB (1.0 (REAL64), n + 1023))": "floating-point overflow in DMULBY2",
    "ASSERT (n = 1)": "ASSERT: the condition is FALSE",
    "CAUSEERROR ()": "CAUSEERROR () was called",
    "[2][2]BYTE s, t:\nMOVE2D (s, 0, 0, t, 1, 0, 2, 1)": "MOVE2D: the block's columns are outside the array",
    "[2][2]BYTE s, t:\nDRAW2D (s, 0, 1, t, 0, 0, 1, 2)": "DRAW2D: the block's rows are outside the array",
}
FIRST_LINE = PRELUDE.count("\n") + 1


@pytest.mark.parametrize("process", sorted(ERRORS))
def test_misuse_at_run_time_is_an_error_at_the_call(process, tmp_path, backend):
    result, path = run(tmp_path, source(process), backend)
    assert result.exit_code == 1, result.stderr
    first, *rest = result.stderr.splitlines()
    line = FIRST_LINE + process.count("\n")
    assert first.startswith(f"{path}:{line}:"), first
    assert f"run-time error: {ERRORS[process]}" in first
    assert "Traceback" not in result.stderr


HIDDEN = """\
#INCLUDE "course.module"
INT FUNCTION LONGADD (VAL INT a, b) IS a * b:  -- hides the predefined one
REAL32 FUNCTION SQRT (VAL REAL32 x) IS SQRT (x) * 2.0 (REAL32):  -- the predefined SQRT inside
PROC main (CHAN BYTE keyboard?, screen!, error!)
  PROC ASSERT (VAL BOOL b)
    IF
      b
        out.string ("mine: TRUE*n", 0, screen!)
      TRUE
        out.string ("mine: FALSE*n", 0, screen!)
  :
  SEQ
    out.int (LONGADD (3, 4), 0, screen!)
    out.string ("*n", 0, screen!)
    out.int (INT ROUND SQRT (49.0 (REAL32)), 0, screen!)
    out.string ("*n", 0, screen!)
    ASSERT (FALSE)
    INT hi, lo:
    SEQ
      hi, lo := LONGSUM (-1, 1, 0)  -- not hidden
      out.int (hi, 0, screen!)
      out.string ("*n", 0, screen!)
:
"""


def test_a_users_declaration_hides_a_predefined_name(tmp_path, backend):
    result, _ = run(tmp_path, HIDDEN, backend)
    assert result.stderr == ""
    assert result.exit_code == 0
    assert result.stdout == "12\n14\nmine: FALSE\n1\n"


def test_every_predefined_heading_has_its_routine_in_the_abi():
    from cspc.check.predefined import predefined_symbols
    from cspc.names import base_identifier
    from cspc.runtime import occam

    headings = sorted(base_identifier(name) for name in predefined_symbols())
    assert headings == sorted(occam.PREDEFINED)
    assert all(callable(getattr(occam, name)) for name in headings)
