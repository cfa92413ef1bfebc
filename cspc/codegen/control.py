"""Control flow: SEQ, IF, CASE, WHILE, SKIP, STOP, assignment and PROC calls.

* a SEQ is its processes in order; a replicated SEQ (and any replicator) is a
  ``for`` loop over ``range``, with ``STEP`` computed from a counter;
* an iteration of a WHILE or replicated SEQ that may not block ends with
  ``_tick()``, for fair scheduling (``While.tick``/``Seq.tick``, from the checks);
* IF is an ``if``/``elif`` chain ending in a call that raises occam's "no
  condition was TRUE" error; a replicated IF sets a flag and breaks;
* CASE compares its selector (evaluated once) with each option's values;
* a PROC call copies its scalar reference actuals back from the values the
  PROC returns (see the package docstring).
"""

from __future__ import annotations

import ast

from cspc import syntax as S
from cspc.check.types import base, is_string
from cspc.diagnostics import InternalError

from .core import Generator, translates
from .pyast import (
    as_store,
    assign,
    call,
    const,
    copy_ast,
    expr_stmt,
    load,
    stamp,
    store,
    store_tuple,
)
from .types import is_data_aggregate, is_flat, is_mobile_var, is_scalar, static_layout
from .values import (
    array_target,
    barrier_allocation,
    copy_of,
    ends_allocation,
    location,
    mobile_value,
    moved_away,
    raw_mobile,
    run_time_name,
    slice_ref,
    store_location,
)


@translates(S.Specified)
def specified(g: Generator, p: S.Specified) -> list[ast.stmt]:
    return g.specs(p.specs) + g.process(p.body) + write_backs(g, p.specs)


def write_backs(g: Generator, specs: list[S.Spec]) -> list[ast.stmt]:
    """At the end of their scope, the RETYPES of variables (`INT16 h RETYPES b:`)
    write their value back, in the variable's own layout.  occam forbids any
    use of ``b`` while ``h`` is in scope, so copying in and out is exact."""
    stmts: list[ast.stmt] = []
    for spec in reversed(specs):
        if isinstance(spec, S.Abbreviation) and spec.retypes is not None and spec.mode == "REF":
            source, target = spec.layouts
            new, old = load(g.idents[spec.name.symbol]), g.expr(spec.value)
            back = call(g.helper("retype_back"), new, const(static_layout(target)), old, const(source))
            stmts.extend(stamp(s, spec.span) for s in assign_one(g, spec.value, back))
    return stmts


@translates(S.Skip)
def skip(g: Generator, p: S.Skip) -> list[ast.stmt]:
    return []


@translates(S.Stop)
def stop(g: Generator, p: S.Stop) -> list[ast.stmt]:
    return [expr_stmt(call(g.rt("stop")))]


@translates(S.Seq)
def seq(g: Generator, p: S.Seq) -> list[ast.stmt]:
    if p.replicator is None:
        stmts: list[ast.stmt] = []
        for q in p.body:
            stmts.extend(g.process(q))
        return stmts
    g.declare(p.replicator.name)
    body: list[ast.stmt] = []
    for q in p.body:
        body.extend(g.process(q))
    if p.tick:
        body.append(loop_end(g))
    return replicated(g, p.replicator, body or [ast.Pass()])


def loop_end(g: Generator) -> ast.stmt:
    """``_tick()``: where a process that has run a time slice lets others run
    (``runtime/fair.py``)."""
    return expr_stmt(call(g.rt("tick")))


