"""occam's conversions between REALs and text: REAL32TOSTRING, REAL64TOSTRING,
STRINGTOREAL32 and STRINGTOREAL64 (the occam 2.1 library's, as KRoC ships them).

KRoC's routines do not print the shortest or the correctly rounded decimal:
they scale the binary value by a power of ten held in 32-bit words (a 64-bit
pair for REAL64), round it to an integer of at most 9 (17) digits, then round
that decimal text again to the digits the format leaves room for, remembering
which way the first rounding went so that a final 5 is not rounded twice.
The printed characters depend on every one of those steps, so this module
works with the same word sizes, the same approximated powers of ten and the
same rounding rules, on Python integers (a "word" below is an unsigned
32-bit value).

The formats, for ``REAL32TOSTRING (len, string, X, Ip, Dp)``:

* ``Ip = 0, Dp = 0``: free format.  Fixed point ("123.25", "0.001") when at
  most 9 (17) digits come before the point and at most 3 zeros after it
  before the first significant digit, else exponent form ("1.0E+10");
  ``Inf``, ``-Inf`` or ``NaN``; no leading space.
* ``Ip = 0, Dp > 0``: exponent form with Dp significant digits, a sign
  place first: `` 1.2346E+04`` (Dp + 6 characters, Dp + 7 for REAL64, whose
  exponent has three digits).
* ``Ip > 0, Dp > 0``: fixed point, Ip places before the point (padded with
  spaces on the left) and Dp after, and a sign place; a number that does not
  fit is shown in exponent form in the same width (Ip + Dp + 2), or as
  ``Ov`` when even that does not fit.
* anything else (a negative Ip or Dp, or Ip > 0 with Dp = 0) is an error
  (KRoC's routine STOPs; here it is a run-time error naming the routine).

``STRINGTOREAL32 (Error, X, string)`` reads occam's REAL literal syntax with
an optional sign first: digits, a point, digits, then optionally ``E``, a
sign and digits.  A syntax error gives NaN and Error TRUE; characters after
the longest correct text give Error TRUE with the value of that text.

One file, over 600 lines: it is one algorithm each way (KRoC's REALTOSTRING and STRINGTOREAL),
whose scaling, rounding and formatting steps share their tables and are read together.
"""

from __future__ import annotations

import struct

from cspc.runtime.errors import OccamError

__all__ = ("REAL32TOSTRING", "REAL64TOSTRING", "STRINGTOREAL32", "STRINGTOREAL64")

WORD = (1 << 32) - 1
TOP = 1 << 31  # a word's sign bit
TOP64 = 1 << 63
MASK64 = (1 << 64) - 1

ROUNDED_DOWN, EXACT, ROUNDED_UP = -1, 0, 1


# --------------------------------------------------------------------------- powers of ten


def _fraction(power: int, bits: int) -> tuple[int, int]:
    """10**power as (exponent, fraction): the fraction has ``bits`` bits, the
    top one set, rounded to nearest; 10**power = fraction * 2**(exponent - bits + 1)."""
    value = 10**power
    exponent = value.bit_length() - 1
    shift = exponent - (bits - 1)
    if shift <= 0:
        return exponent, value << -shift
    fraction = (value + (1 << (shift - 1))) >> shift
    return exponent, fraction


def _table(count: int, bits: int) -> tuple[list[int], list[int]]:
    pairs = [_fraction(k, bits) for k in range(count)]
    return [e for e, _ in pairs], [f for _, f in pairs]


# REAL32: 10**0 .. 10**13 are exact in a word; larger powers are built from one
# of the "bias" powers 10**13, 10**27 and 10**40 (rounded to a word) times a
# table power.  These rounded words are the ones KRoC's tables hold.
EXP32, FRAC32 = _table(14, 32)
BIAS32_AT = (14, 28, 41, 54)  # where each bias power takes over
BIAS32 = [_fraction(13, 32), _fraction(27, 32), _fraction(40, 32)]

# REAL64: 10**0 .. 10**27 are exact in two words; the bias powers 10**27,
# 10**55, 10**108 and 10**206 are rounded to two words.
EXP64, FRAC64 = _table(28, 64)
BIAS64_AT = (0, 27, 55, 108, 206)
BIAS64 = [(0, 0)] + [_fraction(k, 64) for k in (27, 55, 108, 206)]


