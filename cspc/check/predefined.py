"""occam's predefined routines: the scope under the program's own top level.

occam 2.1 (and KRoC's occ21, without any #USE) gives every program the
routines of the reference manual's appendices: the "extraordinary" integer
arithmetic (LONGADD, LONGPROD, SHIFTLEFT, NORMALISE, ...), the bit
operations (BITCOUNT, CRCWORD, ...), the floating-point functions (ABS,
SQRT, SCALEB, ...), the IEEE arithmetic (REAL32OP, IEEE64OP, IEEECOMPARE,
...), the block moves (MOVE2D, DRAW2D, CLIP2D) and ASSERT; and, from the
occam 2.1 conversion library (KRoC's convert.module), the conversions between
REALs and text (REAL32TOSTRING, STRINGTOREAL64, ...).

They are declared here once, by their occam headings, so that the checks
treat a call of one exactly as a call of a user's routine (argument count
and types, several results, the messages).  The headings are parsed and
checked once per process; :func:`predefined_symbols` hands out their
Symbols, marked ``predefined``.  The scope holding them lies below the
program's top level, so a user's declaration of the same name hides one.

The bodies here are placeholders that never run: the code generator calls
the routine of the same name in ``cspc.runtime.predefined`` (through the ABI
module ``cspc.runtime.occam``), with the calling convention of a compiled
routine.
"""

from __future__ import annotations

import functools
import math

from cspc import syntax as S
from cspc.check.constants import ConstError
from cspc.diagnostics import InternalError, Reporter
from cspc.names import base_identifier

# The file name the headings' positions carry: a note "declared here" on a
# predefined routine quotes its heading from this text.
PREDEFINED_FILE = "<predefined>"

