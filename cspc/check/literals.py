"""Literals: their types from context, their range checks, their values after checking.

occam literals have no fixed type: `3` is INT in `x := 3` but INT64 in
`big := 3` and BYTE in `b := 3`.  The checker types an untyped literal from its
context (the other operand, the assignment target, the formal parameter, the
protocol item...), defaulting to INT for numbers, BYTE for characters and
REAL64 for reals.  An explicit type (`65(BYTE)`, `1.5(REAL32)`) always wins.

A named type (`DATA TYPE MYINT IS INT:`) types literals as its base does: a
number in a MYINT context, or written `85(MYINT)`, is a MYINT, range-checked
as an INT (occ21 does the same).  `TRUE` and `FALSE` are BOOL unless written
`TRUE(MYBOOL)`, as occ21 has them; a string or table in the context of a named
array type (`DATA TYPE NAME IS [4]BYTE:`) of its shape takes that type.

The rule the code generator follows, after ``check``:

* int and byte literals: ``Literal.value`` is a Python ``int`` already in the
  range of ``Literal.type``.  A hex literal denotes a bit pattern and is wrapped
  to the type's width (`#FFFFFFFF` as INT is -1, `#FF` as BYTE is 255); a
  decimal or character literal outside the type's range is an error.
* real literals: ``value`` keeps the decimal text, ``const`` holds the float
  (rounded to single precision for REAL32).
* bool literals: ``value`` is a ``bool``.
* strings: ``value`` is ``bytes``; the type is ``[n]BYTE``; ``const`` is the
  tuple of byte values.
"""

from __future__ import annotations

from cspc import syntax as S
from cspc.check import types as T
from cspc.check.constants import ConstError, round_real
from cspc.diagnostics import SOURCES


def is_hex(e: S.Literal) -> bool:
    """Was the literal written in hex?  (The AST keeps only the value, so look.)"""
    flag = getattr(e, "hex", None)
    if flag is not None:
        return bool(flag)
    text = SOURCES.line(e.span.file, e.span.line)
    if text is None or not 0 < e.span.col <= len(text):
        return False
    return text[e.span.col - 1] == "#"


def type_literal(e: S.Literal, want, error) -> S.Type:
    """Give ``e`` its type and checked value; ``error(span, message)`` reports."""
    if e.kind == "bool":
        return _boolean(e, error)
    if e.kind == "string":
        data = bytes(e.value) if not isinstance(e.value, str) else e.value.encode("latin-1")
        e.const = tuple(data)
        size = S.Literal("int", len(data), span=e.span)
        size.type, size.const = T.INT, len(data)
        return named_shape(S.ArrayType(size, T.BYTE, span=e.span), want)
    if e.kind == "real":
        return _real(e, want, error)
    return _integer(e, want, error)


def named_shape(t: S.Type, want) -> S.Type:
    """``want`` if it names a type that ``t`` (a string's or table's) is the shape of, else ``t``."""
    if isinstance(want, S.NamedType) and T.base(want) is not want and T.same_type(T.base(want), t):
        return want
    return t


def _boolean(e: S.Literal, error) -> S.Type:
    e.const = bool(e.value)
    t = e.explicit if e.explicit is not None else T.BOOL
    if T.base_prim(t) != "BOOL":
        error(e.span, f"a BOOL literal cannot have type {T.type_str(t)}")
        return T.UNKNOWN
    return t


def _integer(e: S.Literal, want, error) -> S.Type:
    if e.explicit is not None:
        t = e.explicit
    elif T.is_integer(T.base(want)) or T.is_real(T.base(want)):
        t = want
    else:
        t = T.BYTE if e.kind == "byte" else T.INT
    shape = T.base(t)
    if T.is_real(shape):
        error(e.span, f"an integer literal cannot have type {T.type_str(t)}: write {e.value}.0")
        return t
    if not T.is_integer(shape):
        error(e.span, f"a literal cannot have type {T.type_str(t)}")
        return T.UNKNOWN
    value = int(e.value)
    low, high = T.int_range(shape)
    bits = T.BITS[shape.name]
    if is_hex(e) and 0 <= value < (1 << bits):
        value = T.wrap(value, shape)
    elif not low <= value <= high:
        error(e.span, f"literal {value} is out of range for {T.type_str(t)} ({low}..{high})")
        value = T.wrap(value, shape)
    e.value = value
    e.const = value
    return t


def _real(e: S.Literal, want, error) -> S.Type:
    if e.explicit is not None:
        t = e.explicit
    elif T.is_real(T.base(want)):
        t = want
    else:
        t = T.REAL64
    if not T.is_real(T.base(t)):
        error(e.span, f"a real literal cannot have type {T.type_str(t)}")
        return T.UNKNOWN
    try:
        e.const = round_real(float(e.value), t)
    except (ConstError, ValueError):
        error(e.span, f"real literal {e.value} is out of range for {T.type_str(t)}")
    return t
