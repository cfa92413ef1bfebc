"""occam's alias rule for abbreviations (part of the resolver).

An abbreviation gives a second name to part of a variable, so while it is in
scope occam forbids the other way in (occam 2.1 reference manual, "Abbreviations";
KRoC's occ21 checks it in ``fe/use3.c``):

* after `INT y IS a[1]:` (a reference abbreviation, or a reference parameter's
  actual, in the PROC body) the abbreviated element `a[1]` may not be used at
  all, read or written, except through `y`;
* after `VAL INT v IS a[1] + b:` the variables the value reads (`a[1]`, `b`)
  may be read but not changed;
* the variables in the subscripts of a reference abbreviation are held as by
  VAL: after `INT y IS a[i]:`, `i` may not be changed (it would move `y`).

The rule is about elements, not names: another element of the same array
(`a[2]`), another field of a record, a slice that does not meet the abbreviated
one are free.  Like occ21, an element is known only through constant subscripts
and field names: `a[j]` or a slice with a variable start may be any element, so
it clashes with every abbreviated element of `a`.

A PROC or FUNCTION body starts with nothing held (it may be called from
anywhere); what it does to names declared outside it is recorded, and checked
at each call in the abbreviation's scope.

The parallel usage rules (:mod:`cspc.check.usage`) see through abbreviations
to the element, so an abbreviation in one branch of a PAR and a use of its
element in another are caught there, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cspc import syntax as S
from cspc.check.access import elements_read, paths_disjoint, root_and_path

# Element expressions: a name and the subscripts and slices applied to it.
ELEMENTS = (S.Name, S.Subscript, S.Slice)
# Kinds of symbols an abbreviation can hold.
HOLDABLE = ("variable", "abbreviation", "channel", "timer")

REF, VAL, SUBSCRIPT = "REF", "VAL", "subscript"


@dataclass(eq=False)
class Held:
    """A live abbreviation's claim on part of a variable."""

    abbreviation: S.Symbol  # the abbreviating name (`y' of `INT y IS a[1]:')
    how: str  # REF: no use at all; VAL, SUBSCRIPT: no change
    symbol: S.Symbol  # the variable held (`a')
    path: list  # selectors of the part held ([] for all of it)
    depth: int  # the scope the abbreviation was declared in


@dataclass(eq=False)
class FreeUse:
    """A use, inside a PROC or FUNCTION, of a name declared outside it."""

    symbol: S.Symbol
    path: list
    written: bool


@dataclass(eq=False)
class Routine:
    """A PROC or FUNCTION body being resolved."""

    depth: int  # scope depth of its parameters: names declared above are free
    free: list[FreeUse] = field(default_factory=list)