HEADINGS = """\
-- integer arithmetic on words (the manual's "extraordinary" arithmetic)
INT FUNCTION LONGADD (VAL INT left, right, carry.in) IS 0:
INT, INT FUNCTION LONGSUM (VAL INT left, right, carry.in) IS 0, 0:
INT FUNCTION LONGSUB (VAL INT left, right, borrow.in) IS 0:
INT, INT FUNCTION LONGDIFF (VAL INT left, right, borrow.in) IS 0, 0:
INT, INT FUNCTION LONGPROD (VAL INT left, right, carry.in) IS 0, 0:
INT, INT FUNCTION LONGDIV (VAL INT dividend.hi, dividend.lo, divisor) IS 0, 0:
INT, INT FUNCTION SHIFTRIGHT (VAL INT hi.in, lo.in, places) IS 0, 0:
INT, INT FUNCTION SHIFTLEFT (VAL INT hi.in, lo.in, places) IS 0, 0:
INT, INT, INT FUNCTION NORMALISE (VAL INT hi.in, lo.in) IS 0, 0, 0:
INT FUNCTION ASHIFTRIGHT (VAL INT argument, places) IS 0:
INT FUNCTION ASHIFTLEFT (VAL INT argument, places) IS 0:
INT FUNCTION ROTATERIGHT (VAL INT argument, places) IS 0:
INT FUNCTION ROTATELEFT (VAL INT argument, places) IS 0:
INT FUNCTION FRACMUL (VAL INT x, y) IS 0:
-- bits
INT FUNCTION BITCOUNT (VAL INT word, count.in) IS 0:
INT FUNCTION BITREVWORD (VAL INT word) IS 0:
INT FUNCTION BITREVNBITS (VAL INT word, n) IS 0:
INT FUNCTION CRCWORD (VAL INT data, crc.in, generator) IS 0:
INT FUNCTION CRCBYTE (VAL INT data, crc.in, generator) IS 0:
-- single-length floating-point support on words
INT, INT, INT FUNCTION UNPACKSN (VAL INT x) IS 0, 0, 0:
INT FUNCTION ROUNDSN (VAL INT exp, frac, guard) IS 0:
-- floating-point functions
REAL32 FUNCTION ABS (VAL REAL32 x) IS x:
REAL64 FUNCTION DABS (VAL REAL64 x) IS x:
REAL32 FUNCTION SQRT (VAL REAL32 x) IS x:
REAL64 FUNCTION DSQRT (VAL REAL64 x) IS x:
REAL32 FUNCTION SCALEB (VAL REAL32 x, VAL INT n) IS x:
REAL64 FUNCTION DSCALEB (VAL REAL64 x, VAL INT n) IS x:
REAL32 FUNCTION COPYSIGN (VAL REAL32 x, y) IS x:
REAL64 FUNCTION DCOPYSIGN (VAL REAL64 x, y) IS x:
REAL32 FUNCTION NEXTAFTER (VAL REAL32 x, y) IS x:
REAL64 FUNCTION DNEXTAFTER (VAL REAL64 x, y) IS x:
REAL32 FUNCTION MINUSX (VAL REAL32 x) IS x:
REAL64 FUNCTION DMINUSX (VAL REAL64 x) IS x:
REAL32 FUNCTION MULBY2 (VAL REAL32 x) IS x:
REAL64 FUNCTION DMULBY2 (VAL REAL64 x) IS x:
REAL32 FUNCTION DIVBY2 (VAL REAL32 x) IS x:
REAL64 FUNCTION DDIVBY2 (VAL REAL64 x) IS x:
REAL32 FUNCTION LOGB (VAL REAL32 x) IS x:
REAL64 FUNCTION DLOGB (VAL REAL64 x) IS x:
REAL32 FUNCTION FPINT (VAL REAL32 x) IS x:
REAL64 FUNCTION DFPINT (VAL REAL64 x) IS x:
BOOL FUNCTION ISNAN (VAL REAL32 x) IS FALSE:
BOOL FUNCTION DISNAN (VAL REAL64 x) IS FALSE:
BOOL FUNCTION NOTFINITE (VAL REAL32 x) IS FALSE:
BOOL FUNCTION DNOTFINITE (VAL REAL64 x) IS FALSE:
BOOL FUNCTION ORDERED (VAL REAL32 x, y) IS FALSE:
BOOL FUNCTION DORDERED (VAL REAL64 x, y) IS FALSE:
INT, REAL32 FUNCTION FLOATING.UNPACK (VAL REAL32 x) IS 0, x:
INT, REAL64 FUNCTION DFLOATING.UNPACK (VAL REAL64 x) IS 0, x:
BOOL, INT32, REAL32 FUNCTION ARGUMENT.REDUCE (VAL REAL32 x, y, y.err) IS FALSE, 0(INT32), x:
BOOL, INT32, REAL64 FUNCTION DARGUMENT.REDUCE (VAL REAL64 x, y, y.err) IS FALSE, 0(INT32), x:
-- IEEE arithmetic (op: 0 +, 1 -, 2 *, 3 /; rounding: 0 to zero, 1 nearest, 2 up, 3 down)
REAL32 FUNCTION REAL32OP (VAL REAL32 x, VAL INT op, VAL REAL32 y) IS x:
REAL64 FUNCTION REAL64OP (VAL REAL64 x, VAL INT op, VAL REAL64 y) IS x:
BOOL, REAL32 FUNCTION IEEE32OP (VAL REAL32 x, VAL INT rounding, op, VAL REAL32 y) IS FALSE, x:
BOOL, REAL64 FUNCTION IEEE64OP (VAL REAL64 x, VAL INT rounding, op, VAL REAL64 y) IS FALSE, x:
REAL32 FUNCTION REAL32REM (VAL REAL32 x, y) IS x:
REAL64 FUNCTION REAL64REM (VAL REAL64 x, y) IS x:
BOOL, REAL32 FUNCTION IEEE32REM (VAL REAL32 x, y) IS FALSE, x:
BOOL, REAL64 FUNCTION IEEE64REM (VAL REAL64 x, y) IS FALSE, x:
BOOL FUNCTION REAL32EQ (VAL REAL32 x, y) IS FALSE:
BOOL FUNCTION REAL64EQ (VAL REAL64 x, y) IS FALSE:
BOOL FUNCTION REAL32GT (VAL REAL32 x, y) IS FALSE:
BOOL FUNCTION REAL64GT (VAL REAL64 x, y) IS FALSE:
INT FUNCTION IEEECOMPARE (VAL REAL32 x, y) IS 0:
INT FUNCTION DIEEECOMPARE (VAL REAL64 x, y) IS 0:
-- block moves on two-dimensional byte arrays
PROC MOVE2D (VAL [][]BYTE source, VAL INT sx, sy, [][]BYTE dest, VAL INT dx, dy, width, length)
  SKIP
:
PROC DRAW2D (VAL [][]BYTE source, VAL INT sx, sy, [][]BYTE dest, VAL INT dx, dy, width, length)
  SKIP
:
PROC CLIP2D (VAL [][]BYTE source, VAL INT sx, sy, [][]BYTE dest, VAL INT dx, dy, width, length)
  SKIP
:
-- conversions between REALs and text (the occam 2.1 library's)
PROC REAL32TOSTRING (INT len, []BYTE string, VAL REAL32 X, VAL INT Ip, Dp)
  SKIP
:
PROC REAL64TOSTRING (INT len, []BYTE string, VAL REAL64 X, VAL INT Ip, Dp)
  SKIP
:
PROC STRINGTOREAL32 (BOOL Error, REAL32 X, VAL []BYTE string)
  SKIP
:
PROC STRINGTOREAL64 (BOOL Error, REAL64 X, VAL []BYTE string)
  SKIP
:
-- processes
PROC ASSERT (VAL BOOL test)
  SKIP
:
PROC CAUSEERROR ()
  SKIP
:
PROC RESCHEDULE ()
  SKIP
:
"""