def _normalised(value: int, width: int) -> tuple[int, int]:
    """(places, value shifted left by places so that bit width-1 is set); a
    zero value shifts by the whole width, as NORMALISE does."""
    if value == 0:
        return width, 0
    places = width - value.bit_length()
    return places, value << places


def _round_up_direction(guard: int) -> int:
    if guard == 0:
        return EXACT
    return ROUNDED_DOWN if guard & TOP == 0 else ROUNDED_UP


def _scale32(xexp: int, xfrac: int, scale: int) -> tuple[int, int, int]:
    """The word fraction xfrac (top bit set) times 2**xexp, multiplied by
    10**scale and rounded to a word: (xexp, xfrac, direction of the rounding)."""
    st = abs(scale)
    if st < len(FRAC32):
        zexp, zfrac = EXP32[st], FRAC32[st]
    elif st == BIAS32_AT[1] - 1:
        zexp, zfrac = BIAS32[1]
    else:
        bias = next((i for i in range(3) if st < BIAS32_AT[i + 1]), None)
        if bias is None:
            zexp, zfrac = -1, 0
        else:
            st = st - BIAS32_AT[bias] + 1
            product = FRAC32[st] * BIAS32[bias][1]  # truncated to its top word
            places, top = _normalised(product, 64)
            zexp, zfrac = EXP32[st] + BIAS32[bias][0] + 1 - places, top >> 32
    if zexp < 0:  # beyond the tables: a huge (or tiny) stand-in
        xexp, wide = (-255 if scale < 0 else 255), TOP << 32
    elif scale < 0:
        xexp -= zexp
        wide = ((xfrac >> 1) << 64) // zfrac  # quotient word and a word below it
    else:
        xexp += zexp + 1
        wide = xfrac * zfrac
    places, wide = _normalised(wide, 64)
    xexp -= places
    xfrac, guard = wide >> 32, wide & WORD
    direction = _round_up_direction(guard)
    if direction == ROUNDED_UP:
        xfrac += 1
        if xfrac > WORD:
            xexp, xfrac = xexp + 1, TOP
    return xexp, xfrac, direction


def _imul64(x: int, y: int) -> tuple[int, int]:
    """The top two words of x * y and the word below them, with a sticky bit
    for anything lower."""
    product = x * y
    guard = (product >> 32) & WORD
    if product & WORD:
        guard |= 1
    return product >> 64, guard


def _scale64(xexp: int, xfrac: int, scale: int) -> tuple[int, int, int]:
    """As _scale32 for a two-word fraction."""
    s = abs(scale)
    zexp, zfrac = 0, TOP64
    for n in range(len(BIAS64_AT) - 1, -1, -1):
        if n > 0 and s < BIAS64_AT[n]:
            continue
        if n == 0 and s < len(FRAC64):
            zfrac, guard = _imul64(zfrac, FRAC64[s])
            zexp += EXP64[s] + 1
        else:
            zfrac, guard = _imul64(zfrac, BIAS64[n][1])
            s -= BIAS64_AT[n]
            zexp += BIAS64[n][0] + 1
        if zfrac == 0:  # only from the empty bias entry: out of range below
            places, wide = 64, 0
        else:
            places, wide = _normalised((zfrac << 32) | guard, 96)
        zexp -= places
        zfrac, guard = (wide >> 32) & MASK64, wide & WORD
        if guard & TOP:
            zfrac += 1
            if zfrac > MASK64:
                zexp, zfrac = zexp + 1, TOP64
    if s >= len(FRAC64):
        xexp, wide = (0x7FF if scale > 0 else -0x7FF), TOP64 << 32
    elif scale < 0:
        xexp -= zexp
        wide = ((xfrac >> 1) << 96) // zfrac
    else:
        xexp += zexp + 1
        top, guard = _imul64(xfrac, zfrac)
        wide = (top << 32) | guard
    if wide >> 32 == 0:
        places, wide = 64, 0
    else:
        places, wide = _normalised(wide, 96)
    xexp -= places
    xfrac, guard = (wide >> 32) & MASK64, wide & WORD
    direction = _round_up_direction(guard)
    if direction == ROUNDED_UP:
        xfrac += 1
        if xfrac > MASK64:
            xexp, xfrac = xexp + 1, TOP64
    return xexp, xfrac, direction


