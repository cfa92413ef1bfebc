"""Values and locations: constants, names, subscripts, slices, tables, calls.

A variable is a Python local (or a closure variable of an enclosing PROC or
PAR branch); an element `a[i]` is a subscript of the list holding the array; a
record is a list indexed by field position.  Python would wrap a negative
index silently, so indexes are tested unless they cannot be negative; an index
past the end raises IndexError, which the runtime reports as occam's error.

An occam-pi mobile (``Symbol.mobile``) is a Python variable holding its object,
or None while it is undefined: every read of it goes through ``_mobile``,
which raises occam's error for None; a move (``Name.moved``) hands the object
on and stores None; CLONE is a deep copy.  An array of mobiles is a list of
such objects (None for an undefined element): its elements (``Subscript.mobile``)
are read, moved (``Subscript.moved``) and stored the same way.
"""

from __future__ import annotations

import ast
import struct

from cspc import syntax as S
from cspc.check.access import mobile_label
from cspc.diagnostics import InternalError

from .core import Generator, translates
from .pyast import as_store, assign, call, const, copy_ast, expr_stmt, load, method, stamp, store
from .types import (
    is_mobile_var,
    INTEGERS,
    REALS,
    is_channel_like,
    is_data_aggregate,
    is_flat,
    is_scalar,
    prim,
    record_decl,
)


def constant(value, type_name: str | None):
    """A folded value as Python holds a value of ``type_name``."""
    if type_name in REALS:
        value = float(value)
        if type_name == "REAL32":
            value = struct.unpack("f", struct.pack("f", value))[0]
    elif type_name == "BOOL":
        value = bool(value)
    elif type_name in INTEGERS:
        value = int(value)
    return value


def folded(e: S.Expr) -> ast.expr | None:
    """The constant the checks folded ``e`` to, when it is a scalar."""
    if e.const is not None and is_scalar(e.type) and not isinstance(e.const, (list, tuple)):
        return const(constant(e.const, prim(e.type)))
    return None


@translates(S.Literal)
def literal(g: Generator, e: S.Literal) -> ast.expr:
    if e.kind == "string":
        return const(bytes(e.value))
    if e.kind == "bool":
        return const(bool(e.value))
    if e.kind == "real":
        return const(constant(float(e.value), prim(e.type) or "REAL64"))
    return const(int(e.value))


@translates(S.Name)
def name(g: Generator, e: S.Name) -> ast.expr:
    if e.symbol is None:
        raise InternalError(f"{e.span}: name `{e.name}' was not resolved")
    if e.symbol.kind == "tag":
        return const(e.name)
    return location(g, e)


def store_location(g: Generator, e: S.Expr) -> ast.expr:
    """The Store form of a variable or element: a mobile's own Python variable
    (given a new object, or None), not the checked read of it."""
    if isinstance(e, S.Name) and is_mobile_var(e) and e.symbol not in g.aliases:
        return store(g.ident_of(e))
    if isinstance(e, S.Subscript) and e.mobile:
        return as_store(element(g, e))
    return as_store(location(g, e))


def raw_mobile(g: Generator, e: S.Name | S.Subscript) -> ast.expr:
    """A mobile's variable (or element) as it is, None included (DEFINED, MOBILE parameters)."""
    if isinstance(e, S.Subscript):
        return element(g, e)
    return load(g.ident_of(e))


def moved_away(g: Generator, items: list[S.Expr]) -> list[ast.stmt]:
    """``m = None`` (or ``a[i] = None``) for each mobile the process moved out
    (``Name.moved``, ``Subscript.moved``)."""
    return [
        stamp(ast.Assign([store(g.ident_of(e)) if isinstance(e, S.Name) else as_store(element(g, e))],
                         const(None)), e.span)
        for e in items
        if isinstance(e, (S.Name, S.Subscript)) and e.moved
    ]


def location(g: Generator, e: S.Expr) -> ast.expr:
    """A Load expression for a variable, element or field (as_store() makes it a target)."""
    if isinstance(e, S.Name):
        alias = g.aliases.get(e.symbol)
        if alias is not None:
            return copy_ast(alias)
        if e.symbol is not None and e.symbol.mobile:  # an error if it is undefined
            return stamp(call(g.helper("mobile"), load(g.ident_of(e)), const(e.name)), e.span)
        return load(g.ident_of(e))
    if isinstance(e, S.Subscript):
        return subscript(g, e)
    if isinstance(e, S.ChanEnd):
        return location(g, e.chan)
    raise InternalError(f"{e.span}: not a variable")


@translates(S.Subscript)
def subscript(g: Generator, e: S.Subscript) -> ast.expr:
    if e.mobile:  # an element of an array of mobiles: an error if it is undefined
        return stamp(call(g.helper("mobile"), element(g, e), const(mobile_label(e))), e.span)
    return element(g, e)


