"""Declarations and routines: variables, abbreviations, PROCs and FUNCTIONs.

* a variable is a Python local initialised to zeros (occam leaves it
  undefined); a channel a ``Channel``, an array of channels a list of them,
  each named for deadlock reports (``cs[3]``) and told which processes use its
  ends when the checks know (``Channel.expect``);
* a VAL abbreviation is a local holding the value; a reference abbreviation of
  an array or channel is a local holding the same object; a reference
  abbreviation of a scalar (`INT x IS a[i]:`) has no Python variable: uses of
  ``x`` become the location ``a[i0]``, with the index fixed on entry;
* a PROC or FUNCTION is a Python function whose docstring is its occam
  heading; with `#PRAGMA PYTHON` its body calls the bound Python function.
"""

from __future__ import annotations

import ast

from cspc import syntax as S
from cspc.check.types import is_mobile, type_str
from cspc.diagnostics import InternalError

from .control import copied_out
from .core import Generator, translates
from .pyast import assign, call, const, expr_stmt, label, load, method, one_or_tuple, stamp, store
from .types import INTEGERS, REALS, is_data_aggregate, is_scalar, prim, record_decl, resolve, starts_undefined
from .values import copy_of, location, mobile_value, moved_away, new_barrier, slice_ref, subscript_index


@translates(S.Pragma, S.ProtocolDecl, S.DataTypeDecl, S.ChanTypeDecl, S.Placement)
def no_code(g: Generator, spec: S.Spec) -> list[ast.stmt]:
    """Specifications that only the checks need (`#PRAGMA PYTHON` is bound to its PROC)."""
    return []


# --------------------------------------------------------------------------- variables


@translates(S.VarDecl)
def variables(g: Generator, spec: S.VarDecl) -> list[ast.stmt]:
    stmts = []
    for name in spec.names:
        ident = g.declare(name)
        if name.symbol.mobile and starts_undefined(spec.type):
            value = const(None)  # a dynamic mobile array: undefined until allocated
        else:
            value = initial_value(g, spec.type, name.name)
        mine = [e for e in spec.expects if e.symbol is name.symbol]
        if mine and isinstance(resolve(spec.type), S.ChanType):  # Channel("c").expect(...)
            ends = {e.side: const(e.process) for e in mine}
            value = method(value, "expect", **ends)
            mine = []
        stmts.append(assign(store(ident), value))
        stmts.extend(expectation(g, e, e.process) for e in mine)
    return stmts


def expectation(g: Generator, e: S.Expectation, process: ast.expr | str) -> ast.stmt:
    """``_expect_end(cs, (i,), "reader", "consumer")``: for deadlock reports."""
    if isinstance(process, str):
        process = const(process)
    indexes = ast.Tuple([g.expr(i) for i in e.path], ast.Load())
    helper = g.helper("expect_end")
    return expr_stmt(call(helper, load(g.idents[e.symbol]), indexes, const(e.side), process))


def copy_expectations(g: Generator, par: S.Par, index: str) -> list[ast.stmt]:
    """What a copy of a replicated PAR records as it starts: the elements it uses
    (for itself, or for a branch of a PAR inside it)."""
    name = label(par.copy_prefix, load(index))
    return [
        expectation(g, e, name if e.process is None else in_copies(g, e.process, e.within))
        for e in par.expects
    ]


def in_copies(g: Generator, name: str, par: S.Par | None) -> ast.expr | str:
    """The run-time name of branch ``name`` of ``par``: with the index of each
    replicated PAR copy it runs in (``f"fork i={i}"``), else just ``name``."""
    if par is None or not par.copies:
        return name
    parts: list[ast.expr] = [const(name)]
    for copy in par.copies:
        rep = copy.replicator.name
        parts.append(const(f" {rep.name}="))
        parts.append(ast.FormattedValue(load(g.allocate(rep)), -1, None))
    return ast.JoinedStr(parts)