def _quick_log(xexp: int, top_word: int) -> int:
    """floor(log10 x), or one less, for x = 1.f * 2**xexp: e.f in 16.16 fixed
    point times log10(2) (0x4D10 / 2**16, or 0x4D11 for negative e.f)."""
    ef = xexp * 65536 + (((top_word << 1) & WORD) >> 16)
    if ef >= 0:
        return (ef * 0x4D10) >> 32
    return (ef * 0x4D11) >> 32


def _round_to_integer(xint: int, guard: int, direction: int) -> tuple[int, int]:
    """Round xint by its guard word (the fraction below it), a half going the
    way that undoes the earlier rounding (or to even when there was none)."""
    if guard == 0:
        return xint, direction
    if guard & TOP == 0:
        return xint, ROUNDED_DOWN
    if guard & ~TOP & WORD:
        return xint + 1, ROUNDED_UP
    if direction == EXACT:
        if xint & 1 == 0:
            return xint, ROUNDED_DOWN
        return xint + 1, ROUNDED_UP
    if direction == ROUNDED_UP:
        return xint, ROUNDED_DOWN
    return xint + 1, ROUNDED_UP


def _integer32(xexp: int, xfrac: int, direction: int) -> tuple[int, int, int, int]:
    """The nearest integer to xfrac * 2**(xexp - 31): (xexp, xfrac, xint,
    direction), the first two describing the rounded integer."""
    places = 32 - (xexp + 1)
    xint = xfrac >> places
    guard = (xfrac << (32 - places)) & WORD
    xint, direction = _round_to_integer(xint, guard, direction)
    shifted = xint << places
    return xexp + (shifted >> 32), shifted & WORD, xint, direction


def _integer64(xexp: int, xfrac: int, direction: int) -> tuple[int, int, int, int]:
    if xexp >= 32:
        places = 64 - (xexp + 1)
        xint = xfrac >> places
        guard = ((xfrac & WORD) << (32 - places)) & WORD
        xint, direction = _round_to_integer(xint, guard, direction)
        carry = (((xint >> 32) & WORD) << places) >> 32
        return xexp + carry, (xint << places) & MASK64, xint, direction
    places = 32 - (xexp + 1)
    high, low = xfrac >> 32, xfrac & WORD
    xint = high >> places
    guard = (xfrac >> places) & WORD
    if low != 0 and places != 0:
        guard |= 1
    xint, direction = _round_to_integer(xint, guard, direction)
    shifted = xint << places
    carry, top = (shifted >> 32) & WORD, shifted & WORD
    if carry:
        xexp, top = xexp + carry, TOP
    return xexp, top << 32, xint, direction


# --------------------------------------------------------------------------- decimal text


class _Digits:
    """The significant digits of a number (no trailing zeros), the position
    of its first digit (log: the number is d.ddd * 10**log) and which way the
    value was rounded to get them."""

    def __init__(self, digits: str, log: int, direction: int):
        self.digits, self.log, self.direction = digits, log, direction

    def copy(self) -> _Digits:
        return _Digits(self.digits, self.log, self.direction)

    def restrict(self, count: int, shared: _Digits | None = None) -> None:
        """Round to ``count`` significant digits (at least 0): a final 5 that
        is all that is left goes the way that undoes the earlier rounding, or
        to an even digit.  ``shared`` is the record whose direction is the
        same variable as this one's (KRoC passes one variable to both)."""
        digits, places = list(self.digits), len(self.digits)
        if count < places:
            half = digits[count] == "5" and all(d == "0" for d in digits[count + 1 : places])
            if half:
                if count == 0:
                    up = False
                elif self.direction == ROUNDED_DOWN:
                    up = True
                else:
                    up = self.direction == EXACT and digits[count - 1] in "13579"
            else:
                up = digits[count] >= "5"
            if up:
                self.direction = ROUNDED_UP
                pos = count - 1
                while pos >= 0 and digits[pos] == "9":
                    digits[pos] = "0"
                    pos -= 1
                if pos >= 0:
                    digits[pos] = chr(ord(digits[pos]) + 1)
                    places = count
                else:
                    digits[0] = "1"
                    places = 1
                    self.log += 1
            else:
                self.direction = ROUNDED_DOWN
                places = count
        while places > 1 and digits[places - 1] == "0":
            places -= 1
        self.digits = "".join(digits[:places])
        if shared is not None:
            shared.direction = self.direction