@functools.cache
def predefined_symbols() -> dict[str, S.Symbol]:
    """occam name -> the Symbol of each predefined routine (made once per process)."""
    from cspc.check.resolve import Resolver
    from cspc.parse import parse_text

    program = parse_text(HEADINGS, PREDEFINED_FILE)
    reporter = Reporter()
    Resolver(reporter).program(program)
    if reporter.errors:
        raise InternalError(f"the predefined headings do not check: {reporter.errors[0]}")
    symbols: dict[str, S.Symbol] = {}
    for spec in program.specs:
        if isinstance(spec, (S.ProcDecl, S.FunctionDecl)):
            spec.name.symbol.predefined = True
            symbols[spec.name.name] = spec.name.symbol
    return symbols


# The routines whose second argument counts bits: occ21 refuses a constant count
# beyond the word (32).
COUNTED = {"ASHIFTLEFT": "shift", "ASHIFTRIGHT": "shift", "ROTATELEFT": "shift",
           "ROTATERIGHT": "shift", "BITREVNBITS": "bit"}  # fmt: skip


def count_problem(name: str, args: list[S.Expr]) -> str | None:
    """What is wrong with a constant count given to ASHIFTLEFT, ROTATERIGHT,
    BITREVNBITS, ... (None when nothing is, or the count is not constant)."""
    what = COUNTED.get(name)
    if what is None or len(args) != 2 or not isinstance(args[1].const, int):
        return None
    count = args[1].const
    if 0 <= count <= 32:
        return None
    return f"{what} count {count} of `{name}' out of range (0 to 32)"


def fold(name: str, values: list) -> object:
    """The value of a predefined FUNCTION with one result applied to constants,
    as occ21 folds it (None if it has several results, or its value is no
    finite number, which is left to the run time).  What would be an error as
    the program runs is a ConstError."""
    from cspc.runtime import OccamError, occam

    try:
        value = getattr(occam, base_identifier(name))(*values)
    except OccamError as err:
        raise ConstError(f"{err} (in a constant expression)") from None
    if isinstance(value, tuple) or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value