def element(g: Generator, e: S.Subscript) -> ast.expr:
    """`a[i]' as the list item it is (for a mobile element, None included)."""
    if isinstance(e.base, (S.Name, S.Subscript)):
        base = location(g, e.base)
    elif isinstance(e.base, S.Slice):  # may be assigned to: index the array itself
        base = slice_ref(g, e.base)
    else:
        base = g.expr(e.base)
    return stamp(ast.Subscript(base, subscript_index(g, e), ast.Load()), e.span)


def subscript_index(g: Generator, e: S.Subscript) -> ast.expr:
    """The Python index of `a[i]`, or of `r[field]` and `cli[field]` (the
    field's position in the record or CHAN TYPE)."""
    record = record_decl(e.base.type)
    index = e.index
    if isinstance(e.base.type, S.EndType):
        fields = e.base.type.name.symbol.decl.fields
        for k, f in enumerate(fields):
            if f.name.name == index.name:
                return const(k)
        raise InternalError(f"{e.span}: no channel {index.name} in the CHAN TYPE")
    if record is not None and isinstance(index, S.Name) and index.symbol is not None:
        if index.symbol.kind == "field":
            for k, f in enumerate(record.fields):
                if f.name.name == index.name:
                    return const(k)
            raise InternalError(f"{e.span}: no field {index.name}")
    return checked_index(g, index)


def checked_index(g: Generator, index: S.Expr) -> ast.expr:
    """An index that Python would not silently wrap: negative indexes are errors."""
    py = g.expr(index)
    if isinstance(py, ast.Constant):
        if isinstance(py.value, int) and py.value < 0:
            return call(g.helper("bad_index"))
        return py
    if never_negative(index):
        return py
    test = ast.Compare(ast.NamedExpr(store("_t"), py), [ast.GtE()], [const(0)])
    return ast.IfExp(test, load("_t"), call(g.helper("bad_index")))


def never_negative(e: S.Expr) -> bool:
    """Cheap, sure cases where an index needs no negative test."""
    if prim(e.type) == "BYTE":
        return True
    if isinstance(e, S.Name) and e.symbol is not None:
        decl = e.symbol.decl
        if not isinstance(decl, S.Replicator) or decl.step is not None:
            return False
        base = decl.base.const
        if base is None and isinstance(decl.base, S.Literal):
            base = decl.base.value
        return isinstance(base, int) and base >= 0
    if isinstance(e, S.Binary) and e.op in ("/\\", "BITAND"):
        return any(isinstance(x.const, int) and x.const >= 0 for x in (e.left, e.right))
    return isinstance(e, S.Unary) and e.op == "SIZE"


def slice_parts(g: Generator, e: S.Slice) -> tuple[ast.expr, ast.expr, ast.expr]:
    base = g.expr(e.base)
    start = g.expr(e.start) if e.start is not None else const(0)
    if e.count is not None:
        count = g.expr(e.count)
    else:  # [a FROM s] -- to the end
        count = ast.BinOp(call(g.builtin("len"), copy_ast(base)), ast.Sub(), copy_ast(start))
    return base, start, count


@translates(S.Slice)
def slice_value(g: Generator, e: S.Slice) -> ast.expr:
    return call(g.helper("slice_value"), *slice_parts(g, e))


def slice_ref(g: Generator, e: S.Slice) -> ast.expr:
    """A slice that is written through (a View), or a list of channels."""
    kind = "slice_value" if is_channel_like(e.base.type) else "slice_view"
    return call(g.helper(kind), *slice_parts(g, e))


def array_target(g: Generator, target: S.Expr) -> ast.expr:
    """An array about to be written: a slice must be a view, not a copy."""
    if isinstance(target, S.Slice):
        return slice_ref(g, target)
    return g.expr(target)


def copy_of(g: Generator, value: ast.expr, t: S.Type | None) -> ast.Call:
    return call(g.helper("copy_flat" if is_flat(t) else "copy"), value)


def out_value(g: Generator, item: S.Expr) -> ast.expr:
    """One item of a message or table: arrays are copies (the sender may change its own)."""
    if isinstance(item, S.CountedItem):
        return call(g.helper("counted_output"), g.expr(item.count), g.expr(item.array))
    value = g.expr(item)
    if (isinstance(item, (S.Name, S.Subscript)) and item.moved) or isinstance(item, S.Clone):
        return value  # the mobile's own object goes (it is undefined after), or a new copy
    if is_data_aggregate(item.type) and not isinstance(value, ast.Constant):
        value = copy_of(g, value, item.type)
    return value


def mobile_value(g: Generator, value: S.Expr) -> ast.expr:
    """The object a mobile variable is given: the value itself when it is new
    (moved, cloned, allocated), else a copy of an array or record."""
    py = g.expr(value)
    if is_mobile_var(value) or isinstance(value, (S.Clone, S.MobileAllocation, S.ProcessAllocation)):
        return py
    if is_data_aggregate(value.type):
        return copy_of(g, py, value.type)  # a string too: a list of its bytes
    return py