def replicated(g: Generator, rep: S.Replicator, body: list[ast.stmt]) -> list[ast.stmt]:
    """``for i in range(...)`` over a replicator."""
    index = g.declare(rep.name)
    base, count = g.expr(rep.base), g.expr(rep.count)
    pre: list[ast.stmt] = []
    if rep.step is None:
        if isinstance(base, ast.Constant) and base.value == 0:
            bounds = [count]
        else:
            if not isinstance(base, (ast.Constant, ast.Name)):
                tmp = g.temp("b")
                pre.append(assign(store(tmp), base))
                base = load(tmp)
            bounds = [base, ast.BinOp(copy_ast(base), ast.Add(), count)]
        loop = ast.For(store(index), call(g.builtin("range"), *bounds), body, [])
        return pre + [stamp(loop, rep.span)]
    # STEP: index = base + k * step for k in 0 .. count-1
    k, tb, ts = g.temp("k"), g.temp("b"), g.temp("s")
    pre = [assign(store(tb), base), assign(store(ts), g.expr(rep.step))]
    value = ast.BinOp(load(tb), ast.Add(), ast.BinOp(load(k), ast.Mult(), load(ts)))
    loop = ast.For(
        store(k), call(g.builtin("range"), count), [assign(store(index), value)] + body, []
    )
    return pre + [stamp(loop, rep.span)]


@translates(S.While)
def while_(g: Generator, p: S.While) -> list[ast.stmt]:
    body = g.process(p.body) + ([loop_end(g)] if p.tick else [])
    return [ast.While(g.expr(p.condition), body or [ast.Pass()], [])]


# --------------------------------------------------------------------------- assignment


@translates(S.Assign)
def assignment(g: Generator, p: S.Assign) -> list[ast.stmt]:
    if len(p.targets) == 1 and len(p.values) == 1:
        target, value = p.targets[0], p.values[0]
        if isinstance(value, S.BarrierAllocation) and isinstance(target, S.Name):
            return assign_one(g, target, barrier_allocation(g, value, target.name))
        if is_mobile_var(target):  # the mobile is given the value's object, or a copy
            return assign_one(g, target, mobile_value(g, value)) + moved_away(g, [value])
        return assign_one(g, target, g.expr(value))
    temps = [g.temp("r") for _ in p.targets]
    if len(p.values) == 1 and isinstance(p.values[0], S.EndsAllocation):  # cli, svr := MOBILE T
        client = next(t for t in p.targets if t.type.direction == "!")  # the bundle is named after it
        named = run_time_name(g, client)
        stmts: list[ast.stmt] = [assign(store_tuple(temps), ends_allocation(g, p.values[0], named))]
    elif len(p.values) == 1:  # a, b := f(x)
        stmts = [assign(store_tuple(temps), g.expr(p.values[0]))]
    else:  # a, b := b, a: every value first, then every target
        stmts = []
        for tmp, target, value in zip(temps, p.targets, p.values):
            if is_mobile_var(target):
                py = mobile_value(g, value)
            else:
                py = g.expr(value)
                if is_data_aggregate(value.type):
                    py = copy_of(g, py, value.type)
            stmts.append(assign(store(tmp), py))
        stmts.extend(moved_away(g, p.values))  # before the targets: `a, b := b, a' gives both back
    for target, tmp in zip(p.targets, temps):
        stmts.extend(assign_one(g, target, load(tmp)))
    return stmts


def assign_one(g: Generator, target: S.Expr, value: ast.expr) -> list[ast.stmt]:
    """``target := value``: arrays and records are copied into, scalars rebound;
    a mobile is rebound to the value (an object nobody else holds)."""
    if is_mobile_var(target):
        return [assign(store_location(g, target), value)]
    if is_data_aggregate(target.type):
        helper = "assign" if is_flat(target.type) else "assign_deep"
        return [expr_stmt(call(g.helper(helper), array_target(g, target), value))]
    return [assign(as_store(location(g, target)), value)]


# --------------------------------------------------------------------------- IF and CASE


@translates(S.If)
def if_(g: Generator, p: S.If) -> list[ast.stmt]:
    choices_ = [S.Choice([], None, None, nested=p, span=p.span)] if p.replicator else p.choices
    failed = [stamp(expr_stmt(call(g.helper("if_failed"))), p.span)]
    return choices(g, choices_, on_match=[], otherwise=failed)


