"""occam types as the checks see them: shared instances, comparison, printing, ranges.

The checker annotates expressions with ``syntax.Type`` nodes.  Primitive types
are the shared module-level instances below (``INT``, ``BYTE``, ...), so a code
generator may compare ``t.name`` or use ``is``-free structural tests; two extra
types exist only inside the checks:

* :class:`UnknownType` (``UNKNOWN``) -- the type of an expression that already
  produced an error; it matches everything, so one mistake gives one message.
* :class:`ResultsType` -- the type of a call of a FUNCTION with several results,
  which may only appear as the whole right-hand side of a multiple assignment
  or as the value of an abbreviation list.
"""

from __future__ import annotations

from dataclasses import dataclass

from cspc import syntax as S
from cspc.runtime import occam

BOOL = S.PrimType("BOOL")
BYTE = S.PrimType("BYTE")
INT = S.PrimType("INT")
INT16 = S.PrimType("INT16")
INT32 = S.PrimType("INT32")
INT64 = S.PrimType("INT64")
REAL32 = S.PrimType("REAL32")
REAL64 = S.PrimType("REAL64")

PRIMS = {t.name: t for t in (BOOL, BYTE, INT, INT16, INT32, INT64, REAL32, REAL64)}

INTEGER_NAMES = ("BYTE", "INT", "INT16", "INT32", "INT64")
REAL_NAMES = ("REAL32", "REAL64")

# Bits and value ranges of the integer types are the runtime's (INT is 32-bit, as
# on KRoC's usual targets): one definition for the checks, the code and the runtime.
# The compiler may import from the runtime, never the reverse.
BITS, RANGES = occam.BITS, occam.RANGES


@dataclass(eq=False)
class UnknownType(S.Type):
    """The type of an erroneous expression: compatible with anything."""


UNKNOWN = UnknownType()


@dataclass(eq=False)
class ResultsType(S.Type):
    """The results of a multi-valued FUNCTION call, in order."""

    types: list


def prim(t: S.Type | None) -> str | None:
    """The primitive type's name, or None for anything else (a named type too)."""
    return t.name if isinstance(t, S.PrimType) else None


def base(t):
    """What a value of type ``t`` is made of: for a named type (`DATA TYPE MYINT
    IS INT:`) the type it is defined as, named types inside that seen through at
    the top (``DataTypeDecl.base``); any other type is its own base.

    A named type is a new type: ``same_type`` keeps MYINT, INT and any other
    named type apart.  Its base says which operators, literals and conversions
    it takes and how its arithmetic behaves.
    """
    if isinstance(t, S.MobileType):
        return base(t.inner)
    if isinstance(t, S.NamedType) and t.name.symbol is not None:
        decl = t.name.symbol.decl
        if isinstance(decl, S.DataTypeDecl) and decl.base is not None:
            return decl.base
    return t


def unmobile(t):
    """``t`` with a `MOBILE' in front left off: the type of the values."""
    return t.inner if isinstance(t, S.MobileType) else t


def is_mobile(t) -> bool:
    """`MOBILE t', a `MOBILE RECORD', a named type over `MOBILE t'
    (`DATA TYPE R IS MOBILE []INT:') or an end of a CHAN TYPE: its variables
    are mobiles."""
    for _ in range(100):
        if isinstance(t, (S.MobileType, S.EndType)):
            return True
        if not isinstance(t, S.NamedType) or t.name.symbol is None:
            return False
        decl = t.name.symbol.decl
        if not isinstance(decl, S.DataTypeDecl):
            return False
        if decl.mobile:
            return True
        if decl.alias is None:
            return False
        t = decl.alias
    return False


def has_mobile_elements(t) -> bool:
    """An array of mobiles, at any depth (`[3]MOBILE []INT', `[4]P' with P a
    MOBILE RECORD, `[n]FOO!'): its elements move, the array as a whole does not."""
    t = unmobile(t)
    while isinstance(t, S.ArrayType):
        if is_mobile(t.elem):
            return True
        t = unmobile(t.elem)
    return False


def is_process_type(t) -> bool:
    """An occam-pi PROC TYPE (the type of mobile processes)."""
    t = unmobile(t)
    return isinstance(t, S.NamedType) and t.name.symbol is not None and t.name.symbol.kind == "proc type"


def is_dynamic(t) -> bool:
    """A mobile array with an open size (`MOBILE []INT', `MOBILE [][]BYTE')
    or a mobile process: undefined until it is allocated; and an end of a
    CHAN TYPE, undefined until `cli, svr := MOBILE T' (or an input) gives it
    a bundle."""
    if isinstance(t, S.EndType) or is_process_type(t):
        return True
    t = base(t)
    while isinstance(t, S.ArrayType):
        if t.size is None:
            return True
        t = base(t.elem)
    return False