@translates(S.MobileAllocation)
def mobile_allocation(g: Generator, e: S.MobileAllocation) -> ast.expr:
    from .decls import initial_value

    dims, elem = [], e.target
    while isinstance(elem, S.ArrayType):
        dims.append(g.expr(elem.size))
        elem = elem.elem
    zero = initial_value(g, elem, "")
    return stamp(call(g.helper("allocate"), ast.List(dims, ast.Load()), zero), e.span)


@translates(S.EndsAllocation)
def ends_allocation(g: Generator, e: S.EndsAllocation, name: ast.expr | None = None) -> ast.expr:
    """`MOBILE T': ``_ends(name, fields)``, the new bundle for both ends."""
    decl = e.name.symbol.decl
    fields = ast.Tuple([const(f.name.name) for f in decl.fields], ast.Load())
    return stamp(call(g.helper("ends"), name or const(e.name.name), fields), e.span)


def run_time_name(g: Generator, e: S.Expr) -> ast.expr | None:
    """How reports name a variable or element as the program runs: `cli',
    `clients[2]' (``f"clients[{i}]"``); None for anything else."""
    if isinstance(e, S.Name):
        return const(e.name)
    if not isinstance(e, S.Subscript):
        return None
    base = run_time_name(g, e.base)
    if base is None:
        return None
    parts = base.values if isinstance(base, ast.JoinedStr) else [base]
    parts = parts + [const("["), ast.FormattedValue(g.expr(e.index), -1, None), const("]")]
    return ast.JoinedStr(parts)


@translates(S.BarrierAllocation)
def barrier_allocation(g: Generator, e: S.BarrierAllocation, name: str = "MOBILE BARRIER") -> ast.expr:
    """`MOBILE BARRIER': a new barrier, its holder enrolled (named for reports
    after the variable it is given to)."""
    return stamp(new_barrier(name), e.span)


def new_barrier(name: str) -> ast.expr:
    """``_rt.Barrier(name, 1)``: a barrier on which its maker is enrolled."""
    return call(ast.Attribute(load("_rt"), "Barrier", ast.Load()), const(name), const(1))


@translates(S.Clone)
def clone(g: Generator, e: S.Clone) -> ast.expr:
    operand = e.operand
    return stamp(call(g.helper("clone"), raw_mobile(g, operand), const(mobile_label(operand))), e.span)


@translates(S.Defined)
def defined(g: Generator, e: S.Defined) -> ast.expr:
    return ast.Compare(raw_mobile(g, e.operand), [ast.IsNot()], [const(None)])


@translates(S.ArrayLit)
def table(g: Generator, e: S.ArrayLit) -> ast.expr:
    return ast.List([out_value(g, item) for item in e.items], ast.Load())


@translates(S.ArrayConstructor)
def array_constructor(g: Generator, e: S.ArrayConstructor) -> ast.expr:
    """`[i = 0 FOR n | e]`: a call of a function that builds the list, defined
    beforehand like a VALOF's (the index is that function's own variable, so
    a VALOF inside the value sees it)."""
    from .control import replicated

    def build() -> list[ast.stmt]:
        g.declare(e.replicator.name)
        items = g.temp("items")
        append = expr_stmt(method(load(items), "append", out_value(g, e.value)))
        loop = replicated(g, e.replicator, [stamp(append, e.value.span)])
        return [assign(store(items), ast.List([], ast.Load())), *loop, ast.Return(load(items))]

    name = g.temp("table")
    g.hoist(g.function(name, [], build, e.span))
    return call(load(name))


@translates(S.ChanEnd)
def chan_end(g: Generator, e: S.ChanEnd) -> ast.expr:
    return g.expr(e.chan)


@translates(S.Call)
def function_call(g: Generator, e: S.Call) -> ast.expr:
    if e.conversion is not None:  # `T (x)`, T a DATA TYPE: the checks made it `T x'
        return g.expr(e.conversion)
    return call(g.routine(e.func), *[g.expr(a) for a in e.args])


@translates(S.SizeOfType)
def size_of_type(g: Generator, e: S.SizeOfType) -> ast.expr:
    raise InternalError(f"{e.span}: SIZE of a type is a constant the checks did not fold")


@translates(S.BytesIn)
def bytes_in(g: Generator, e: S.BytesIn) -> ast.expr:
    """`BYTESIN (a)` of an open array or a slice of unknown length (other
    cases are constants): its sizes times its scalar's bytes, as it runs."""
    unit, depth = e.unit
    return call(g.helper("bytes_in"), g.expr(e.of), const(unit), const(depth))


@translates(S.CountedItem)
def counted_item(g: Generator, e: S.CountedItem) -> ast.expr:
    raise InternalError(f"{e.span}: counted item outside a communication")


@translates(S.OffsetOf)
def offset_of(g: Generator, e: S.OffsetOf) -> ast.expr:
    raise InternalError(f"{e.span}: OFFSETOF is a constant the checks did not fold")
