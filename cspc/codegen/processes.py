"""occam-pi FORKING, FORK and mobile processes (runtime/forking.py runs them).

A FORKING block is its body between two calls, with the body's failure handed
to the block (which ends the forks, then raises)::

    _fk = _forking()
    try:
        body
    except BaseException as _e:
        _fk.abandon(_e)
    _fk.finish()

A FORK evaluates its actuals at once (VAL arrays copied, mobiles moved away)
and starts the PROC with them, ``_fork(_partial(p, *actuals), "p")``, joined
to the FORKING the runtime finds running around it.

A MOBILE PROC is a Python function like any PROC; `MOBILE p` makes a
``MobileProcess`` of it, `m (actuals)` activates that and `SUSPEND` is
``_suspend()`` (its parameters are channels, which the runtime points at each
activation's own).
"""

from __future__ import annotations

import ast
import dataclasses

from cspc import syntax as S
from cspc.diagnostics import InternalError

from .core import Generator, translates
from .pyast import assign, call, const, expr_stmt, load, method, stamp, store
from .types import is_data_aggregate
from .values import copy_of, moved_away


@translates(S.ProcTypeDecl)
def proc_type(g: Generator, spec: S.ProcTypeDecl) -> list[ast.stmt]:
    return []  # a type: nothing runs


@translates(S.Forking)
def forking(g: Generator, p: S.Forking) -> list[ast.stmt]:
    block, exc = g.temp("fk"), g.temp("e")
    body = g.block(p.body) or [ast.Pass()]
    handler = ast.ExceptHandler(
        load("BaseException"), exc, [expr_stmt(method(load(block), "abandon", load(exc)))]
    )
    keyword = dataclasses.replace(p.span, end_line=p.span.line, end_col=p.span.col + len("FORKING"))
    return [
        stamp(assign(store(block), call(g.rt("forking"))), keyword),
        stamp(ast.Try(body, [handler], [], []), p.span),
        stamp(expr_stmt(method(load(block), "finish")), keyword),  # where a report shows it waiting
    ]


@translates(S.Fork)
def fork(g: Generator, p: S.Fork) -> list[ast.stmt]:
    from .control import argument

    callee = p.call.proc
    decl = callee.symbol.decl if callee.symbol is not None else None
    if not isinstance(decl, S.ProcDecl):
        raise InternalError(f"{p.span}: FORK of something not a PROC")
    args = []
    for param, arg in zip(decl.params, p.call.args):
        value = argument(g, param, arg)
        if param.mode == "VAL" and is_data_aggregate(param.name.type) and not isinstance(value, ast.Constant):
            value = copy_of(g, value, param.name.type)  # the forking process may change its own
        args.append(value)
    g.need_partial = True
    start = call(g.rt("fork"), call("_partial", g.routine(callee), *args), const(callee.name))
    return [stamp(expr_stmt(start), p.span)] + moved_away(g, p.call.args)


@translates(S.Suspend)
def suspend(g: Generator, p: S.Suspend) -> list[ast.stmt]:
    return [stamp(expr_stmt(call(g.rt("suspend"))), p.span)]


@translates(S.ProcessAllocation)
def process_allocation(g: Generator, e: S.ProcessAllocation) -> ast.expr:
    return stamp(call(g.rt("mobile_process"), g.routine(e.name), const(e.name.name)), e.span)


def activation(g: Generator, p: S.ProcCall) -> list[ast.stmt]:
    """`m (actuals)': run the mobile process m until it SUSPENDs or ends."""
    from .control import argument

    proc_type = p.proc.symbol.type.name.symbol.decl
    args = [argument(g, param, arg) for param, arg in zip(proc_type.params, p.args)]
    process = call(g.helper("mobile"), load(g.ident_of(p.proc)), const(p.proc.name))  # an error if undefined
    return [stamp(expr_stmt(call(g.rt("activate"), process, *args)), p.span)]
