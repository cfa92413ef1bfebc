"""occam's predefined routines, as compiled code calls them.

The checks declare them (``cspc/check/predefined.py``, their occam headings);
compiled code calls the function of the same name here (dots become
underscores: FLOATING.UNPACK is ``FLOATING_UNPACK``), imported through the
ABI module ``cspc.runtime.occam``, with the calling convention of a compiled
routine: VAL parameters as values, a FUNCTION's results as a tuple when it
has several, arrays changed in place.

INT is a 32-bit two's complement word.  The LONG routines and the double
shifts see their operands as unsigned words; REAL32 values are Python floats
that hold single-precision values, and every REAL32 result is rounded to
single precision.  The IEEE operations with a rounding mode compute the
exact result with fractions and round it in that mode, so all four modes are
exact.  What the manual makes an error (LONGADD overflow, LONGDIV overflow,
an operation code out of range, ...) raises :class:`OccamError`, which the
top level reports at the .csp line of the call.

One file, over 600 lines: one function per predefined routine of the occam 2.1 manual's
appendix, in its order; they share the word helpers at the top.
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction

from cspc.runtime.errors import OccamError
from cspc.runtime.fair import tick
from cspc.runtime.realtext import (  # noqa: F401 -- written there, listed here
    REAL32TOSTRING,
    REAL64TOSTRING,
    STRINGTOREAL32,
    STRINGTOREAL64,
)

__all__ = (
    "LONGADD", "LONGSUM", "LONGSUB", "LONGDIFF", "LONGPROD", "LONGDIV",
    "SHIFTRIGHT", "SHIFTLEFT", "NORMALISE", "ASHIFTRIGHT", "ASHIFTLEFT",
    "ROTATERIGHT", "ROTATELEFT", "FRACMUL",
    "BITCOUNT", "BITREVWORD", "BITREVNBITS", "CRCWORD", "CRCBYTE",
    "UNPACKSN", "ROUNDSN",
    "ABS", "DABS", "SQRT", "DSQRT", "SCALEB", "DSCALEB", "COPYSIGN", "DCOPYSIGN",
    "NEXTAFTER", "DNEXTAFTER", "MINUSX", "DMINUSX", "MULBY2", "DMULBY2",
    "DIVBY2", "DDIVBY2", "LOGB", "DLOGB", "FPINT", "DFPINT",
    "ISNAN", "DISNAN", "NOTFINITE", "DNOTFINITE", "ORDERED", "DORDERED",
    "FLOATING_UNPACK", "DFLOATING_UNPACK", "ARGUMENT_REDUCE", "DARGUMENT_REDUCE",
    "REAL32OP", "REAL64OP", "IEEE32OP", "IEEE64OP", "REAL32REM", "REAL64REM",
    "IEEE32REM", "IEEE64REM", "REAL32EQ", "REAL64EQ", "REAL32GT", "REAL64GT",
    "IEEECOMPARE", "DIEEECOMPARE",
    "MOVE2D", "DRAW2D", "CLIP2D", "ASSERT", "CAUSEERROR", "RESCHEDULE",
    "REAL32TOSTRING", "REAL64TOSTRING", "STRINGTOREAL32", "STRINGTOREAL64",
)  # fmt: skip

BITS = 32
WORD = (1 << BITS) - 1
MOSTNEG = -(1 << (BITS - 1))
MOSTPOS = (1 << (BITS - 1)) - 1


def _unsigned(x: int) -> int:
    return x & WORD


def _signed(x: int) -> int:
    """x's low word as an INT."""
    x &= WORD
    return x - (1 << BITS) if x >> (BITS - 1) else x


def _fail(message: str):
    raise OccamError(message)


# --------------------------------------------------------------------------- integer arithmetic


def LONGADD(left, right, carry_in):
    """left + right + (carry.in's low bit), signed: overflow is an error."""
    total = left + right + (carry_in & 1)
    if not MOSTNEG <= total <= MOSTPOS:
        _fail("arithmetic overflow in LONGADD")
    return total


def LONGSUM(left, right, carry_in):
    """The unsigned sum of left, right and carry.in's low bit: (carry out, sum)."""
    total = _unsigned(left) + _unsigned(right) + (carry_in & 1)
    return total >> BITS, _signed(total)