def initial_value(g: Generator, t: S.Type, name: str) -> ast.expr:
    """A fresh value of type ``t`` (occam leaves variables undefined: we use zeros)."""
    t = resolve(t)
    if isinstance(t, S.ChanType):
        return call(g.rt("Channel"), const(name))
    if isinstance(t, S.TimerType):
        return call(g.rt("Timer"))
    if isinstance(t, S.BarrierType):  # the declaring process is enrolled
        return new_barrier(name)
    if isinstance(t, S.ArrayType):
        dims, elem = [], t
        while isinstance(elem, S.ArrayType):
            if elem.size is None:
                raise InternalError("array variable without a size")
            dims.append(g.expr(elem.size))
            if is_mobile(elem.elem) and (starts_undefined(elem.elem) or isinstance(elem.elem, S.EndType)):
                # an array of dynamic mobiles or of CHAN TYPE ends: each undefined
                return call(g.helper("new_array"), ast.List(dims, ast.Load()),
                            ast.Lambda(ast.arguments([], [], None, [], [], None, []), const(None)))
            elem = resolve(elem.elem)
        if len(dims) == 1 and is_scalar(elem):
            return ast.BinOp(
                ast.List([initial_value(g, elem, name)], ast.Load()), ast.Mult(), dims[0]
            )
        if isinstance(elem, S.ChanType):  # [[Channel(f"cs[{_k0}][{_k1}]") ...] ...]
            parts: list[ast.expr] = [const(name)]
            for k in range(len(dims)):
                parts += [const("["), ast.FormattedValue(load(f"_k{k}"), -1, None), const("]")]
            value: ast.expr = call(g.rt("Channel"), ast.JoinedStr(parts))
            for k in reversed(range(len(dims))):
                each = ast.comprehension(store(f"_k{k}"), call(g.builtin("range"), dims[k]), [], 0)
                value = ast.ListComp(value, [each])
            return value
        make = ast.Lambda(
            ast.arguments([], [], None, [], [], None, []), initial_value(g, elem, name)
        )
        return call(g.helper("new_array"), ast.List(dims, ast.Load()), make)
    record = record_decl(t)
    if record is not None:
        return ast.List([initial_value(g, f.type, name) for f in record.fields], ast.Load())
    kind = prim(t)
    if kind == "BOOL":
        return const(False)
    if kind in REALS:
        return const(0.0)
    if kind in INTEGERS:
        return const(0)
    raise InternalError(f"codegen: cannot make a value of type {t}")


# --------------------------------------------------------------------------- abbreviations


@translates(S.Abbreviation)
def abbreviation(g: Generator, spec: S.Abbreviation) -> list[ast.stmt]:
    t = spec.type or spec.value.type
    value = spec.value
    if spec.retypes is not None:
        # A copy in the new layout; a REF one is written back at the end of
        # its scope (control.write_backs).
        source, target = spec.layouts
        py = call(g.helper("retype"), g.expr(value), const(source), layout_value(g, target), const(spec.retypes))
        return [assign(store(g.declare(spec.name)), py)]
    if spec.mode == "REF" and is_scalar(t):
        # `INT x IS y:` / `INT x IS a[i]:` -- x is another name for that location.
        stmts: list[ast.stmt] = []
        g.aliases[spec.name.symbol] = fixed_location(g, value, stmts)
        return stmts
    if spec.name.symbol.mobile:  # `INITIAL MOBILE []INT a IS MOBILE [n]INT:'
        stmts = [assign(store(g.declare(spec.name)), mobile_value(g, value))]
        return stmts + moved_away(g, [value])
    if spec.mode == "REF" and isinstance(value, S.Slice):
        py = slice_ref(g, value)
    elif spec.mode == "INITIAL" and is_data_aggregate(t):
        py = copy_of(g, g.expr(value), t)
    else:
        py = g.expr(value)
    return [assign(store(g.declare(spec.name)), py)]


def layout_value(g: Generator, layout: tuple) -> ast.expr:
    """A layout (check/layout.py) whose sizes may be computed as the program
    runs: those are the sizes' expressions, evaluated now."""
    element, dims = layout
    if all(d is None or isinstance(d, int) for d in dims):
        return const(layout)
    sizes = [const(d) if d is None or isinstance(d, int) else g.expr(d) for d in dims]
    return ast.Tuple([const(element), ast.Tuple(sizes, ast.Load())], ast.Load())