def choices(
    g: Generator, choices_: list[S.Choice], on_match: list[ast.stmt], otherwise: list[ast.stmt]
) -> list[ast.stmt]:
    """The first choice whose condition is TRUE runs, then ``on_match``; else ``otherwise``."""
    if not choices_:
        return otherwise
    first, rest = choices_[0], choices_[1:]
    stmts = g.specs(first.specs)
    nested = first.nested
    if nested is not None and nested.replicator is None:
        return stmts + choices(g, nested.choices + rest, on_match, otherwise)
    if nested is not None:
        matched = g.temp("matched")
        g.declare(nested.replicator.name)
        inner = choices(g, nested.choices, [assign(store(matched), const(True)), ast.Break()], [])
        stmts.append(assign(store(matched), const(False)))
        stmts.extend(replicated(g, nested.replicator, inner or [ast.Pass()]))
        tail = choices(g, rest, on_match, otherwise)
        stmts.append(ast.If(load(matched), on_match or [ast.Pass()], tail))
        return [stamp(s, first.span) for s in stmts]
    cond = g.expr(first.condition)
    body = g.process(first.body) + list(on_match)
    tail = choices(g, rest, on_match, otherwise)
    if isinstance(cond, ast.Constant) and cond.value is True:
        stmts.extend(body)
    else:
        stmts.append(ast.If(cond, body or [ast.Pass()], tail))
    return [stamp(s, first.span) for s in stmts]


@translates(S.Case)
def case(g: Generator, p: S.Case) -> list[ast.stmt]:
    selector = g.expr(p.selector)
    if is_string(base(p.selector.type)):  # occam-pi: compared as bytes with the options' strings
        selector = call(g.builtin("bytes"), selector)
    stmts: list[ast.stmt] = []
    if not isinstance(selector, (ast.Name, ast.Constant)):
        tmp = g.temp("sel")
        stmts.append(assign(store(tmp), selector))
        selector = load(tmp)
    chain = [stamp(expr_stmt(call(g.helper("case_failed"), copy_ast(selector))), p.span)]
    for option in p.options:
        if option.is_else:
            chain = option_body(g, option)
    for option in reversed([o for o in p.options if not o.is_else]):
        values = [g.expr(v) for v in option.values]
        if len(values) == 1:
            test = ast.Compare(selector, [ast.Eq()], values)
        else:
            test = ast.Compare(selector, [ast.In()], [ast.Tuple(values, ast.Load())])
        chain = [stamp(ast.If(test, option_body(g, option), chain), option.span)]
    return stmts + chain


def option_body(g: Generator, option: S.Option) -> list[ast.stmt]:
    return g.specs(option.specs) + g.block(option.body) + write_backs(g, option.specs)


# --------------------------------------------------------------------------- PROC calls


@translates(S.ProcCall)
def proc_call(g: Generator, p: S.ProcCall) -> list[ast.stmt]:
    if p.activates:
        from .processes import activation

        return activation(g, p)
    decl = p.proc.symbol.decl if p.proc.symbol is not None else None
    if not isinstance(decl, S.ProcDecl):
        raise InternalError(f"{p.span}: call of something not a PROC")
    args, outs = [], []
    for param, arg in zip(decl.params, p.args):
        args.append(argument(g, param, arg))
        if copied_out(param):
            outs.append(arg)
    invoke = call(g.routine(p.proc), *args)
    if not outs:
        return [expr_stmt(invoke)]
    if len(outs) == 1:
        return [assign(store_location(g, outs[0]), invoke)]
    temps = [g.temp("r") for _ in outs]
    stmts: list[ast.stmt] = [assign(store_tuple(temps), invoke)]
    for arg, tmp in zip(outs, temps):
        stmts.append(assign(store_location(g, arg), load(tmp)))
    return stmts


def copied_out(param: S.Param) -> bool:
    """A reference parameter the PROC returns, for the caller to store: a
    scalar, or a mobile (which the PROC may move, allocate or input anew)."""
    return param.mode == "REF" and (is_scalar(param.type) or param.name.symbol.mobile)


def argument(g: Generator, param: S.Param, arg: S.Expr) -> ast.expr:
    if isinstance(arg, S.ChanEnd):
        arg = arg.chan
    if param.name.symbol.mobile:  # passed as it is, defined or not
        return raw_mobile(g, arg)
    if param.mode == "REF" and isinstance(arg, S.Slice):
        return slice_ref(g, arg)
    return g.expr(arg)