def LONGSUB(left, right, borrow_in):
    """left - right - (borrow.in's low bit), signed: overflow is an error."""
    total = left - right - (borrow_in & 1)
    if not MOSTNEG <= total <= MOSTPOS:
        _fail("arithmetic overflow in LONGSUB")
    return total


def LONGDIFF(left, right, borrow_in):
    """The unsigned difference left - right - borrow.in's low bit: (borrow out, difference)."""
    total = _unsigned(left) - _unsigned(right) - (borrow_in & 1)
    return (1 if total < 0 else 0), _signed(total)


def LONGPROD(left, right, carry_in):
    """The unsigned product left * right + carry.in as two words, high first."""
    total = _unsigned(left) * _unsigned(right) + _unsigned(carry_in)
    return _signed(total >> BITS), _signed(total)


def LONGDIV(dividend_hi, dividend_lo, divisor):
    """The unsigned double word hi:lo divided by divisor: (quotient, remainder).

    The quotient must fit a word: hi must be below the divisor (unsigned), so a
    zero divisor is an error too."""
    d = _unsigned(divisor)
    if d == 0:
        _fail("division by zero in LONGDIV")
    if _unsigned(dividend_hi) >= d:
        _fail("arithmetic overflow in LONGDIV (the quotient does not fit a word)")
    q, r = divmod((_unsigned(dividend_hi) << BITS) | _unsigned(dividend_lo), d)
    return _signed(q), _signed(r)


def _double(hi, lo) -> int:
    return (_unsigned(hi) << BITS) | _unsigned(lo)


def _halves(n):
    return _signed(n >> BITS), _signed(n)


def SHIFTRIGHT(hi_in, lo_in, places):
    """The double word hi:lo shifted right (zeros come in); a count outside
    0..64 gives zero, as in the manual."""
    if not 0 <= places <= 2 * BITS:
        return 0, 0
    return _halves(_double(hi_in, lo_in) >> places)


def SHIFTLEFT(hi_in, lo_in, places):
    """The double word hi:lo shifted left (bits shifted out are lost); a count
    outside 0..64 gives zero."""
    if not 0 <= places <= 2 * BITS:
        return 0, 0
    return _halves(_double(hi_in, lo_in) << places)


def NORMALISE(hi_in, lo_in):
    """hi:lo shifted left until its top bit is set: (places, hi, lo); a zero
    double word gives 64 places."""
    n = _double(hi_in, lo_in)
    if n == 0:
        return 2 * BITS, 0, 0
    places = 2 * BITS - n.bit_length()
    return (places,) + _halves(n << places)


def _places(name, places):
    if not 0 <= places <= BITS:
        _fail(f"{name}: shift count {places} out of range (0 to {BITS})")


def ASHIFTRIGHT(argument, places):
    """Arithmetic shift right: the sign bit comes in at the top."""
    _places("ASHIFTRIGHT", places)
    return argument >> places


def ASHIFTLEFT(argument, places):
    """Arithmetic shift left: an error if the value does not fit (overflow)."""
    _places("ASHIFTLEFT", places)
    result = argument << places
    if not MOSTNEG <= result <= MOSTPOS:
        _fail("arithmetic overflow in ASHIFTLEFT")
    return result


def ROTATERIGHT(argument, places):
    """The word rotated right: the manual's SHIFTRIGHT (argument, 0, places),
    its two words or-ed together (so a count of 32 gives the word back)."""
    hi, lo = SHIFTRIGHT(argument, 0, places)
    return hi | lo


def ROTATELEFT(argument, places):
    """The word rotated left: SHIFTLEFT (0, argument, places), its words or-ed."""
    hi, lo = SHIFTLEFT(0, argument, places)
    return hi | lo


def FRACMUL(x, y):
    """x times y as fractions of 2**31 (sign and 31 fraction bits), rounded
    to nearest (ties to even); the product of MOSTNEG with itself wraps."""
    q, r = divmod(x * y, 1 << (BITS - 1))
    half = 1 << (BITS - 2)
    if r > half or (r == half and q & 1):
        q += 1
    return _signed(q)