def fixed_location(g: Generator, target: S.Expr, stmts: list[ast.stmt]) -> ast.expr:
    """A location whose indexes are evaluated once, now, into temporaries."""
    if not isinstance(target, S.Subscript):
        return location(g, target)
    if isinstance(target.base, S.Subscript):
        base = fixed_location(g, target.base, stmts)
    else:
        base = g.expr(target.base)
    index = subscript_index(g, target)
    if not isinstance(index, ast.Constant):
        tmp = g.temp("i")
        stmts.append(assign(store(tmp), index))
        index = load(tmp)
    return ast.Subscript(base, index, ast.Load())


# --------------------------------------------------------------------------- PROCs and FUNCTIONs


def heading(spec: S.ProcDecl | S.FunctionDecl) -> str:
    """The occam heading of a PROC or FUNCTION, for its docstring; a parameter of
    the same mode and type as the one before it is written by name alone, as in
    `(CHAN BYTE keyboard?, screen!, error!)`."""
    parts, previous = [], None
    for p in spec.params:
        mode = "VAL " if p.mode == "VAL" else "RESULT " if p.result else ""
        kind = f"{mode}{type_str(p.type)}"
        name = f"{p.name.name}{p.direction or ''}"
        parts.append(name if kind == previous else f"{kind} {name}")
        previous = kind
    params = ", ".join(parts)
    rec = "RECURSIVE " if spec.recursive else ""
    if isinstance(spec, S.FunctionDecl):
        results = ", ".join(type_str(t) for t in spec.results)
        return f"{results} {rec}FUNCTION {spec.name.name} ({params})"
    return f"{rec}PROC {spec.name.name} ({params})"


def python_body(g: Generator, where: str, params: list[str], declared_in: str) -> list[ast.stmt]:
    """The body of a routine bound by `#PRAGMA PYTHON "module:function"`: the
    module may also sit beside the occam file (or the module run)."""
    fn = call(g.helper("python_function"), const(where), const(declared_in), load("__file__"))
    return [ast.Return(call(fn, *[load(p) for p in params]))]


@translates(S.ProcDecl)
def proc(g: Generator, spec: S.ProcDecl) -> list[ast.stmt]:
    ident = g.declare(spec.name)
    outs = [p for p in spec.params if copied_out(p)]

    def build():
        params = [g.declare(p.name) for p in spec.params]
        if spec.python is not None:
            return python_body(g, spec.python, params, spec.span.file)
        body = g.process(spec.body)
        if outs:
            body.append(ast.Return(one_or_tuple([load(g.ident_of(p.name)) for p in outs])))
        return body

    params = [g.allocate(p.name) for p in spec.params]
    return [g.function(ident, params, build, spec.span, heading(spec))]


@translates(S.FunctionDecl)
def function(g: Generator, spec: S.FunctionDecl) -> list[ast.stmt]:
    ident = g.declare(spec.name)

    def build():
        params = [g.declare(p.name) for p in spec.params]
        if spec.python is not None:
            return python_body(g, spec.python, params, spec.span.file)
        if isinstance(spec.body, S.Valof):
            return valof(g, spec.body)
        return [ast.Return(one_or_tuple([g.expr(e) for e in spec.body]))]

    params = [g.allocate(p.name) for p in spec.params]
    return [g.function(ident, params, build, spec.span, heading(spec))]


@translates(S.ValofExpr)
def valof_expression(g: Generator, e: S.ValofExpr) -> ast.expr:
    """`(VALOF ... RESULT x)`: a call of a function made of it, defined
    beforehand (it has no side effects, so when it runs is all that matters)."""
    name = g.temp("valof")
    g.hoist(g.function(name, [], lambda: valof(g, e.valof), e.span))
    return call(load(name))


def valof(g: Generator, body: S.Valof) -> list[ast.stmt]:
    from .control import write_backs

    stmts = g.specs(body.specs) + g.process(body.body) + write_backs(g, body.specs)
    result = ast.Return(one_or_tuple([g.expr(e) for e in body.results]))
    return stmts + [stamp(result, body.span)]