def base_prim(t) -> str | None:
    """The name of the primitive type ``t`` is, or is named over (INT for MYINT)."""
    return prim(base(t))


def is_integer(t) -> bool:
    return prim(t) in INTEGER_NAMES


def is_real(t) -> bool:
    return prim(t) in REAL_NAMES


def is_numeric(t) -> bool:
    return is_integer(t) or is_real(t)


def is_unknown(t) -> bool:
    return t is None or isinstance(t, UnknownType)


def int_range(t) -> tuple[int, int]:
    """The values of an integer type (or one named over it): BYTE is unsigned,
    the others two's complement."""
    return RANGES[base_prim(t)]


def wrap(value: int, t) -> int:
    """``value`` reduced modulo the width of integer type ``t`` (or its base) into its range."""
    name = base_prim(t)
    bits = BITS[name]
    value &= (1 << bits) - 1
    if name != "BYTE" and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def array_size(t) -> int | None:
    """The constant size of an array type's outer dimension, if known."""
    t = unmobile(t)
    if isinstance(t, S.ArrayType) and t.size is not None:
        size = t.size.const
        return size if isinstance(size, int) and not isinstance(size, bool) else None
    return None


def alias_base(t):
    """``t``, or the type a `DATA TYPE T IS ...:` stands for (at any depth)."""
    for _ in range(100):
        t = unmobile(t)
        if not isinstance(t, S.NamedType) or t.name.symbol is None:
            return t
        decl = t.name.symbol.decl
        if not isinstance(decl, S.DataTypeDecl) or decl.alias is None:
            return t
        t = decl.base if decl.base is not None else decl.alias
    return t


def element(t):
    """What subscripting a value of type ``t`` gives (UNKNOWN if it is no array)."""
    t = unmobile(t)
    return t.elem if isinstance(t, S.ArrayType) else UNKNOWN


def strip_arrays(t):
    t = unmobile(t)
    while isinstance(t, S.ArrayType):
        t = unmobile(t.elem)
    return t


def is_string(t) -> bool:
    """A one-dimensional array of BYTEs, of any size: a string."""
    return isinstance(t, S.ArrayType) and prim(base(t.elem)) == "BYTE"


def is_channel(t) -> bool:
    return isinstance(strip_arrays(t), S.ChanType)


def is_timer(t) -> bool:
    return isinstance(strip_arrays(t), S.TimerType)


def is_barrier(t) -> bool:
    return isinstance(strip_arrays(t), S.BarrierType)


def is_data(t) -> bool:
    """A type whose values can be assigned, communicated and abbreviated by VAL
    (an end of a CHAN TYPE is assigned and communicated as a mobile)."""
    base = strip_arrays(t)
    return isinstance(base, (S.PrimType, S.NamedType, S.EndType)) or is_unknown(base)


def is_end(t) -> bool:
    """An end of an occam-pi CHAN TYPE, `T!' or `T?', shared or not."""
    return isinstance(t, S.EndType)


def is_shared_end(t) -> bool:
    """A `SHARED T!' or `SHARED T?': copied, not moved, and used inside a CLAIM."""
    return isinstance(t, S.EndType) and t.shared


def end_field(e) -> tuple[S.EndType, S.Symbol] | None:
    """For `cli[req]', a field of an end of a CHAN TYPE: the end's type and the
    field's symbol (kind "field", its ``direction`` the server end's)."""
    if isinstance(e, S.Subscript) and isinstance(e.base.type, S.EndType):
        index = e.index
        if isinstance(index, S.Name) and index.symbol is not None and index.symbol.kind == "field":
            return e.base.type, index.symbol
    return None


def field_direction(end: S.EndType, field: S.Symbol) -> str:
    """The direction of a field's channel as seen from ``end``: as declared at
    the server end `T?', the other way round at the client end `T!'."""
    if end.direction == "?":
        return field.direction
    return "!" if field.direction == "?" else "?"