# --------------------------------------------------------------------------- bits


def BITCOUNT(word, count_in):
    """The number of bits set in word, plus count.in."""
    return _signed(bin(_unsigned(word)).count("1") + count_in)


def _reverse(word) -> int:
    return int(f"{_unsigned(word):0{BITS}b}"[::-1], 2)


def BITREVWORD(word):
    """The word with its bits in the reverse order."""
    return _signed(_reverse(word))


def BITREVNBITS(word, n):
    """The low n bits of word reversed, the others zero (n from 0 to 32)."""
    if not 0 <= n <= BITS:
        _fail(f"BITREVNBITS: bit count {n} out of range (0 to {BITS})")
    return _signed(_reverse(word) >> (BITS - n))


def _crc(data, crc, generator, steps):
    """The CRC of data's top ``steps`` bits, starting from crc: the double
    word crc:data shifted left a bit at a time, generator added (xor) into
    crc whenever a set bit leaves its top."""
    crc, data, generator = _unsigned(crc), _unsigned(data), _unsigned(generator)
    for _ in range(steps):
        top = crc >> (BITS - 1)
        crc = ((crc << 1) | (data >> (BITS - 1))) & WORD
        data = (data << 1) & WORD
        if top:
            crc ^= generator
    return _signed(crc)


def CRCWORD(data, crc_in, generator):
    return _crc(data, crc_in, generator, BITS)


def CRCBYTE(data, crc_in, generator):
    """The CRC step for one byte: the most significant byte of data."""
    return _crc(data, crc_in, generator, 8)


def UNPACKSN(x):
    """The single-length number in x's bits unpacked: (fraction, exponent,
    type), the fraction shifted up 8 bits with its implicit bit; type 0 for a
    zero, 1 for a (de)normalised number, 2 for an infinity, 3 for a NaN."""
    x = _unsigned(x)
    exp, frac = (x >> 23) & 0xFF, x & 0x7FFFFF
    if exp == 0 and frac == 0:
        return 0, 0, 0
    if exp == 0xFF:
        return _signed(frac << 8), exp, (2 if frac == 0 else 3)
    if exp == 0:
        return _signed(frac << 8), 1, 1
    return _signed((frac | 0x800000) << 8), exp, 1


def ROUNDSN(exp, frac, guard):
    """A number as UNPACKSN gives it, packed back into single-length bits and
    rounded to nearest (bits 0-7 of frac and guard are the rounding bits)."""
    frac = _unsigned(frac)
    value = (frac >> 8) + ((exp - 1) << 23)
    low, sticky = frac & 0xFF, (frac & 0x7F) | _unsigned(guard)
    if low & 0x80 and (sticky or value & 1):
        value += 1
    if value >= 0x7F800000:
        value = 0x7F800000
    return _signed(value)


# --------------------------------------------------------------------------- the two formats


class _Format:
    def __init__(self, name, precision, emin, emax, exp_bits, pack, max_diff):
        self.name, self.precision, self.emin, self.emax = name, precision, emin, emax
        self.exp_bits, self.struct, self.max_diff = exp_bits, struct.Struct(pack), max_diff
        self.largest = math.ldexp(2.0 - math.ldexp(1.0, 1 - precision), emax)

    def round(self, x: float) -> float:
        """A double rounded to nearest in this format (overflow gives infinity)."""
        if self.precision == 53:
            return x
        try:
            return self.struct.unpack(self.struct.pack(x))[0]
        except OverflowError:
            return math.copysign(math.inf, x)

    def bits(self, x: float) -> int:
        return int.from_bytes(self.struct.pack(x), "big")

    def from_bits(self, n: int) -> float:
        return self.struct.unpack(n.to_bytes(self.struct.size, "big"))[0]

    def exponent_field(self, x: float) -> int:
        return (self.bits(x) >> (self.precision - 1)) & ((1 << self.exp_bits) - 1)


R32 = _Format("REAL32", 24, -126, 127, 8, ">f", 20)
R64 = _Format("REAL64", 53, -1022, 1023, 11, ">d", 30)

# IEEE rounding modes, numbered as the manual numbers them.
RZ, RN, RP, RM = 0, 1, 2, 3


