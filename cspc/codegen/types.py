"""How the generator sees occam types: through the named types the checks resolved.

The checks leave on each `DATA TYPE T IS t:` its base (``DataTypeDecl.base``,
named types over named types already seen through), so one look gives a
type's representation: a MYINT over INT is held, and computed with, as an INT.
The checks have kept T apart from t; nothing here derives anything.
"""

from __future__ import annotations

from cspc import syntax as S
from cspc.check.types import base, is_dynamic
from cspc.runtime.occam import RANGES  # one definition of occam's integer types

INTEGERS = tuple(RANGES)
REALS = ("REAL32", "REAL64")


# ``t``, or what it stands for when it names a type alias (or, for `MOBILE t',
# the values' type t): the checks' own reading of a type's base.
resolve = base


def prim(t: S.Type | None) -> str | None:
    t = resolve(t)
    return t.name if isinstance(t, S.PrimType) else None


def record_decl(t: S.Type | None) -> S.DataTypeDecl | None:
    t = resolve(t)
    if isinstance(t, S.NamedType) and t.name.symbol is not None:
        decl = t.name.symbol.decl
        if isinstance(decl, S.DataTypeDecl) and decl.fields is not None:
            return decl
    return None


def is_scalar(t: S.Type | None) -> bool:
    return prim(t) is not None


def is_array(t: S.Type | None) -> bool:
    return isinstance(resolve(t), S.ArrayType)


def is_flat(t: S.Type | None) -> bool:
    """An array of scalars (copied with one list() call)."""
    t = resolve(t)
    return isinstance(t, S.ArrayType) and is_scalar(t.elem)


def is_data_aggregate(t: S.Type | None) -> bool:
    """Arrays and records: values held in lists, assigned by copying."""
    return is_array(t) or record_decl(t) is not None


def is_channel_like(t: S.Type | None) -> bool:
    """Channels and timers, or arrays of them (held by reference, never copied)."""
    t = resolve(t)
    while isinstance(t, S.ArrayType):
        t = resolve(t.elem)
    return isinstance(t, (S.ChanType, S.TimerType))


def is_mobile_var(e: S.Expr) -> bool:
    """An occam-pi mobile: a name of one (``Symbol.mobile``), whose variable
    holds the object or None while it is undefined, or an element of an array
    of mobiles (``Subscript.mobile``), the list item holding the object or None."""
    if isinstance(e, S.Name):
        return e.symbol is not None and e.symbol.mobile
    return isinstance(e, S.Subscript) and e.mobile


def starts_undefined(t: S.Type | None) -> bool:
    """A dynamic mobile array (an open size: `MOBILE []INT') or a mobile
    barrier, undefined until allocated; a static mobile starts with a value,
    as any variable does."""
    return is_dynamic(t) or isinstance(t, S.MobileType) and isinstance(t.inner, S.BarrierType)


def static_layout(layout: tuple) -> tuple:
    """A layout with the sizes computed as the program runs left open."""
    element, dims = layout
    return element, tuple(d if d is None or isinstance(d, int) else None for d in dims)
