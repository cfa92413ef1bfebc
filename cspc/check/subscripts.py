"""Can two subscripts select the same element?  The arithmetic of the usage rules.

A subscript is compared as an affine form over the names in it (`i`, `i + 1`,
`2 * j - 1`; :func:`affine`), with the constant bounds of the replicators in
scope when they are known.  :func:`compare_selector` compares two subscripts
in one PAR's branches, :func:`compare_across_copies` the same subscript (or
two) in different copies of a replicated PAR, where the index differs: `a[i]`
and `a[(i + 1) \\ n]` over `i = 0 FOR n` are distinct, `a[i \\ 2]` may not be.
Each answers SAME (provably the same element), DISJOINT (provably distinct) or
UNKNOWN (the checker warns rather than rejects, as KRoC accepts such programs).
"""

from __future__ import annotations

from cspc import syntax as S
from cspc.check.access import affine, difference, slice_range

SAME, DISJOINT, UNKNOWN = "same", "disjoint", "unknown"


def compare_selector(sa: S.Expr, sb: S.Expr, ranges: dict | None = None) -> str:
    """Do two selectors (of branches running side by side) pick the same element?

    ``ranges`` bounds replicator indices in the selectors: `pipe[k]` over
    `k = 0 FOR N` never meets `pipe[N]`.
    """
    ranges = ranges or {}
    if isinstance(sa, S.Slice) or isinstance(sb, S.Slice):
        return _compare_ranges(sa, sb, ranges)
    if is_field(sa) or is_field(sb):
        return SAME if sa.symbol is sb.symbol else DISJOINT
    fa, fb = affine(sa), affine(sb)
    if fa is None or fb is None:
        return UNKNOWN
    diff = difference(fa, fb)
    if set(diff) == {None}:
        return SAME if diff[None] == 0 else DISJOINT
    bounds = _interval(diff, ranges)
    if bounds is None:
        return UNKNOWN
    if not bounds[0] <= 0 <= bounds[1]:
        return DISJOINT
    variables = [c for k, c in diff.items() if k is not None]
    # One index with step 1 takes every value of its range, zero included.
    return SAME if len(variables) == 1 and abs(variables[0]) == 1 else UNKNOWN


def _selector_bounds(selector: S.Expr, ranges: dict) -> tuple[int, int] | None:
    """The least and greatest element a selector may pick (inclusive)."""
    if isinstance(selector, S.Slice):
        picked = slice_range(selector)
        if picked is None or picked[1] <= picked[0]:
            return None
        return picked[0], picked[1] - 1
    form = affine(selector)
    return None if form is None else _interval(form, ranges)


def _compare_ranges(sa: S.Expr, sb: S.Expr, ranges: dict) -> str:
    ba, bb = _selector_bounds(sa, ranges), _selector_bounds(sb, ranges)
    if ba is None or bb is None:
        return UNKNOWN
    if ba[1] < bb[0] or bb[1] < ba[0]:
        return DISJOINT
    constant = all(isinstance(s, S.Slice) or isinstance(s.const, int) for s in (sa, sb))
    return SAME if constant else UNKNOWN


def _interval(form: dict, ranges: dict) -> tuple[int, int] | None:
    """The least and greatest value of an affine form, if every variable is bounded."""
    low = high = form.get(None, 0)
    for key, coeff in form.items():
        if key is None:
            continue
        if key not in ranges:
            return None
        a, b = coeff * ranges[key][0], coeff * ranges[key][1]
        low, high = low + min(a, b), high + max(a, b)
    return low, high


def is_field(e) -> bool:
    return isinstance(e, S.Name) and e.symbol is not None and e.symbol.kind == "field"


def _modular_in(e: S.Expr, rep: S.Replicator) -> bool:
    """`(i + k) \\ n` over `i = 0 FOR n`: a permutation of the copies' indices."""
    if not (isinstance(e, S.Binary) and e.op in ("\\", "REM")):
        return False
    form = affine(e.left)
    index = id(rep.name.symbol)
    if form is None or form.get(index, 0) not in (1, -1) or set(form) - {index, None}:
        return False
    if rep.base.const != 0 or rep.step is not None:
        return False
    modulus, count = e.right, rep.count
    if modulus.const is not None and modulus.const == count.const:
        return True
    return (
        isinstance(modulus, S.Name)
        and isinstance(count, S.Name)
        and modulus.symbol is not None
        and modulus.symbol is count.symbol
    )


def compare_across_copies(
    sa: S.Expr, sb: S.Expr, rep: S.Replicator, same_access: bool, inside=frozenset(), ranges=None
) -> str:
    """Do selectors ``sa`` (in copy i) and ``sb`` (in copy i', i != i') pick one element?

    Names in ``inside`` are declared within the replicated body, so each copy has
    its own: little can be proved about them.  (One exception: the same selector
    over inner replicator indices alone, which every copy runs through alike.)
    """
    if isinstance(sa, S.Slice) or isinstance(sb, S.Slice) or is_field(sa) or is_field(sb):
        return compare_selector(sa, sb)
    index = id(rep.name.symbol)
    fa, fb = affine(sa), affine(sb)
    if fa is not None and fb is not None and (set(fa) | set(fb)) & inside:
        variables = set(fa) - {None}
        if same_access and variables <= set(ranges or {}) and index not in variables:
            return SAME
        return UNKNOWN
    if fa is None or fb is None:
        if same_access and _modular_in(sa, rep):
            return DISJOINT
        return UNKNOWN
    ca, cb = fa.get(index, 0), fb.get(index, 0)
    rest = difference(
        {k: v for k, v in fa.items() if k != index}, {k: v for k, v in fb.items() if k != index}
    )
    if set(rest) != {None}:
        return UNKNOWN
    if ca == 0 and cb == 0:
        return SAME if rest[None] == 0 else DISJOINT
    if ca != cb:
        return UNKNOWN
    # ca*i + ka = ca*i' + kb  <=>  i - i' = (kb - ka) / ca, which must be non-zero.
    gap = -rest[None]
    if gap == 0 or gap % ca != 0:
        return DISJOINT
    count = rep.count.const
    if rep.step is None and isinstance(count, int):
        # Copies i and i' = i - gap/ca both exist exactly when |gap/ca| < count.
        return DISJOINT if abs(gap // ca) >= count else SAME
    return UNKNOWN


def combine(results) -> str:
    verdict = SAME
    for r in results:
        if r == DISJOINT:
            return DISJOINT
        if r == UNKNOWN:
            verdict = UNKNOWN
    return verdict
