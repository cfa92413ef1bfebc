"""Who uses each channel end: the names deadlock reports give the partner that never came.

A blocked process is reported with the channel it waits on; when the checks
know which process uses the other end, the report names it too (``'swap'
waits to output on channel d (to 'main, PAR branch 1')``).  This module works
that out from the usage pass (:mod:`cspc.check.usage`), which gives every
channel access the process that makes it:

* each PAR names its branches (``Par.names``): the PROC a branch calls, else
  its place in the PROC that holds it, the names the runtime gives them; the
  copies of a replicated PAR are named by their index, after the PROC they
  call if they call one (``Par.copy_prefix``: ``philosopher i=3``), and the
  branches of a PAR inside such a copy by their name and the copy's index
  (``Par.copies``: ``fork i=3``);
* an access inside a branch belongs to the innermost branch holding it; one in
  a copy of a replicated PAR belongs to that copy (named ``i=3`` at run time),
  and one in a branch of a PAR inside a copy to that branch of the copy
  (a :class:`CopyBranch`);
  one made by a PROC's body belongs to the process that calls the PROC, which
  is how channels passed down through parameters get their users.

At a channel's declaration the whole scope's accesses are known, and for each
end (reader, writer) this module decides what can be said for sure:

1. every access of that end is made by one named process, and (for a channel
   array) some access picks its element at run time: it is the user of that end
   of the channel, or of every element of the array;
2. otherwise each access must name its element and its process statically:
   a constant subscript in a named process (the user of that element, unless
   two processes use it), or a subscript the copies of one replicated PAR can
   evaluate as they start (its index, VAL names declared outside it), which
   each copy then records for its own element (``Par.expects``).

Anything else (an element chosen at run time by a named process, accesses from
two replicated PARs) leaves the end unnamed: a report without a partner is
better than one naming the wrong process.
"""

from __future__ import annotations

from cspc import syntax as S
from cspc.check import types as T
from cspc.check.access import declared_inside, shared_ends


def branch_name(branch: S.Process, index: int, enclosing: str | None) -> str:
    """The process name of a PAR branch, as reports show it: the PROC it calls,
    else its place in the PROC that holds it ("main, PAR branch 2")."""
    inner = branch
    while isinstance(inner, S.Specified):
        inner = inner.body
    if isinstance(inner, S.ProcCall):
        return inner.proc.name
    where = f"{enclosing}, " if enclosing else ""
    return f"{where}PAR branch {index + 1}"


class CopyBranch:
    """The process of an access made in branch ``name`` of ``par``, a PAR inside
    the copies of the replicated PAR ``copy`` (the innermost): one process per
    copy, named with its index."""

    __slots__ = ("copy", "par", "name")

    def __init__(self, copy: S.Par, par: S.Par, name: str):
        self.copy, self.par, self.name = copy, par, name


def name_branches(par: S.Par, branches: list, enclosing: str | None, copies: list[S.Par]) -> None:
    """Give ``par``'s branches their names, and each channel access made by a
    branch's own process (none named yet) its process: a branch name (of one
    process, or of one per copy when ``par`` is inside the ``copies`` of
    replicated PARs), or the PAR itself for the copies of a replicated PAR."""
    if par.replicator is None:
        par.names = [branch_name(b, i, enclosing) for i, b in enumerate(par.body)]
        par.copies = list(copies)
    else:
        called = branch_name(par.body[0], 0, None) if len(par.body) == 1 else ""
        calls = not called.startswith("PAR branch")
        par.copy_prefix = f"{called + ' ' if calls else ''}{par.replicator.name.name}="
    for i, usage in enumerate(branches):
        if par.replicator is not None:
            who = par
        elif copies:
            who = CopyBranch(copies[-1], par, par.names[i])
        else:
            who = par.names[i]
        for access in usage.inputs + usage.outputs:
            if access.process is None:
                access.process = who


def expect_ends(spec: S.VarDecl, inner) -> None:
    """Record, for each channel ``spec`` declares, the users of its ends that
    ``inner`` (the usage of the declaration's scope) shows for sure."""
    if not T.is_channel(spec.type):
        return
    for name in spec.names:
        symbol = name.symbol
        if symbol is None:
            continue
        shared = shared_ends(symbol)
        for side, accesses, end in (("reader", inner.inputs, "?"), ("writer", inner.outputs, "!")):
            if end in shared or symbol.shared:  # a shared end has many users, by design
                continue
            mine = [a for a in accesses if a.symbol is symbol]
            if mine:
                _expect_side(spec, symbol, side, mine)


def _expect_side(spec: S.VarDecl, symbol: S.Symbol, side: str, accesses: list) -> None:
    users = {a.process for a in accesses}
    anywhere = any(not all(_constant(s) for s in a.path) for a in accesses)
    if (
        len(users) == 1
        and isinstance(next(iter(users)), str)
        and (anywhere or not accesses[0].path)
    ):
        spec.expects.append(S.Expectation(symbol, [], side, users.pop()))  # rule 1
        return
    constant: dict[tuple, str | None] = {}  # element -> its one user (None: several)
    copies: list = []
    pars = set()
    for a in accesses:
        if isinstance(a.process, str) and all(_constant(s) for s in a.path):
            key = tuple(s.const for s in a.path)
            constant[key] = a.process if constant.get(key, a.process) == a.process else None
        elif isinstance(a.process, S.Par) and _fixed_at_start(a.path, a.process):
            copies.append(a)
            pars.add(id(a.process))
        elif isinstance(a.process, CopyBranch) and _fixed_at_start(a.path, a.process.copy):
            copies.append(a)
            pars.add(id(a.process.copy))
        else:
            return  # an access nobody can name statically: say nothing about this end
    if len(pars) > 1:
        return
    for key, user in constant.items():
        if user is not None:
            spec.expects.append(S.Expectation(symbol, [_literal(k) for k in key], side, user))
    recorded = set()
    for a in copies:
        key = tuple(id(s) for s in a.path)
        if key not in recorded:  # one copy's access, seen once per use of the PROC
            recorded.add(key)
            if isinstance(a.process, CopyBranch):
                who = a.process
                who.copy.expects.append(S.Expectation(symbol, list(a.path), side, who.name, who.par))
            else:
                a.process.expects.append(S.Expectation(symbol, list(a.path), side, None))


def _constant(selector) -> bool:
    return isinstance(selector.const, int) and not isinstance(selector.const, bool)


def _literal(value: int) -> S.Literal:
    lit = S.Literal("int", value)
    lit.type, lit.const = T.INT, value
    return lit


def _fixed_at_start(path: list, par: S.Par) -> bool:
    """Can a copy of the replicated ``par`` evaluate these subscripts as it starts?
    Only its index, constants and VAL names declared outside the PAR may appear."""
    index = par.replicator.name.symbol
    inside = declared_inside(par)
    for selector in path:
        if isinstance(selector, S.Slice):
            return False
        for node in S.walk(selector):
            if isinstance(node, (S.Call, S.Slice)):
                return False
            if isinstance(node, S.Name):
                symbol = node.symbol
                if symbol is None:
                    return False  # a subscript computed inside a called PROC
                if symbol is index:
                    continue
                if symbol.kind != "value" or id(symbol) in inside:
                    return False
    return True
