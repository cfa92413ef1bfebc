"""occam-pi's shared channels (part of the resolver): shared ends and the CLAIMs that hold them.

A channel declared `SHARED CHAN T c:` has both ends shared among parallel
processes, `SHARED ! CHAN T c:` its writing end, `SHARED ? CHAN T c:` its
reading end; a parameter `SHARED CHAN T out!` is a shared end.  The rules:

* a shared end is used (input, output, ALT guard, extended input) only inside a
  ``CLAIM`` of it, which holds the end for the process under it;
* a CLAIM names one end of a channel, by name, and that end must be shared;
  it does not nest inside a CLAIM of the same end;
* a shared end passed to a SHARED parameter needs no CLAIM (the PROC claims it
  where it uses it); passed to any other channel parameter it stands for the
  claimed end, so it needs one; a SHARED parameter takes only a shared end.

An end of an occam-pi channel type declared `SHARED T!' or `SHARED T?' is
claimed whole, `CLAIM cli', and its channels (`cli[req]') are used only inside
that CLAIM (passed as channel actuals too); only a SHARED end is CLAIMed.

The usage rules (:mod:`cspc.check.usage`) let parallel processes share a
shared end, and only that end.
"""

from __future__ import annotations

from cspc import syntax as S
from cspc.check import types as T
from cspc.check.access import affine, described_end, direction_of, mobile_label, root_name, shared_ends


