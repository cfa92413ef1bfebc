"""Constant folding with occam's arithmetic.

The checker folds every expression whose operands are constants and stores the
value in ``expr.const`` (an ``int`` for integer types and BYTE, a ``bool`` for
BOOL, a ``float`` for REAL32/REAL64).  Integer values are always within their
type's range (INT is 32-bit two's complement, BYTE 0..255): ``+ - *`` that
overflow and ``/ \\`` by zero are compile-time errors (:class:`ConstError`),
PLUS/MINUS/TIMES wrap, ``/`` and ``\\`` truncate toward zero, ``>>`` is a
logical shift on the type's width.  A named type folds as its base does (MYINT
over INT overflows at 32 bits); messages name the type as written.
"""

from __future__ import annotations

import math
import struct

from cspc.check.types import BITS, base, base_prim, int_range, is_integer, is_real, type_str, wrap


class ConstError(Exception):
    """A constant expression whose value occam says is an error."""


def _in_range(value: int, t) -> int:
    low, high = int_range(t)
    if not low <= value <= high:
        raise ConstError(f"overflow in constant expression ({type_str(t)})")
    return value


def _div(a: int, b: int) -> int:
    if b == 0:
        raise ConstError("division by zero in constant expression")
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _rem(a: int, b: int) -> int:
    if b == 0:
        raise ConstError("division by zero in constant expression")
    return a - b * _div(a, b)


def _shift(op: str, a: int, count: int, t) -> int:
    bits = BITS[base_prim(t)]
    if not 0 <= count <= bits:
        raise ConstError(f"shift count {count} out of range in constant expression")
    if op == "<<":
        return wrap(a << count, t)
    return wrap((a & ((1 << bits) - 1)) >> count, t)


def round_real(value: float, t) -> float:
    """``value`` rounded to the precision of REAL32 or REAL64 (or a type named over one)."""
    if base_prim(t) == "REAL32" and math.isfinite(value):
        try:
            return struct.unpack("f", struct.pack("f", value))[0]
        except OverflowError:
            raise ConstError("overflow in constant expression (REAL32)") from None
    return value


_COMPARE = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def fold_binary(op: str, a, b, operand_type):
    """The value of ``a op b`` where both operands have ``operand_type``."""
    if op in _COMPARE:
        return _COMPARE[op](a, b)
    if op == "AND":
        return a and b
    if op == "OR":
        return a or b
    if is_integer(base(operand_type)):
        return _fold_integer(op, a, b, operand_type)
    if is_real(base(operand_type)):
        return _fold_real(op, a, b, operand_type)
    return None


def _fold_integer(op: str, a: int, b: int, t):
    checked = {"+": a + b, "-": a - b, "*": a * b}
    if op in checked:
        return _in_range(checked[op], t)
    wrapping = {"PLUS": a + b, "MINUS": a - b, "TIMES": a * b}
    if op in wrapping:
        return wrap(wrapping[op], t)
    if op == "/":
        return _in_range(_div(a, b), t)
    if op in ("\\", "REM"):
        return _rem(a, b)
    if op in ("/\\", "BITAND"):
        return wrap(a & b, t)
    if op in ("\\/", "BITOR"):
        return wrap(a | b, t)
    if op == "><":
        return wrap(a ^ b, t)
    if op in ("<<", ">>"):
        return _shift(op, a, b, t)
    if op == "AFTER":  # (a MINUS b) > 0, a BYTE difference read as signed, as KRoC does
        difference = wrap(a - b, t)
        return 0 < difference < 128 if base_prim(t) == "BYTE" else difference > 0
    return None


def _fold_real(op: str, a: float, b: float, t):
    if op in ("/", "\\", "REM") and b == 0:
        raise ConstError("division by zero in constant expression")
    results = {
        "+": lambda: a + b,
        "-": lambda: a - b,
        "*": lambda: a * b,
        "/": lambda: a / b,
        "\\": lambda: math.remainder(a, b),
        "REM": lambda: math.remainder(a, b),
    }
    if op not in results:
        return None
    return round_real(results[op](), t)


def fold_unary(op: str, a, t):
    if op == "NOT":
        return not a
    if is_integer(base(t)):
        if op == "-":
            return _in_range(-a, t)
        if op == "MINUS":
            return wrap(-a, t)
        if op in ("~", "BITNOT"):
            return wrap(~a, t)
    if is_real(base(t)) and op == "-":
        return -a
    return None


def fold_conversion(value, source, target, mode):
    """``target [mode] value`` where value has type ``source``."""
    if base_prim(target) == "BOOL":
        if value not in (0, 1):
            raise ConstError(f"conversion of {value} to BOOL out of range")
        return bool(value)
    if isinstance(value, bool):
        value = int(value)
    if is_integer(base(target)):
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ConstError("conversion out of range in constant expression")
            value = round(value) if mode == "ROUND" else math.trunc(value)
        low, high = int_range(target)
        if not low <= value <= high:
            raise ConstError(f"conversion of {value} to {type_str(target)} out of range")
        return value
    if is_real(base(target)):
        return round_real(float(value), target)
    return None