class AliasRules:
    """The alias rule half of :class:`cspc.check.resolve.Resolver`.

    Expects ``self.scopes``, ``self.error``; the resolver calls the hooks below.
    """

    def init_alias_rules(self) -> None:
        self.held: list[Held] = []
        self.routines: list[Routine] = []
        self.free_uses: dict[int, list[FreeUse]] = {}  # id(PROC/FUNCTION symbol) -> its free uses
        # Element expressions that are parts of a larger one (`a' in `a[1]'),
        # or no use at all (the operand of SIZE): not checked by themselves.
        self.not_uses: set[int] = set()

    # ------------------------------------------------------------------ declaring

    def hold(self, spec: S.Abbreviation, abbreviation: S.Symbol) -> None:
        """Record what ``spec`` (just declared as ``abbreviation``) holds while in scope."""
        depth = self.scopes.depth
        if spec.mode == "REF":
            symbol, path = root_and_path(spec.value)
            if symbol is not None and symbol.kind in HOLDABLE:
                self.held.append(Held(abbreviation, REF, symbol, path, depth))
            for selector in path:
                for part in _selector_parts(selector):
                    for read, read_path, _ in elements_read(part):
                        self.held.append(Held(abbreviation, SUBSCRIPT, read, read_path, depth))
        elif spec.mode == "VAL":
            for read, read_path, _ in elements_read(spec.value):
                self.held.append(Held(abbreviation, VAL, read, read_path, depth))

    def release_held(self, depth: int) -> None:
        """The abbreviations of a closing scope release what they held."""
        self.held = [h for h in self.held if h.depth != depth]

    # ------------------------------------------------------------------ using

    def part_of_element(self, e: S.Expr) -> None:
        """``e`` is the base of a subscript or slice, or SIZE's operand: no use by itself."""
        self.not_uses.add(id(e))

    def alias_use(self, e: S.Expr) -> None:
        """An element is used (read, written, passed, abbreviated): no live REF may hold it."""
        if not isinstance(e, ELEMENTS) or id(e) in self.not_uses:
            return
        symbol, path = root_and_path(e)
        if symbol is None or symbol.kind not in HOLDABLE:
            return
        self.note_free_use(symbol, path, written=False)
        held = self.clash(symbol, path, (REF,))
        if held is not None:
            self.error(
                e.span,
                f"`{symbol.name}' cannot be used while abbreviated by `{held.abbreviation.name}'",
                (held.abbreviation.span, "abbreviated here"),
            )

    def alias_change(self, e: S.Expr, how: str) -> None:
        """An element is changed (``how``: "assigned to", ...): no live VAL may hold it."""
        symbol, path = root_and_path(e)
        if symbol is None or symbol.kind not in HOLDABLE:
            return
        self.note_free_use(symbol, path, written=True)
        held = self.clash(symbol, path, (VAL, SUBSCRIPT))
        if held is None:
            return
        name, by = symbol.name, held.abbreviation.name
        if held.how == VAL:
            message = f"`{name}' cannot be {how} while abbreviated by VAL `{by}'"
        else:
            message = f"`{name}' cannot be {how} while it subscripts the abbreviation `{by}'"
        self.error(e.span, message, (held.abbreviation.span, "abbreviated here"))

    def clash(self, symbol: S.Symbol, path: list, hows: tuple[str, ...]) -> Held | None:
        """The innermost live abbreviation holding part of ``symbol`` that ``path``
        may meet (none for a variable named by `#PRAGMA PERMITALIASES')."""
        if symbol.aliases_permitted or not self.alias_checks:
            return None
        for held in reversed(self.held):
            if held.symbol is symbol and held.how in hows and not paths_disjoint(path, held.path):
                return held
        return None

    # ------------------------------------------------------------------ PROCs and FUNCTIONs

    def enter_routine(self) -> list[Held]:
        """A PROC or FUNCTION body (its parameters just declared) holds nothing yet."""
        self.routines.append(Routine(self.scopes.depth))
        outside, self.held = self.held, []
        return outside

    def leave_routine(self, name: S.Symbol, outside: list[Held]) -> None:
        routine = self.routines.pop()
        self.free_uses[id(name)] = routine.free
        self.held = outside

    def note_free_use(self, symbol: S.Symbol, path: list, written: bool) -> None:
        depth = self.scopes.declared_depth(symbol)
        for routine in self.routines:
            if depth < routine.depth:
                routine.free.append(FreeUse(symbol, path, written))

    def alias_call(self, callee: S.Symbol, span) -> None:
        """A call does what the callee's body does to the names declared outside it."""
        uses = self.free_uses.get(id(callee), [])
        for use in uses:
            self.note_free_use(use.symbol, use.path, use.written)
        for use in sorted(uses, key=lambda u: not u.written):  # a change is the worse news
            held = self.clash(use.symbol, use.path, (REF, VAL, SUBSCRIPT) if use.written else (REF,))
            if held is None:
                continue
            verb = "changes" if use.written else "uses"
            self.error(
                span,
                f"`{callee.name}' {verb} `{use.symbol.name}' while it is abbreviated by "
                f"`{held.abbreviation.name}'",
                (held.abbreviation.span, "abbreviated here"),
            )
            return


def _selector_parts(selector: S.Expr) -> list[S.Expr]:
    """The expressions a selector reads: a subscript, or a slice's start and count."""
    if isinstance(selector, S.Slice):
        return [part for part in (selector.start, selector.count) if part is not None]
    if isinstance(selector, S.Name) and selector.symbol is not None and selector.symbol.kind == "field":
        return []
    return [selector]
