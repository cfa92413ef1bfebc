"""What an element expression touches: its root name and the subscripts on the way.

`a[i][2]`, `[a FROM 1 FOR 3]`, `cs[i]!` and `r[field]` all reach a declared
variable or channel through a chain of subscripts and slices.  The usage rules
(parallel use, aliasing) compare such chains.
"""

from __future__ import annotations

import math

from cspc import syntax as S
from cspc.diagnostics import InternalError


def rule_for(checker, prefix: str, node):
    """The method of ``checker`` handling ``node`` (``prefix`` + class name).

    A node class no pass knows is a compiler bug, reported as such.
    """
    method = getattr(checker, prefix + type(node).__name__, None)
    if method is None:
        raise InternalError(f"{type(checker).__name__} has no rule for {type(node).__name__}")
    return method


def root_and_path(e: S.Expr) -> tuple[S.Symbol | None, list[S.Expr]]:
    """The symbol at the root of ``e`` and the selectors from the root outwards.

    A selector is the index expression of a Subscript, or the Slice node itself
    (standing for a range).  The root is None when ``e`` is no element (a
    literal, an operator, a call...).
    """
    path: list[S.Expr] = []
    while True:
        if isinstance(e, S.Name):
            return e.symbol, path[::-1]
        if isinstance(e, S.Subscript):
            path.append(e.index)
            e = e.base
        elif isinstance(e, S.Slice):
            path.append(e)
            e = e.base
        elif isinstance(e, S.ChanEnd):
            e = e.chan
        else:
            return None, []


def root_name(e: S.Expr) -> S.Name | None:
    """The Name node at the root of an element expression."""
    while True:
        if isinstance(e, S.Name):
            return e
        if isinstance(e, (S.Subscript, S.Slice)):
            e = e.base
        elif isinstance(e, S.ChanEnd):
            e = e.chan
        else:
            return None


def direction_of(e: S.Expr) -> str | None:
    """The channel-end direction an expression carries: written (`c?`) or declared."""
    if isinstance(e, S.ChanEnd):
        return e.direction
    name = root_name(e)
    if name is not None and name.symbol is not None:
        return name.symbol.direction
    return None


def shared_ends(symbol: S.Symbol) -> str:
    """The ends of a channel that parallel processes share (occam-pi `SHARED
    CHAN'): among "?" and "!", "" for none.  A channel parameter or abbreviation
    with a direction has only that end."""
    t = symbol.type
    if symbol.kind != "channel" or not isinstance(t, S.ChanType) or not t.shared:
        return ""
    if symbol.direction is not None:
        return symbol.direction if symbol.direction in t.shared else ""
    return t.shared


def described_end(name: S.Name | None) -> str:
    """A channel name with a declared direction, as messages show it:
    "channel parameter `in'", or "channel end `src?'" for an abbreviation."""
    if name is None:
        return "channel `?'"
    symbol = name.symbol
    if symbol is not None and isinstance(symbol.decl, S.Abbreviation) and symbol.direction:
        return f"channel end `{name.name}{symbol.direction}'"
    return f"channel parameter `{name.name}'"


def _field_or_const(selector: S.Expr):
    """A comparable key for a selector known at compile time, else None."""
    if isinstance(selector, S.Slice):
        return None
    if isinstance(selector, S.Name) and selector.symbol is not None and selector.symbol.kind == "field":
        return ("field", id(selector.symbol))
    if selector.const is not None:
        return ("const", selector.const)
    return None


def slice_range(selector: S.Expr, unknown_count_to_end: bool = False):
    """The elements a selector picks as (first, past the last), when constant;
    `[a FROM n]' runs to the end of the array, however long (math.inf).  With
    ``unknown_count_to_end``, so does `[a FROM n FOR k]' with k not constant
    (a bound that is enough to tell it apart from elements before n)."""
    if isinstance(selector, S.Slice):
        start = 0 if selector.start is None else selector.start.const
        if not isinstance(start, int):
            return None
        if selector.count is None:
            return start, math.inf
        count = selector.count.const
        if isinstance(count, int):
            return start, start + count
        return (start, math.inf) if unknown_count_to_end else None
    if isinstance(selector.const, int) and not isinstance(selector.const, bool):
        return selector.const, selector.const + 1
    return None


def paths_disjoint(a: list[S.Expr], b: list[S.Expr]) -> bool:
    """True when two selector chains on one root provably select different elements."""
    for sa, sb in zip(a, b):
        ka, kb = _field_or_const(sa), _field_or_const(sb)
        if ka is not None and kb is not None and ka != kb:
            return True
        ra, rb = slice_range(sa, True), slice_range(sb, True)
        if ra is not None and rb is not None and (ra[1] <= rb[0] or rb[1] <= ra[0]):
            return True
        if ka is None or kb is None:
            return False
    return False


def elements_read(e: S.Expr):
    """(symbol, selectors, node) for every variable element an expression reads."""
    if isinstance(e, S.Unary) and e.op == "SIZE":
        return
    if isinstance(e, (S.Name, S.Subscript, S.Slice)):
        symbol, path = root_and_path(e)
        if symbol is not None and symbol.kind in ("variable", "abbreviation"):
            yield symbol, path, e
        for selector in path:
            parts = [selector.start, selector.count] if isinstance(selector, S.Slice) else [selector]
            for part in parts:
                if part is not None:
                    yield from elements_read(part)
        return
    for child in S.children(e):
        if isinstance(child, S.Expr):
            yield from elements_read(child)


def declared_inside(node: S.Node) -> set[int]:
    """The symbols of every name declared within ``node``."""
    found = set()
    for n in S.walk(node):
        if isinstance(n, S.Spec):
            found.update(id(name.symbol) for name in declared_names(n) if name.symbol is not None)
        elif isinstance(n, S.Replicator) and n.name.symbol is not None:
            found.add(id(n.name.symbol))
    return found


def declared_names(spec: S.Spec) -> list[S.Name]:
    if isinstance(spec, S.VarDecl):
        return list(spec.names)
    if isinstance(spec, (S.Abbreviation, S.ProcDecl, S.FunctionDecl, S.ProtocolDecl, S.DataTypeDecl)):
        return [spec.name]
    return []