def _round_exact(q: Fraction, mode: int, fmt: _Format) -> tuple[float, bool]:
    """The exact non-zero value q rounded in ``mode`` to ``fmt``: (value, overflowed)."""
    negative = q < 0
    num, den = abs(q.numerator), q.denominator
    e = num.bit_length() - den.bit_length()  # 2**e <= |q| < 2**(e+1), after the fix below
    if (num << max(0, -e)) < (den << max(0, e)):
        e -= 1
    scale = max(e, fmt.emin) - (fmt.precision - 1)  # the exponent of one unit in the last place
    if scale >= 0:
        n, r = divmod(num, den << scale)
        r2, d2 = 2 * r, den << scale
    else:
        n, r = divmod(num << -scale, den)
        r2, d2 = 2 * r, den
    if r:
        if mode == RN:
            n += r2 > d2 or (r2 == d2 and n & 1)
        elif mode == RP:
            n += not negative
        elif mode == RM:
            n += negative
    if n.bit_length() + scale > fmt.emax + 1:  # n * 2**scale >= 2**(emax + 1): overflow
        away = mode == RN or (mode == RP and not negative) or (mode == RM and negative)
        value = math.inf if away else fmt.largest
        return (-value if negative else value), True
    value = math.ldexp(n, scale) if n else 0.0
    return (-value if negative else value), False


def _finite(x: float) -> bool:
    return not (math.isinf(x) or math.isnan(x))


def _ieee_op(x, rounding, op, y, fmt: _Format):
    """x op y in ``fmt`` with the given rounding: (error, result).  error is
    TRUE when an operand is infinite or NaN, for a division by zero, and when
    the result overflows, as IEEE32OP/IEEE64OP say."""
    if not 0 <= op <= 3:
        _fail(f"{fmt.name} operation code {op} out of range (0 to 3)")
    if not 0 <= rounding <= 3:
        _fail(f"IEEE rounding mode {rounding} out of range (0 to 3)")
    if op == 1:
        y = -y
    if not (_finite(x) and _finite(y)):
        if math.isnan(x) or math.isnan(y):
            return True, x if math.isnan(x) else y
        if op < 3:
            return True, x + y if op < 2 else x * y  # inf - inf and inf * 0 are NaNs
        sign = math.copysign(1.0, x) * math.copysign(1.0, y)
        if math.isinf(x) and math.isinf(y):
            return True, math.nan
        return True, math.copysign(0.0 if math.isinf(y) else math.inf, sign)
    if op == 3 and y == 0:
        if x == 0:
            return True, math.nan
        return True, math.copysign(math.inf, math.copysign(1.0, x) * math.copysign(1.0, y))
    fx, fy = Fraction(x), Fraction(y)
    exact = fx + fy if op < 2 else fx * fy if op == 2 else fx / fy
    if exact == 0:
        if op < 2:
            if x == 0 and y == 0:
                both = math.copysign(1.0, x) < 0 and math.copysign(1.0, y) < 0
                either = math.copysign(1.0, x) < 0 or math.copysign(1.0, y) < 0
                negative = either if rounding == RM else both
            else:
                negative = rounding == RM
        else:
            negative = (math.copysign(1.0, x) < 0) != (math.copysign(1.0, y) < 0)
        return False, -0.0 if negative else 0.0
    value, overflowed = _round_exact(exact, rounding, fmt)
    return overflowed, value


def IEEE32OP(x, rounding, op, y):
    return _ieee_op(x, rounding, op, y, R32)


def IEEE64OP(x, rounding, op, y):
    return _ieee_op(x, rounding, op, y, R64)


def REAL32OP(x, op, y):
    """x op y rounded to nearest, without error checking (infinities and NaNs come back)."""
    return _ieee_op(x, RN, op, y, R32)[1]


def REAL64OP(x, op, y):
    return _ieee_op(x, RN, op, y, R64)[1]