class ClaimRules:
    """The shared-channel half of :class:`cspc.check.resolve.Resolver`."""

    def init_claim_rules(self) -> None:
        self.claims: list[tuple[S.Symbol, str, S.Claim]] = []  # the CLAIMs around, innermost last

    def claimed(self, symbol: S.Symbol, direction: str, element: S.Expr | None = None) -> S.Claim | None:
        """The CLAIM around that holds this end of ``symbol``; for an element
        of an array of SHARED ends, the one that holds ``element``."""
        for held, end, claim in self.claims:
            if held is symbol and end == direction and same_element(claim.chan, element):
                return claim
        return None

    def needs_claim(self, chan: S.Expr, direction: str, doing: str) -> None:
        """``chan`` is used for ``direction``: a shared end must be CLAIMed first."""
        self.end_claimed(chan, doing)
        name = root_name(chan)
        if name is None or name.symbol is None or direction not in shared_ends(name.symbol):
            return
        element = channel_element(chan)
        if self.claimed(name.symbol, direction, element) is None:
            end = f"{mobile_label(element or name)}{direction}"
            self.error(chan.span, f"`{end}' is a shared channel end: {doing} it inside `CLAIM {end}'")

    def end_claimed(self, chan: S.Expr, doing: str) -> None:
        """`cli[req]' of a SHARED end `cli' of a CHAN TYPE: only inside `CLAIM cli',
        which holds the whole bundle at that end."""
        field = T.end_field(chan)
        name = root_name(chan)
        if field is None or not field[0].shared or name is None or name.symbol is None:
            return
        end = chan.base  # `cli', or `clis[i]' of an array of SHARED ends
        element = end if isinstance(end, S.Subscript) else None
        if self.claimed(name.symbol, field[0].direction, element) is None:
            shown = mobile_label(end)
            self.error(chan.span, f"`{shown}' is a SHARED end ({T.type_str(field[0])}): "
                                  f"{doing} its channels inside `CLAIM {shown}'")

    def claim_end(self, p: S.Claim, t: S.EndType) -> tuple[S.Symbol, str] | None:
        """`CLAIM cli': ``cli`` a SHARED end of a CHAN TYPE, held whole; or
        `CLAIM clis[i]', an element of an array of them."""
        element = p.chan if isinstance(p.chan, S.Subscript) and p.chan.mobile else None
        name = root_name(element) if element is not None else p.chan
        if not isinstance(name, S.Name) or name.symbol is None or (
                element is not None and not isinstance(element.base, S.Name)):
            self.error(p.chan.span, "CLAIM names a shared end by its name, or an element of an array of them")
            return None
        shown = mobile_label(p.chan)
        if element is not None and not fixed_index(element.index):
            self.error(element.index.span, f"the subscript of a CLAIMed element (`CLAIM {shown}') must not "
                                           "change inside the CLAIM: use constants and VAL names only "
                                           "(`VAL INT k IS ...:')")
            return None
        if p.direction is not None and p.direction != t.direction:
            self.error(p.span, f"`{shown}' is a {T.type_str(t)} end: CLAIM it as `CLAIM {shown}'")
            return None
        if not t.shared:
            self.error(p.chan.span, f"`{shown}' is not a SHARED end ({T.type_str(t)}): only a SHARED one "
                                    "can be CLAIMed")
            return None
        outer = self.claimed(name.symbol, t.direction, element)
        if outer is not None:
            self.error(p.span, f"CLAIM of `{shown}' inside a CLAIM of the same end",
                       (outer.span, "first CLAIMed here"))
            return None
        return name.symbol, t.direction

    def proc_Claim(self, p: S.Claim) -> None:
        held = self.claim_target(p)
        self.no_side_effect(p.span, "CLAIM a channel")
        if held is not None:
            self.claims.append((*held, p))
        self.process(p.body)
        if held is not None:
            self.claims.pop()

    def claim_target(self, p: S.Claim) -> tuple[S.Symbol, str] | None:
        """The (channel symbol, end) a CLAIM holds; None after reporting why not."""
        t = self.expr(p.chan)
        if T.is_unknown(t):
            return None
        if isinstance(t, S.EndType):
            return self.claim_end(p, t)
        if not isinstance(t, S.ChanType):
            self.error(p.chan.span, f"CLAIM needs a shared channel end, not {T.type_str(t)}")
            return None
        name = root_name(p.chan)
        element = channel_element(p.chan)
        if name is None or name.symbol is None or not (
                isinstance(p.chan, S.Name) or element is not None and isinstance(element.base, S.Name)):
            self.error(p.chan.span, "CLAIM names a shared channel end by its name, or an element of an "
                                    "array of them")
            return None
        shown = mobile_label(element or name)
        if element is not None and not fixed_index(element.index):
            self.error(element.index.span, f"the subscript of a CLAIMed element (`CLAIM {shown}') must not "
                                           "change inside the CLAIM: use constants and VAL names only "
                                           "(`VAL INT k IS ...:')")
            return None
        declared = direction_of(p.chan)
        if p.direction is not None and declared is not None and declared != p.direction:
            self.error(p.span, f"{described_end(name)} cannot be CLAIMed as `{shown}{p.direction}'")
            return None
        direction = p.direction or declared
        if direction is None:
            self.error(p.span, f"CLAIM says which end it holds: `CLAIM {shown}!' or `CLAIM {shown}?'")
            return None
        if direction not in shared_ends(name.symbol):
            self.error(
                p.chan.span,
                f"`{shown}{direction}' is not a shared channel end: only a SHARED one can be CLAIMed",
            )
            return None
        outer = self.claimed(name.symbol, direction, element)
        if outer is not None:
            self.error(
                p.span,
                f"CLAIM of `{shown}{direction}' inside a CLAIM of the same end",
                (outer.span, "first CLAIMed here"),
            )
            return None
        return name.symbol, direction

    def shared_actual(self, param: S.Param, arg: S.Expr, context: str) -> None:
        """A channel actual and a shared end: a SHARED parameter takes one as it is;
        another parameter takes it only inside a CLAIM of it."""
        name = root_name(arg)
        if name is None or name.symbol is None:
            return
        ends = shared_ends(name.symbol)
        given = direction_of(arg) or param.direction
        element = channel_element(arg)
        label = mobile_label(element or name)
        formal = T.strip_arrays(param.type)
        if isinstance(formal, S.ChanType) and formal.shared:
            if not ends or (given is not None and given not in ends):
                shown = f"{label}{given or ''}"
                self.error(arg.span, f"{context} is SHARED: it takes a shared channel end, and `{shown}' is not one")
            return
        if not ends:
            return
        if given is None:
            self.error(arg.span, f"say which end of shared channel `{label}' is passed: "
                                 f"`{label}!' or `{label}?'")
        elif given in ends and self.claimed(name.symbol, given, element) is None:
            end = f"{label}{given}"
            self.error(arg.span, f"`{end}' is a shared channel end: pass it to {context} inside `CLAIM {end}' "
                                 "(or make the parameter SHARED)")

    def shared_abbreviation(self, spec: S.Abbreviation, declared: S.Type | None) -> None:
        """`CHAN INT o! IS c!:' names a shared end as an unshared one: only inside
        a CLAIM of it.  (Without a type, or with SHARED, the new name is shared too.)"""
        name = root_name(spec.value)
        if name is None or name.symbol is None:
            return
        ends = shared_ends(name.symbol)
        given = direction_of(spec.value)
        declared_shared = declared is None or (isinstance(declared, S.ChanType) and declared.shared)
        if declared_shared:
            if declared is not None and not ends:
                self.error(spec.value.span, f"`{name.name}' is not a shared channel end: a SHARED "
                                            "abbreviation names one")
            return
        if not ends:
            return
        if given is None:
            self.error(spec.value.span, f"say which end of shared channel `{name.name}' is abbreviated: "
                                        f"`{name.name}!' or `{name.name}?'")
        elif given in ends and self.claimed(name.symbol, given) is None:
            end = f"{name.name}{given}"
            self.error(spec.value.span, f"`{end}' is a shared channel end: abbreviate it inside `CLAIM {end}'")

    def shared_param(self, p: S.Param) -> None:
        """`SHARED ! CHAN T x?': the shared end and the parameter's end must agree."""
        t = p.type
        if isinstance(t, S.ChanType) and t.shared and p.direction is not None and p.direction not in t.shared:
            which = {"!": "writing", "?": "reading"}
            self.error(p.span, f"`SHARED {t.shared} CHAN' shares the {which[t.shared]} end, but "
                               f"`{p.name.name}{p.direction}' is the {which[p.direction]} end")


def same_element(held: S.Expr, element: S.Expr | None) -> bool:
    """Does a CLAIM of ``held`` hold ``element`` (None: the end itself, not an
    element)?  `CLAIM clis[i]' holds `clis[i]', `clis[i + 0]': subscripts
    equal as written (constants, or the same sum of names)."""
    held_element = channel_element(held)
    if held_element is None or element is None:
        return held_element is None and element is None
    if held_element.index.const is not None or element.index.const is not None:
        return held_element.index.const == element.index.const
    a, b = affine(held_element.index, atoms=True), affine(element.index, atoms=True)
    return a is not None and a == b


def fixed_index(e: S.Expr) -> bool:
    """A subscript no process can change: its names are constants, VAL names or
    replicator indexes (so `clis[j / 2]' names one element all through a CLAIM)."""
    return all(n.symbol is None or n.symbol.kind in ("value", "function")
               for n in S.walk(e) if isinstance(n, S.Name))


def channel_element(chan: S.Expr) -> S.Subscript | None:
    """`c[i]' of `c[i]!' or `c[i]' (an element of an array of channels), else None."""
    if isinstance(chan, S.ChanEnd):
        chan = chan.chan
    return chan if isinstance(chan, S.Subscript) else None
