"""occam's PLACED PAR (part of the resolver, and one pass after it).

`PLACED PAR` puts each of its branches on a processor, `PROCESSOR n`; cspc's
processors are the ranks of a run over MPI (runtime/distributed/).  The rules:

* a PROCESSOR number is an INT, not negative when it is a constant;
* it is known before the branches start: a constant, or (in the replicated
  form `PLACED PAR i = 0 FOR n`) an expression of the index `i' and constants;
* only the main PROC's own PLACED PAR (its body, under its declarations)
  places processes: any other runs as a PAR where it is, which earns a warning.
"""

from __future__ import annotations

from cspc import syntax as S
from cspc.check import types as T
from cspc.diagnostics import Reporter, Span


class PlacementRules:
    """The PROCESSOR numbers of a PLACED PAR, for :class:`cspc.check.resolve.Resolver`."""

    def processor_numbers(self, p: S.Par) -> None:
        """Type and check ``p``'s PROCESSOR numbers (in the scope of its index, if any)."""
        for number in p.processors:
            got = self.expect(number, T.INT, "a PROCESSOR number")
            if T.is_unknown(got):
                continue
            if isinstance(number.const, int) and number.const < 0:
                self.error(number.span, f"a PROCESSOR number cannot be negative ({number.const})")
                continue
            for name in _not_fixed(number, p.replicator):
                self.error(name.span, _not_fixed_message(name, p.replicator))
                break


def _not_fixed(e: S.Expr, replicator: S.Replicator | None) -> list[S.Name]:
    """The names in ``e`` that are neither constants nor ``replicator``'s index
    (FUNCTION names are fine: a FUNCTION has no side effects)."""
    found: list[S.Name] = []
    stack: list[S.Node] = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, S.Expr) and node.const is not None:
            continue
        if isinstance(node, S.Name):
            symbol = node.symbol
            index = replicator is not None and symbol is not None and symbol.decl is replicator
            if symbol is not None and not index and symbol.kind not in ("function", "record"):
                found.append(node)
            continue
        stack.extend(S.children(node))
    return sorted(found, key=lambda n: (n.span.line, n.span.col))


def _not_fixed_message(name: S.Name, replicator: S.Replicator | None) -> str:
    if replicator is None:
        return f"a PROCESSOR number must be a constant: `{name.name}' is not"
    return (
        f"a PROCESSOR number must be a constant or computed from the index "
        f"`{replicator.name.name}': `{name.name}' is neither"
    )


def main_par(main: S.ProcDecl | None) -> S.Par | None:
    """The PAR (or PLACED PAR) that is ``main``'s body under its declarations, if any."""
    body = main.body if main is not None else None
    while isinstance(body, S.Specified):
        body = body.body
    return body if isinstance(body, S.Par) else None


def check_placement(program: S.Program, main: S.ProcDecl | None, reporter: Reporter) -> None:
    """Warn of each PLACED PAR that is not ``main``'s own PAR: it places nothing."""
    own = main_par(main)
    for node in S.walk(program):
        if isinstance(node, S.Par) and node.placed and node is not own:
            span = node.span
            reporter.warning(
                Span(span.file, span.line, span.col, span.line, span.col + len("PLACED PAR")),
                "this PLACED PAR runs as a PAR on one processor: only the main PROC's own PLACED PAR "
                "(its body, under its declarations) places processes",
            )
