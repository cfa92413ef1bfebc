"""Scopes: which declaration an occam name denotes at a point of the program.

occam is declare-before-use: a specification covers the specifications and the
process after it, inner declarations shadow outer ones.  A :class:`Scope` is one
level of that nesting; :class:`Scopes` is the stack the resolver pushes and pops.
Every declaration makes exactly one :class:`syntax.Symbol` (the code generator
keys its Python names off Symbol identity).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from cspc import syntax as S
from cspc.check import types as T

# How messages name each kind of Symbol: "`x' is a PROC, not a value".
KIND_WORDS = {
    "proc": "a PROC",
    "proc type": "a PROC TYPE",
    "function": "a FUNCTION",
    "protocol": "a PROTOCOL",
    "record": "a DATA TYPE",
    "chantype": "a CHAN TYPE",
    "tag": "a protocol tag",
    "field": "a record field",
    "channel": "a channel",
    "timer": "a TIMER",
    "barrier": "a BARRIER",
    "variable": "a variable",
    "abbreviation": "a variable",
    "value": "a VAL",
}


def kind_for(decl_mode: str, t) -> str:
    """The Symbol kind of a declared name from how it was declared and its type.

    ``decl_mode`` is "var" (a declaration or INITIAL abbreviation), "ref" (a
    reference abbreviation or parameter) or "val" (VAL abbreviation/parameter).
    Channels, timers and barriers keep their own kinds however they were declared,
    so `tim ? t` is a timer read whenever the timer's symbol kind is "timer".
    """
    if T.is_channel(t):
        return "channel"
    if T.is_timer(t):
        return "timer"
    if T.is_barrier(t):
        return "barrier"
    return {"var": "variable", "ref": "abbreviation", "val": "value"}[decl_mode]


@dataclass
class Scope:
    names: dict[str, S.Symbol] = field(default_factory=dict)
    # Declarations made at this level, in order (for the unused-name warning).
    declared: list[S.Symbol] = field(default_factory=list)


class Scopes:
    """The stack of open scopes; the bottom one holds the top-level specifications.

    Under it lie occam's predefined routines: visible everywhere, hidden by any
    declaration of the same name.  ``predefined`` makes their table; it is
    called only when a name is not found above (a program that uses none of
    them never has their headings parsed)."""

    def __init__(self, predefined: Callable[[], dict[str, S.Symbol]] | None = None) -> None:
        self.stack: list[Scope] = [Scope()]
        self.predefined = predefined
        self.depth_of: dict[int, int] = {}  # id(symbol) -> depth it was declared at

    @property
    def depth(self) -> int:
        return len(self.stack)

    def push(self) -> None:
        self.stack.append(Scope())

    def pop(self) -> Scope:
        return self.stack.pop()

    def declare(self, symbol: S.Symbol) -> S.Symbol:
        top = self.stack[-1]
        top.names[symbol.name] = symbol
        top.declared.append(symbol)
        self.depth_of[id(symbol)] = self.depth
        return symbol

    def hide(self, name: str, placeholder: S.Symbol) -> None:
        """Mark an undeclared name as seen in this scope, so it is reported once."""
        self.stack[-1].names[name] = placeholder

    def lookup(self, name: str) -> S.Symbol | None:
        for scope in reversed(self.stack):
            symbol = scope.names.get(name)
            if symbol is not None:
                return symbol
        return self.predefined().get(name) if self.predefined is not None else None

    def nearest(self, name: str) -> str | None:
        """The name in scope most like ``name`` (a likely misspelling), if any is close."""
        import difflib

        visible = {n for scope in self.stack for n, s in scope.names.items() if s.kind != "unknown"}
        visible.discard(name)
        close = difflib.get_close_matches(name, sorted(visible), n=1, cutoff=0.75)
        if not close and name.lower() != name:
            close = [n for n in sorted(visible) if n.lower() == name.lower()][:1]
        return close[0] if close else None

    def declared_depth(self, symbol: S.Symbol) -> int:
        return self.depth_of.get(id(symbol), 0)
