"""What an element expression touches: its root name and the subscripts on the way.

`a[i][2]`, `[a FROM 1 FOR 3]`, `cs[i]!` and `r[field]` all reach a declared
variable or channel through a chain of subscripts and slices.  The usage rules
(parallel use, aliasing) compare such chains.
"""

from __future__ import annotations

import math

from cspc import syntax as S
from cspc.check import types as T
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


def is_mobile_var(e: S.Expr) -> bool:
    """A mobile variable: a name of one (``Symbol.mobile``) or an element of an
    array of mobiles (``Subscript.mobile``), which moves as a whole one does."""
    if isinstance(e, S.Name):
        return e.symbol is not None and e.symbol.mobile
    return isinstance(e, S.Subscript) and e.mobile


def mobile_label(e: S.Expr) -> str:
    """A mobile variable as messages show it: `m', `a[2]', `a[i]', `a[..]'
    (a subscript that is neither a constant nor a name)."""
    if isinstance(e, S.Name):
        return e.name
    if isinstance(e, S.Subscript):
        index = e.index
        if isinstance(index.const, int) and not isinstance(index.const, bool):
            shown = str(index.const)
        elif isinstance(index, S.Name):
            shown = index.name
        else:
            shown = ".."
        return f"{mobile_label(e.base)}[{shown}]"
    return "?"


def direction_of(e: S.Expr) -> str | None:
    """The channel-end direction an expression carries: written (`c?`) or declared."""
    if isinstance(e, S.ChanEnd):
        return e.direction
    field = T.end_field(e)
    if field is not None:  # `cli[req]': the field's end at this end of the bundle
        return T.field_direction(*field)
    name = root_name(e)
    if name is not None and name.symbol is not None:
        return name.symbol.direction
    return None


def shared_ends(symbol: S.Symbol) -> str:
    """The ends of a channel that parallel processes share (occam-pi `SHARED
    CHAN', or each element of an array of them): among "?" and "!", "" for
    none.  A channel parameter or abbreviation with a direction has only that end."""
    t = T.strip_arrays(symbol.type)  # `[n]SHARED CHAN INT c': each element shared so
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


def affine(e: S.Expr, atoms: bool = False) -> dict | None:
    """``e`` as {id(symbol): coefficient, None: constant}, or None if not linear.

    With ``atoms``, a part that is not linear but has no side effects
    (`(SIZE c?) / 2`, `f (x)`) counts as a name of its own, keyed by its
    shape: equal where written alike.  That holds only where the names in it
    cannot change between the two uses compared (the alias rules).
    """
    if isinstance(e.const, int) and not isinstance(e.const, bool):
        return {None: e.const}
    if (
        isinstance(e, S.Name)
        and e.symbol is not None
        and e.symbol.kind in ("value", "variable", "abbreviation")
    ):
        return {id(e.symbol): 1, None: 0}
    if isinstance(e, S.Binary) and e.op in ("+", "-", "PLUS", "MINUS"):
        left, right = affine(e.left, atoms), affine(e.right, atoms)
        if left is None or right is None:
            return None
        sign = 1 if e.op in ("+", "PLUS") else -1
        result = dict(left)
        for key, coeff in right.items():
            result[key] = result.get(key, 0) + sign * coeff
        return result
    if isinstance(e, S.Binary) and e.op in ("*", "TIMES"):
        left, right = affine(e.left, atoms), affine(e.right, atoms)
        if left is None or right is None:
            return None
        for scale, form in ((left, right), (right, left)):
            if set(scale) == {None}:
                return {k: v * scale[None] for k, v in form.items()}
        return None
    if isinstance(e, S.Unary) and e.op in ("-", "MINUS"):
        inner = affine(e.operand, atoms)
        return None if inner is None else {k: -v for k, v in inner.items()}
    if atoms:
        key = shape_key(e)
        if key is not None:
            return {key: 1, None: 0}
    return None