def _quotrem(x, y):
    """The IEEE remainder of x by y and the integer quotient nearest x / y
    (ties to even): (error, quotient, remainder); error for an operand that is
    infinite or NaN, and for a zero y."""
    if not (_finite(x) and _finite(y)):
        if math.isnan(x) or math.isnan(y):
            return True, 0, math.nan
        return True, 0, (x if math.isinf(y) and _finite(x) else math.nan)
    if y == 0:
        return True, 0, math.nan
    if x == 0:
        return False, 0, x
    n = round(Fraction(x) / Fraction(y))
    r = Fraction(x) - n * Fraction(y)
    value = float(r) if r else math.copysign(0.0, x)
    return False, n, value


def IEEE32REM(x, y):
    error, _, value = _quotrem(x, y)
    return error, value


def IEEE64REM(x, y):
    error, _, value = _quotrem(x, y)
    return error, value


def REAL32REM(x, y):
    return _quotrem(x, y)[2]


def REAL64REM(x, y):
    return _quotrem(x, y)[2]


def REAL32EQ(x, y):
    return x == y


REAL64EQ = REAL32EQ


def REAL32GT(x, y):
    return x > y


REAL64GT = REAL32GT


def IEEECOMPARE(x, y):
    """-1 if x < y, 0 if equal, 1 if x > y, 2 if unordered (a NaN)."""
    if math.isnan(x) or math.isnan(y):
        return 2
    return -1 if x < y else 1 if x > y else 0


DIEEECOMPARE = IEEECOMPARE


# --------------------------------------------------------------------------- floating-point functions


def ABS(x):
    return math.fabs(x)


DABS = ABS


def _sqrt(x, fmt):
    if math.isnan(x) or x == 0 or x == math.inf:
        return x
    if x < 0:
        _fail(f"{'SQRT' if fmt is R32 else 'DSQRT'} of a negative number ({x!r})")
    # Rounding the double square root again to single is exact (53 >= 2 * 24 + 2).
    return fmt.round(math.sqrt(x))


def SQRT(x):
    return _sqrt(x, R32)


def DSQRT(x):
    return _sqrt(x, R64)


def _scaleb(x, n, fmt, name):
    """x times 2**n, rounded to nearest in fmt; overflow is an error, as it
    is for occam's REAL multiplication."""
    if x == 0 or not _finite(x):
        return x
    limit = fmt.emax - fmt.emin + fmt.precision + 2  # beyond this, every x overflows or underflows
    n = max(-limit, min(limit, n))
    value, overflowed = _round_exact(Fraction(x) * (Fraction(2) ** n), RN, fmt)
    if overflowed:
        _fail(f"floating-point overflow in {name}")
    return value


def SCALEB(x, n):
    return _scaleb(x, n, R32, "SCALEB")


def DSCALEB(x, n):
    return _scaleb(x, n, R64, "DSCALEB")


def COPYSIGN(x, y):
    return math.copysign(x, y)


DCOPYSIGN = COPYSIGN


def _nextafter(x, y, fmt):
    """The next value of fmt after x in the direction of y."""
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == y:
        return x
    if x == 0:
        return math.copysign(fmt.from_bits(1), y)
    bits = fmt.bits(x)
    step = 1 if (y > x) == (x > 0) else -1
    return fmt.from_bits(bits + step)


def NEXTAFTER(x, y):
    return _nextafter(x, y, R32)


def DNEXTAFTER(x, y):
    return _nextafter(x, y, R64)


def MINUSX(x):
    return -x


DMINUSX = MINUSX


def MULBY2(x):
    return _scaleb(x, 1, R32, "MULBY2")


def DMULBY2(x):
    return _scaleb(x, 1, R64, "DMULBY2")


def DIVBY2(x):
    return _scaleb(x, -1, R32, "DIVBY2")


def DDIVBY2(x):
    return _scaleb(x, -1, R64, "DDIVBY2")


def _logb(x, fmt):
    """x's exponent field less the bias, as KRoC computes it (so every
    denormal gives the field's 0 less the bias: -127, or -1023); -infinity
    for a zero, +infinity for an infinity, NaN for a NaN."""
    if math.isnan(x):
        return x
    if math.isinf(x):
        return math.inf
    if x == 0:
        return -math.inf
    return float(fmt.exponent_field(x) - fmt.emax)


def LOGB(x):
    return _logb(x, R32)


def DLOGB(x):
    return _logb(x, R64)