def _digits_of(n: int) -> str:
    return str(n).rstrip("0") if n else ""


class _Spec:
    def __init__(self, bits, max_digits, exp_digits, forced_room):
        self.bits, self.max_digits = bits, max_digits
        self.exp_digits = exp_digits  # digits of the exponent
        self.forced_room = forced_room  # Ip + Dp - this: digits of a forced exponent form


SINGLE = _Spec(32, 9, 2, 4)
DOUBLE = _Spec(64, 17, 3, 5)


def _decimal(spec: _Spec, xexp: int, xfrac: int, want: int) -> _Digits:
    """The ``want`` (at most max_digits) leading digits of the non-zero number
    xfrac * 2**xexp (xfrac with its top bit set), as KRoC computes them."""
    top_word = xfrac >> (spec.bits - 32)
    log = _quick_log(xexp, top_word)
    scale = (want - 1) - log
    if spec.bits == 32:
        scaler, integer, exps, fracs = _scale32, _integer32, EXP32, FRAC32
    else:
        scaler, integer, exps, fracs = _scale64, _integer64, EXP64, FRAC64
    e, f, direction = scaler(xexp, xfrac, scale)
    e, f, xint, direction = integer(e, f, direction)
    if e > exps[want] or (e == exps[want] and f >= fracs[want]):  # one digit too many
        log += 1
        e, f, direction = scaler(xexp, xfrac, scale - 1)
        e, f, xint, direction = integer(e, f, direction)
    if spec.bits == 64 and (e < exps[want - 1] or (e == exps[want - 1] and f < fracs[want - 1])):
        e, f, xint, direction = integer(exps[want - 1], fracs[want - 1], direction)
        log -= 1
    return _Digits(_digits_of(xint), log, direction)


def _to_text(spec: _Spec, bits: int, ip: int, dp: int, name: str) -> bytes:
    if ip < 0 or dp < 0 or (ip > 0 and dp == 0):
        raise OccamError(f"{name}: no format has {ip} places before the point and {dp} after")
    frac_bits = 23 if spec.bits == 32 else 52
    exp_bits = 8 if spec.bits == 32 else 11
    all_ones = (1 << exp_bits) - 1
    negative = bool(bits >> (spec.bits - 1))
    field = (bits >> frac_bits) & all_ones
    mantissa = bits & ((1 << frac_bits) - 1)
    out: list[str] = []
    sign_place = "-" if negative else (" " if dp != 0 else "")

    if field == all_ones:  # infinity or NaN
        if negative and mantissa == 0:
            out.append("-")
        elif dp != 0:
            out.append(" ")
        out.append("Inf" if mantissa == 0 else "NaN")
        if ip != 0:
            out.append(" " * (ip + dp - 2))
        elif dp != 0:
            out.append(" " * (dp + spec.exp_digits))
        return "".join(out).encode()

    if field == 0 and mantissa == 0:  # zero (a negative zero keeps its sign)
        if ip != 0:
            out.append(" " * (ip - 1))
        out.append(sign_place)
        if dp == 0:
            out.append("0.0")
        elif ip != 0:
            out.append("0." + "0" * dp)
        else:
            out.append(" 0" if dp == 1 else "0." + "0" * (dp - 1))
            out.append("E+" + "0" * spec.exp_digits)
        return "".join(out).encode()

    # the fraction with its top bit set, and the true exponent
    width = spec.bits
    if field == 0:  # denormal
        places, frac = _normalised(mantissa << (width - frac_bits), width)
        xexp = -(places + (all_ones >> 1))
    else:
        frac = (mantissa << (width - 1 - frac_bits)) | (1 << (width - 1))
        xexp = field - (all_ones >> 1)
    want = min(ip + dp, spec.max_digits) if dp != 0 else spec.max_digits
    number = _decimal(spec, xexp, frac, want)

    def fixed_fits(log: int, own_log: int) -> bool:
        return (ip != 0 and log < ip) or (dp == 0 and -4 <= own_log and log < want)

    written = False
    if fixed_fits(number.log, number.log):
        trial = number.copy()
        if dp != 0:
            trial.restrict(max(dp + number.log + 1, 0), shared=number)
        own_log = trial.log if spec.bits == 32 else number.log
        if fixed_fits(trial.log, own_log):
            _fixed(out, trial, ip, dp, spec, sign_place, shared=number)
            written = True
    if not written:
        _exponent(out, number, ip, dp, spec, "-" if negative else ("" if dp == 0 else " "))
    return "".join(out).encode()