def shape_key(e: S.Expr):
    """A hashable key equal for expressions written alike over the same names,
    or None when ``e`` holds something that is not a plain value."""
    if e.const is not None:
        return ("const", e.const)
    if isinstance(e, S.Name):
        return ("name", id(e.symbol)) if e.symbol is not None else None
    if isinstance(e, S.ChanEnd):
        inner = shape_key(e.chan)
        return None if inner is None else ("end", inner, e.direction)
    if isinstance(e, S.Binary) and e.operator is None:
        parts = (shape_key(e.left), shape_key(e.right))
    elif isinstance(e, S.Unary) and e.operator is None:
        parts = (shape_key(e.operand),)
    elif isinstance(e, S.Subscript):
        parts = (shape_key(e.base), shape_key(e.index))
    else:
        return None
    if None in parts:
        return None
    return (type(e).__name__, getattr(e, "op", None), *parts)


def difference(a: dict, b: dict) -> dict:
    result = dict(a)
    for key, coeff in b.items():
        result[key] = result.get(key, 0) - coeff
    return {k: v for k, v in result.items() if v != 0 or k is None}


def _field_or_const(selector: S.Expr):
    """A comparable key for a selector known at compile time, else None."""
    if isinstance(selector, S.Slice):
        return None
    if isinstance(selector, S.Name) and selector.symbol is not None and selector.symbol.kind == "field":
        return ("field", id(selector.symbol))
    if selector.const is not None:
        return ("const", selector.const)
    return None


def slice_range(selector: S.Expr):
    """The elements a selector picks as (first, past the last), when constant;
    `[a FROM n]' runs to the end of the array, however long (math.inf)."""
    if isinstance(selector, S.Slice):
        start = 0 if selector.start is None else selector.start.const
        if not isinstance(start, int):
            return None
        if selector.count is None:
            return start, math.inf
        count = selector.count.const
        return (start, start + count) if isinstance(count, int) else None
    if isinstance(selector.const, int) and not isinstance(selector.const, bool):
        return selector.const, selector.const + 1
    return None


def _range_forms(selector: S.Expr):
    """The elements a selector picks as affine forms (first, past the last;
    None past the last for "to the end, or not known"), or None."""
    if isinstance(selector, S.Slice):
        start = {None: 0} if selector.start is None else affine(selector.start, atoms=True)
        if start is None:
            return None
        count = None if selector.count is None else affine(selector.count, atoms=True)
        return start, None if count is None else _plus(start, count)
    form = affine(selector, atoms=True)
    return None if form is None else (form, _plus(form, {None: 1}))


def _plus(a: dict, b: dict) -> dict:
    total = dict(a)
    for key, coeff in b.items():
        total[key] = total.get(key, 0) + coeff
    return total


def _at_most(a: dict | None, b: dict | None) -> bool:
    """a <= b whatever the names in them stand for (None is past any end)."""
    if a is None or b is None:
        return False
    gap = difference(a, b)
    return set(gap) <= {None} and gap.get(None, 0) <= 0


def paths_disjoint(a: list[S.Expr], b: list[S.Expr]) -> bool:
    """True when two selector chains on one root provably select different
    elements.  For the alias rules: the names in the subscripts cannot change
    while an abbreviation holds them, so `a[i]' and `[a FROM i + 1]', or
    `[c? FOR n / 2]' and `[c? FROM n / 2]', are apart."""
    for sa, sb in zip(a, b):
        ka, kb = _field_or_const(sa), _field_or_const(sb)
        if ka is not None and kb is not None and ka != kb:
            return True
        ra, rb = _range_forms(sa), _range_forms(sb)
        if ra is not None and rb is not None and (_at_most(ra[1], rb[0]) or _at_most(rb[1], ra[0])):
            return True
        if ka is None or kb is None:
            return False
    return False


def elements_read(e: S.Expr):
    """(symbol, selectors, node) for every variable element an expression reads."""
    if isinstance(e, S.Unary) and e.op == "SIZE" or isinstance(e, S.BytesIn):
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
    if isinstance(spec, (S.Abbreviation, S.ProcDecl, S.FunctionDecl, S.ProtocolDecl, S.DataTypeDecl,
                         S.ChanTypeDecl)):
        return [spec.name]
    return []
