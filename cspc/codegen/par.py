"""PAR and barriers.

A PAR branch is a nested function (declaring ``nonlocal`` the outer variables
it assigns) and the PAR one call of the runtime's ``par`` with the branches
and their names (``Par.names``, from the checks).  The main PROC's own PAR
calls ``placed_par`` instead (see ``core.placed_pars``); for a PLACED PAR, with
each branch's (each copy's) PROCESSOR number.  A replicated PAR is one
function taking the index, started once per copy with ``functools.partial``;
each copy first records the channel elements it uses (``Par.expects``) and is
named ``i=3``; the branches of a PAR inside a copy are named with its index
(``Par.copies``: ``fork i=3``).

occam-pi BARRIERs: a PAR hands its own enrolment on each barrier to the
branches that use it, each branch resigns when it ends, and the PAR's process
is enrolled again afterwards.  A MOBILE BARRIER is enrolled by whoever holds
it: a branch that is the only one of its PAR to use it just holds it (it may
move it away, or SYNC, as the PAR's process could); branches that share it
share the enrolment as for a BARRIER (the usage checks forbid moving it then).
"""

from __future__ import annotations

import ast

from cspc import syntax as S

from .core import Generator, translates
from .decls import copy_expectations, in_copies
from .pyast import assign, call, const, copy_ast, expr_stmt, label, load, method, store


@translates(S.Par)
def par(g: Generator, p: S.Par) -> list[ast.stmt]:
    if p.replicator is not None:
        return replicated_par(g, p)
    defs = []
    enrolled: dict[str, int] = {}  # barrier -> how many branches use it
    used = [free_barriers(g, branch) for branch in p.body]
    for barriers in used:
        for barrier in barriers:
            enrolled[barrier] = enrolled.get(barrier, 0) + 1
    mobile = {b for barriers in used for b, symbol in barriers.items() if symbol.mobile and enrolled[b] == 1}
    for branch, barriers in zip(p.body, used):
        barriers = [b for b in barriers if b not in mobile]
        build = lambda b=branch, bs=barriers: g.block(b) + resign(bs)  # noqa: E731
        defs.append(g.function(g.temp("par"), [], build, branch.span))
    enrolled = {b: n for b, n in enrolled.items() if b not in mobile}
    names = ast.List([_name(in_copies(g, n, p)) for n in p.names], ast.Load())
    run = call(g.rt("par"), *[load(d.name) for d in defs], names=names)
    if p is g.placed:  # the main PROC's own PAR: a run over MPI deals its branches to ranks
        spread = [i for i, branch in enumerate(p.body) if any(branch is q for q in g.spread)]
        extra = {"spread": ast.List([const(i) for i in spread], ast.Load())} if spread else {}
        if p.placed:
            extra = {"processors": ast.List([g.expr(n) for n in p.processors], ast.Load())}
        run = call(g.rt("placed_par"), *[load(d.name) for d in defs], names=names, **extra)
    before = [enrol(b, const(n - 1)) for b, n in enrolled.items() if n != 1]
    after = [enrol(b, const(1)) for b in enrolled]
    return defs + before + [expr_stmt(run)] + after


def _name(name: ast.expr | str) -> ast.expr:
    return const(name) if isinstance(name, str) else name


def replicated_par(g: Generator, p: S.Par) -> list[ast.stmt]:
    rep = p.replicator
    ident = g.temp("par")
    barriers = list(dict.fromkeys(b for q in p.body for b in free_barriers(g, q)))
    index = g.allocate(rep.name)

    def build():
        body = copy_expectations(g, p, index)
        for q in p.body:
            body.extend(g.process(q))
        return (body + resign(barriers)) or [ast.Pass()]

    stmts: list[ast.stmt] = [g.function(ident, [index], build, p.span)]
    k, tb, tn = g.temp("k"), g.temp("b"), g.temp("n")
    stmts.append(assign(store(tb), g.expr(rep.base)))
    stmts.append(assign(store(tn), g.expr(rep.count)))
    if rep.step is None:
        value = ast.BinOp(load(tb), ast.Add(), load(k))
    else:
        ts = g.temp("s")
        stmts.append(assign(store(ts), g.expr(rep.step)))
        value = ast.BinOp(load(tb), ast.Add(), ast.BinOp(load(k), ast.Mult(), load(ts)))
    g.need_partial = True

    def each(element: ast.expr) -> ast.ListComp:
        loop = ast.comprehension(store(k), call(g.builtin("range"), load(tn)), [], 0)
        return ast.ListComp(element, [loop])

    copies = each(call("_partial", load(ident), value))
    names = each(label(p.copy_prefix, copy_ast(value)))
    stmts.extend(enrol(b, ast.BinOp(load(tn), ast.Sub(), const(1))) for b in barriers)
    # The main PROC's replicated PARs: a run over MPI spreads their copies over its ranks,
    # or puts each copy of its own PLACED PAR where its PROCESSOR number says.
    runner, extra = ("spread_par" if any(p is q for q in g.spread) else "par"), {}
    if p.placed and p is g.placed:
        at = ast.Lambda(ast.arguments([], [ast.arg(index)], None, [], [], None, []), g.expr(p.processors[0]))
        runner, extra = "placed_par", {"processors": each(call(at, copy_ast(value)))}
    stmts.append(expr_stmt(call(g.rt(runner), ast.Starred(copies, ast.Load()), names=names, **extra)))
    stmts.extend(enrol(b, const(1)) for b in barriers)
    return stmts


def free_barriers(g: Generator, branch: S.Process) -> dict[str, S.Symbol]:
    """The barriers declared outside ``branch`` that it uses: Python name ->
    symbol, in the order of first use."""
    found: dict[str, S.Symbol] = {}
    for node in S.walk(branch):
        if isinstance(node, S.Name) and node.symbol is not None and node.symbol.kind == "barrier":
            ident = g.idents.get(node.symbol)
            if ident is not None:
                found[ident] = node.symbol
    return found


def enrol(barrier: str, count: ast.expr) -> ast.stmt:
    return enrol_expr(load(barrier), count)


def resign(barriers: list[str]) -> list[ast.stmt]:
    return [expr_stmt(method(load(b), "resign")) for b in barriers]


@translates(S.Resign)
def resign_block(g: Generator, p: S.Resign) -> list[ast.stmt]:
    """`RESIGN b': ``b.resign()``, the body, ``b.enrol(1)``."""
    barrier = g.expr(p.barrier)
    return [expr_stmt(method(barrier, "resign"))] + g.block(p.body) + [enrol_expr(copy_ast(barrier), const(1))]


def enrol_expr(barrier: ast.expr, count: ast.expr) -> ast.stmt:
    return expr_stmt(method(barrier, "enrol", count))


@translates(S.Sync)
def sync(g: Generator, p: S.Sync) -> list[ast.stmt]:
    return [expr_stmt(method(g.expr(p.barrier), "sync"))]