def _fixed(out, number: _Digits, ip, dp, spec, sign_place, shared) -> None:
    before = 1 if number.log < 0 else number.log + 1  # digits before the point
    if ip - before > 0:
        out.append(" " * (ip - before))
    room = before + dp
    out.append(sign_place)
    if number.log < 0:
        out.append("0.")
        room -= 1
    zeros = number.log + 1
    if dp == 0:
        out.append("0" * max(0, -zeros))
    else:
        while zeros < 0 and room > 0:
            out.append("0")
            zeros += 1
            room -= 1
    if dp == 0:
        room = spec.max_digits
    number.restrict(room, shared=shared)
    digits = number.digits
    for i in range(room):
        if i < len(digits):
            out.append(digits[i])
        elif i <= number.log + 1 or dp > 0:
            out.append("0")
        if i == number.log:
            out.append(".")
    if number.log + 1 == room:
        out.append("0")


def _exponent(out, number: _Digits, ip, dp, spec, sign) -> None:
    out.append(sign)
    if ip != 0:  # forced into the fixed-point field's width
        n = ip + dp - spec.forced_room
        if n < 0:
            out.append("Ov" + " " * (ip + dp - 1))
            return
        if n == 1:
            out.append(" ")
        elif n == 0:
            n = 1
        number.restrict(n)
    else:
        n = dp
        if n == 1:
            out.append(" ")
    digits = number.digits
    out.append(digits[0])
    if n != 1:
        out.append(".")
    if n != 0:
        out.extend(digits[i] if i < len(digits) else "0" for i in range(1, n))
    elif len(digits) <= 1:
        out.append("0")
    else:
        out.append(digits[1:])
    log = number.log
    out.append("E-" if log < 0 else "E+")
    log = abs(log)
    out.append("".join(str((log // 10**k) % 10) for k in range(spec.exp_digits - 1, -1, -1)))


# --------------------------------------------------------------------------- the routines


def _store(name: str, text: bytes, string) -> int:
    if len(text) > len(string):
        raise OccamError(
            f"{name}: the text needs {len(text)} bytes, the array holds {len(string)}"
        )
    for i, byte in enumerate(text):
        string[i] = byte
    return len(text)


def _bits32(x: float) -> int:
    return struct.unpack(">I", struct.pack(">f", x))[0]


def _bits64(x: float) -> int:
    return struct.unpack(">Q", struct.pack(">d", x))[0]


def real32_text(x: float, ip: int, dp: int) -> bytes:
    """The characters REAL32TOSTRING gives for x."""
    return _to_text(SINGLE, _bits32(x), ip, dp, "REAL32TOSTRING")


def real64_text(x: float, ip: int, dp: int) -> bytes:
    """The characters REAL64TOSTRING gives for x."""
    return _to_text(DOUBLE, _bits64(x), ip, dp, "REAL64TOSTRING")


def REAL32TOSTRING(length, string, x, ip, dp):
    """Format x into string (see the module's notes); the new length."""
    return _store("REAL32TOSTRING", real32_text(x, ip, dp), string)


def REAL64TOSTRING(length, string, x, ip, dp):
    return _store("REAL64TOSTRING", real64_text(x, ip, dp), string)


class _Literal:
    """occam REAL literal syntax read from a byte string, as KRoC's
    STRINGTOREAL reads it: a character past the end reads as a space."""

    def __init__(self, string):
        self.string, self.pos = string, 0

    def next(self) -> int:
        ch = self.string[self.pos] if self.pos < len(self.string) else 32
        self.pos += 1
        return ch


def _is_digit(ch: int) -> bool:
    return 48 <= ch <= 57


def _scan(string, limit: int):
    """(error, negative, digits value n (held to ``limit``), lost digits,
    decimal scale, literal reader)."""
    text = _Literal(string)
    error, negative = False, False
    ch = text.next()
    if ch in (43, 45):
        negative = ch == 45
        ch = text.next()
    scale = n = lost = 0
    overflowed = False
    more = _is_digit(ch)
    for part in ("integer", "fraction"):
        if part == "fraction" and ch == 46:
            ch = text.next()
            more = _is_digit(ch)
        error = error or not more
        while more:
            digit = ch - 48
            if part == "fraction":
                scale -= 1
            if not overflowed and n * 10 + digit <= limit:
                n = n * 10 + digit
            else:
                overflowed = True
                lost |= digit
                scale += 1
            ch = text.next()
            more = _is_digit(ch)
    if ch == 69:  # E
        positive = True
        ch = text.next()
        if ch in (43, 45):
            positive = ch == 43
            ch = text.next()
        else:
            error = True
        exponent = 0
        more = _is_digit(ch)
        error = error or not more
        while more:
            if exponent <= 214748363:
                exponent = exponent * 10 + (ch - 48)
                ch = text.next()
                more = _is_digit(ch)
            else:  # too many digits: only the syntax of the rest matters
                scale, exponent = 0, 2147483647
                ch = text.next()
                while _is_digit(ch):
                    ch = text.next()
                more = False
        scale = scale + exponent if positive else scale - exponent
        if not -(1 << 31) <= scale < (1 << 31):
            raise OccamError("arithmetic overflow in the exponent of a REAL's text")
    return error, negative, n, lost, scale, text


def STRINGTOREAL32(error, x, string):
    """(Error, X) for the text in string, with KRoC's single-length algorithm:
    up to 32 bits of the digits, scaled by a word power of ten, rounded."""
    error, negative, n, lost, scale, text = _scan(string, WORD)
    bits = 0
    if n:
        places, xfrac = _normalised(n, 32)
        xexp = 31 - places
        if scale:
            xexp, xfrac, _ = _scale32(xexp, xfrac, scale)
        xexp += 127
        if xexp >= 255:
            bits = 0x7F800000
        else:
            if xexp <= 0:  # denormal (or nothing left)
                shift = 1 - xexp
                lost |= ((xfrac << 32) >> shift) & WORD
                xfrac >>= shift
                xexp = 0
            if lost:
                xfrac |= 1
            bits = (((xexp << 32) | ((xfrac << 1) & WORD)) >> 9) & WORD
            if xfrac & 0x80 and xfrac & 0x17F:
                bits += 1
    if negative:
        bits |= 1 << 31
    if error:
        bits = 0x7F800001
    error = error or text.pos <= len(string)
    return error, struct.unpack(">f", struct.pack(">I", bits))[0]


def STRINGTOREAL64(error, x, string):
    """(Error, X) for the text in string, as STRINGTOREAL32 with two words:
    up to 64 bits of the digits, scaled by a two-word power of ten, rounded."""
    error, negative, n, lost, scale, text = _scan(string, MASK64)
    bits = 0
    if n:
        places, xfrac = _normalised(n, 64)
        xexp = 63 - places
        if scale:
            xexp, xfrac, _ = _scale64(xexp, xfrac, scale)
        xexp += 1023
        if xexp >= 0x7FF:
            bits = 0x7FF << 52
        else:
            if xexp <= 0:  # denormal: KRoC notes only the low word's lost bits
                shift = 1 - xexp
                lost |= (((xfrac & WORD) << 32) >> shift) & WORD
                xfrac >>= shift
                xexp = 0
            if lost:
                xfrac |= 1
            low = (xfrac >> 11) & WORD
            high = (((xexp << 32) | (((xfrac >> 32) << 1) & WORD)) >> 12) & WORD
            bits = (high << 32) | low
            if xfrac & 0x400 and xfrac & 0xBFF:
                bits += 1
    if negative:
        bits |= 1 << 63
    if error:
        bits = 0x7FF0000000000001
    error = error or text.pos <= len(string)
    return error, struct.unpack(">d", struct.pack(">Q", bits & MASK64))[0]