def same_type(a, b) -> bool:
    """occam type equality; open array sizes and unknown sizes match any size.
    `MOBILE' is no part of a value's type: a mobile holds values of its inner type."""
    a, b = unmobile(a), unmobile(b)
    if is_unknown(a) or is_unknown(b):
        return True
    if isinstance(a, S.PrimType) and isinstance(b, S.PrimType):
        return a.name == b.name
    if isinstance(a, S.ArrayType) and isinstance(b, S.ArrayType):
        sa, sb = array_size(a), array_size(b)
        if sa is not None and sb is not None and sa != sb:
            return False
        return same_type(a.elem, b.elem)
    if isinstance(a, S.NamedType) and isinstance(b, S.NamedType):
        sa, sb = a.name.symbol, b.name.symbol
        return sa is None or sb is None or sa is sb
    if isinstance(a, S.ChanType) and isinstance(b, S.ChanType):
        return same_protocol(a.protocol, b.protocol)
    if isinstance(a, S.EndType) and isinstance(b, S.EndType):
        sa, sb = a.name.symbol, b.name.symbol
        return (sa is None or sb is None or sa is sb) and a.direction == b.direction and a.shared == b.shared
    if isinstance(a, S.CountedArray) and isinstance(b, S.CountedArray):
        return same_type(a.count, b.count) and same_type(a.elem, b.elem)
    for cls in (S.TimerType, S.BarrierType, S.AnyProtocol):
        if isinstance(a, cls) and isinstance(b, cls):
            return True
    return False


def is_any_protocol(p) -> bool:
    """`ANY`, or a protocol declared `PROTOCOL P IS ANY:`."""
    if isinstance(p, S.NamedType) and p.name.symbol is not None:
        decl = p.name.symbol.decl
        p = decl.items[0] if isinstance(decl, S.ProtocolDecl) and decl.items else p
    return isinstance(p, S.AnyProtocol)


def extends(child, parent) -> bool:
    """Is protocol ``child`` ``parent`` or (through `EXTENDS', at any depth)
    one that has all of ``parent``'s tags?"""
    if not (isinstance(child, S.NamedType) and isinstance(parent, S.NamedType)):
        return False
    target = parent.name.symbol
    seen, stack = set(), [child.name.symbol]
    while stack:
        symbol = stack.pop()
        if symbol is None or id(symbol) in seen:
            continue
        if symbol is target:
            return True
        seen.add(id(symbol))
        decl = symbol.decl
        if isinstance(decl, S.ProtocolDecl):
            stack.extend(name.symbol for name in decl.extends)
    return False


def passes_for(formal, actual, direction) -> bool:
    """May a channel of type ``actual`` be given for a channel parameter of
    type ``formal`` used in ``direction``?  Its own type, or, through protocol
    inheritance: a writer of P may write to a channel of a protocol that
    extends P (its reader knows all of P's tags), and a reader of Q may read
    from a channel of a protocol that Q extends (it knows all its tags)."""
    if same_type(formal, actual):
        return True
    while isinstance(formal, S.ArrayType) and isinstance(actual, S.ArrayType):
        sf, sa = array_size(formal), array_size(actual)
        if sf is not None and sa is not None and sf != sa:
            return False
        formal, actual = formal.elem, actual.elem
    if not (isinstance(formal, S.ChanType) and isinstance(actual, S.ChanType)):
        return False
    if direction == "!":
        return extends(actual.protocol, formal.protocol)
    if direction == "?":
        return extends(formal.protocol, actual.protocol)
    return False


def same_protocol(a, b) -> bool:
    if is_any_protocol(a) or is_any_protocol(b):
        return True
    return same_type(a, b)


def operator_key(op: str, operands: list) -> str:
    """The scope's name for the FUNCTION defining ``op`` on these operand types
    (`INT FUNCTION "+" (VAL MYINT a, b)` is `"+"(MYINT, MYINT)`)."""
    return f'"{op}"(' + ", ".join(type_str(t) for t in operands) + ")"


def type_str(t) -> str:
    """A type as occam writes it: `INT`, `[4]BYTE`, `[]INT`, `CHAN INT`, `P`."""
    if is_unknown(t):
        return "?"
    if isinstance(t, S.PrimType):
        return t.name
    if isinstance(t, S.MobileType):
        return f"MOBILE {type_str(t.inner)}"
    if isinstance(t, S.ArrayType):
        size = array_size(t)
        return f"[{'' if size is None else size}]{type_str(t.elem)}"
    if isinstance(t, S.NamedType):
        return t.name.name
    if isinstance(t, S.ChanType):
        return f"CHAN {type_str(t.protocol)}"
    if isinstance(t, S.EndType):
        return f"{'SHARED ' if t.shared else ''}{t.name.name}{t.direction}"
    if isinstance(t, S.CountedArray):
        return f"{type_str(t.count)}::{type_str(t.elem)}"
    if isinstance(t, S.TimerType):
        return "TIMER"
    if isinstance(t, S.BarrierType):
        return "BARRIER"
    if isinstance(t, S.AnyProtocol):
        return "ANY"
    if isinstance(t, ResultsType):
        return ", ".join(type_str(x) for x in t.types)
    return type(t).__name__