def FPINT(x):
    """x rounded to an integer value (to nearest, ties to even), still a REAL."""
    if not _finite(x):
        return x
    return math.copysign(float(round(x)), x)


DFPINT = FPINT


def ISNAN(x):
    return math.isnan(x)


DISNAN = ISNAN


def NOTFINITE(x):
    return not _finite(x)


DNOTFINITE = NOTFINITE


def ORDERED(x, y):
    return not (math.isnan(x) or math.isnan(y))


DORDERED = ORDERED


def _floating_unpack(x, name):
    """(n, f) with |x| = f * 2**n and 1 <= f < 2; a zero, an infinity or a NaN is an error."""
    if x == 0 or not _finite(x):
        _fail(f"{name} of {x!r}: only a non-zero finite number can be unpacked")
    m, e = math.frexp(abs(x))
    return e - 1, m * 2


def FLOATING_UNPACK(x):
    return _floating_unpack(x, "FLOATING.UNPACK")


def DFLOATING_UNPACK(x):
    return _floating_unpack(x, "DFLOATING.UNPACK")


def _int32(n: int) -> int:
    return _signed(n)


def _argument_reduce(x, y, y_err, fmt):
    """(ok, n, r): r = x - n * (y + y.err) reduced to within y/2, n the
    integer nearest x / y; ok is FALSE when an operand is not finite or y is
    zero, or when x is too large beside y for the correction to be made."""
    error, n, r = _quotrem(x, y)
    if fmt.exponent_field(x) - fmt.exponent_field(y) <= fmt.max_diff:
        correction = _ieee_op(fmt.round(float(_int32(n))), RN, 2, y_err, fmt)[1]
        r = _ieee_op(r, RN, 1, correction, fmt)[1]
        error2, n2, r = _quotrem(r, y)
        return not (error or error2), _int32(n + n2), r
    if not _finite(y_err):
        r = math.nan
    return False, _int32(n), r


def ARGUMENT_REDUCE(x, y, y_err):
    return _argument_reduce(x, y, y_err, R32)


def DARGUMENT_REDUCE(x, y, y_err):
    return _argument_reduce(x, y, y_err, R64)


# --------------------------------------------------------------------------- block moves


def _block(name, source, sx, sy, dest, dx, dy, width, length, keep):
    """Copy the width x length block of source at column sx, row sy to dest at
    dx, dy; ``keep(byte)`` says which source bytes are copied."""
    if width < 0 or length < 0:
        _fail(f"{name}: negative block size ({width} by {length})")
    if width == 0 or length == 0:
        return
    if not (0 <= sy and sy + length <= len(source) and 0 <= dy and dy + length <= len(dest)):
        _fail(f"{name}: the block's rows are outside the array")
    for j in range(length):
        row_in, row_out = source[sy + j], dest[dy + j]
        if not (0 <= sx and sx + width <= len(row_in) and 0 <= dx and dx + width <= len(row_out)):
            _fail(f"{name}: the block's columns are outside the array")
        for i in range(width):
            byte = row_in[sx + i]
            if keep(byte):
                row_out[dx + i] = byte


def MOVE2D(source, sx, sy, dest, dx, dy, width, length):
    """Copy a block of bytes from one two-dimensional array to another."""
    _block("MOVE2D", source, sx, sy, dest, dx, dy, width, length, lambda b: True)


def DRAW2D(source, sx, sy, dest, dx, dy, width, length):
    """As MOVE2D, but only the non-zero bytes of the block are copied."""
    _block("DRAW2D", source, sx, sy, dest, dx, dy, width, length, lambda b: b != 0)


def CLIP2D(source, sx, sy, dest, dx, dy, width, length):
    """As MOVE2D, but only the zero bytes of the block are copied."""
    _block("CLIP2D", source, sx, sy, dest, dx, dy, width, length, lambda b: b == 0)


# --------------------------------------------------------------------------- processes


def ASSERT(test):
    """A FALSE condition stops the program with a run-time error at the call."""
    if not test:
        _fail("ASSERT: the condition is FALSE")


def CAUSEERROR():
    _fail("CAUSEERROR () was called")


def RESCHEDULE():
    """Let the other processes run (at the end of the current time slice)."""
    tick()
