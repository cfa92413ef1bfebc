"""Arithmetic and conversions: occam's operators on Python's unbounded ints and floats.

* `+ - *` and unary `-` are checked: the result is tested against the type's
  range inline, ``(_t if lo <= (_t := a + b) <= hi else _overflow())``;
* `PLUS MINUS TIMES` wrap modulo 2**bits; bitwise operators need no test;
* `/` and `\\` truncate towards zero (Python's floor otherwise), shifts test
  their count, REAL32 results are rounded to single precision: helpers in
  ``cspc.runtime.occam``;
* conversions between integer types test the range only when it narrows.
"""

from __future__ import annotations

import ast

from cspc import syntax as S
from cspc.diagnostics import InternalError
from cspc.runtime.occam import BITS, RANGES

from .core import Generator, translates
from .pyast import call, const, load, store
from .types import INTEGERS, REALS, prim

ARITH = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult}
MODULAR = {"PLUS": ast.Add, "MINUS": ast.Sub, "TIMES": ast.Mult}
BITWISE = {
    "/\\": ast.BitAnd,
    "BITAND": ast.BitAnd,
    "\\/": ast.BitOr,
    "BITOR": ast.BitOr,
    "><": ast.BitXor,
}
COMPARE = {"=": ast.Eq, "<>": ast.NotEq, "<": ast.Lt, ">": ast.Gt, "<=": ast.LtE, ">=": ast.GtE}


def checked(g: Generator, value: ast.expr, t: str) -> ast.expr:
    """``value`` with an inline range test: ``(_t if lo <= (_t := value) <= hi else _overflow())``."""
    lo, hi = RANGES[t]
    test = ast.Compare(
        const(lo), [ast.LtE(), ast.LtE()], [ast.NamedExpr(store("_t"), value), const(hi)]
    )
    return ast.IfExp(test, load("_t"), call(g.helper("overflow")))


def wrapped(value: ast.expr, t: str) -> ast.expr:
    """``value`` reduced modulo 2**bits into the type's range (PLUS, MINUS, TIMES)."""
    if t == "BYTE":
        return ast.BinOp(value, ast.BitAnd(), const(255))
    bits = BITS[t]
    half = 1 << (bits - 1)
    inner = ast.BinOp(
        ast.BinOp(value, ast.Add(), const(half)), ast.BitAnd(), const((1 << bits) - 1)
    )
    return ast.BinOp(inner, ast.Sub(), const(half))


@translates(S.MostPos)
def most_pos(g: Generator, e: S.MostPos) -> ast.expr:
    return const(RANGES[prim(e.target)][1])


@translates(S.MostNeg)
def most_neg(g: Generator, e: S.MostNeg) -> ast.expr:
    return const(RANGES[prim(e.target)][0])


@translates(S.Unary)
def unary(g: Generator, e: S.Unary) -> ast.expr:
    op = e.op
    if e.operator is not None:  # a FUNCTION defines it for these operand types
        return call(load(g.ident_of(e.operator)), g.expr(e.operand))
    if op == "SIZE":
        return call(g.builtin("len"), g.expr(e.operand))
    operand = g.expr(e.operand)
    if op == "NOT":
        return ast.UnaryOp(ast.Not(), operand)
    t = prim(e.operand.type)
    if t in REALS:
        if op in ("-", "MINUS"):
            return ast.UnaryOp(ast.USub(), operand)
        raise InternalError(f"{e.span}: {op} on a REAL")
    if op == "-":
        return checked(g, ast.UnaryOp(ast.USub(), operand), t)
    if op == "MINUS":
        return wrapped(ast.UnaryOp(ast.USub(), operand), t)
    if op in ("~", "BITNOT"):
        if t == "BYTE":
            return ast.BinOp(operand, ast.BitXor(), const(255))
        return ast.UnaryOp(ast.Invert(), operand)
    raise InternalError(f"{e.span}: unknown operator {op}")


@translates(S.ExprList)
def expression_list(g: Generator, e: S.ExprList) -> ast.expr:
    """`(a, b)`, only ever compared with another list: a tuple, which Python
    compares item by item as occam does."""
    return ast.Tuple([g.expr(item) for item in e.items], ast.Load())


@translates(S.Binary)
def binary(g: Generator, e: S.Binary) -> ast.expr:
    op = e.op
    if e.operator is not None:  # a FUNCTION defines it for these operand types
        return call(load(g.ident_of(e.operator)), g.expr(e.left), g.expr(e.right))
    if op in ("AND", "OR"):
        kind = ast.And() if op == "AND" else ast.Or()
        return ast.BoolOp(kind, [g.expr(e.left), g.expr(e.right)])
    left, right = g.expr(e.left), g.expr(e.right)
    if op in COMPARE:
        return ast.Compare(left, [COMPARE[op]()], [right])
    t = prim(e.left.type) or prim(e.type)
    if t in REALS:
        return real_binary(g, e, left, right, t)
    if op in ARITH:
        return checked(g, ast.BinOp(left, ARITH[op](), right), t)
    if op in MODULAR:
        return wrapped(ast.BinOp(left, MODULAR[op](), right), t)
    if op in BITWISE:
        return ast.BinOp(left, BITWISE[op](), right)
    if op == "/":
        lo, hi = RANGES[t]
        return call(g.helper("div"), left, right, const(lo), const(hi))
    if op in ("\\", "REM"):
        return call(g.helper("rem"), left, right)
    if op == "<<":
        return call(g.helper("shl"), left, right, const(BITS[t]))
    if op == ">>":
        return call(g.helper("shr"), left, right, const(BITS[t]))
    if op == "AFTER":
        difference = wrapped(ast.BinOp(left, ast.Sub(), right), t)
        if t == "BYTE":  # the difference read as a signed byte, as KRoC does: 6 AFTER 10 is FALSE
            return ast.Compare(const(0), [ast.Lt(), ast.Lt()], [difference, const(128)])
        return ast.Compare(difference, [ast.Gt()], [const(0)])
    raise InternalError(f"{e.span}: unknown operator {op}")


def real_binary(g: Generator, e: S.Binary, left, right, t: str) -> ast.expr:
    op = e.op
    if op in ARITH:
        value = ast.BinOp(left, ARITH[op](), right)
    elif op == "/":
        value = call(g.helper("fdiv"), left, right)
    elif op in ("\\", "REM"):
        value = call(g.helper("frem"), left, right)
    else:
        raise InternalError(f"{e.span}: {op} on a REAL")
    return call(g.helper("real32"), value) if t == "REAL32" else value


@translates(S.Conversion)
def conversion(g: Generator, e: S.Conversion) -> ast.expr:
    value = g.expr(e.operand)
    src, dst = prim(e.operand.type), prim(e.target)
    if src == dst or src is None:
        return value
    mode = e.mode or "ROUND"
    if dst == "BOOL":
        return call(g.helper("to_bool"), value)
    if src == "BOOL":
        one, zero = (1.0, 0.0) if dst in REALS else (1, 0)
        return ast.IfExp(value, const(one), const(zero))
    if dst in INTEGERS and src in INTEGERS:
        (slo, shi), (dlo, dhi) = RANGES[src], RANGES[dst]
        if dlo <= slo and shi <= dhi:
            return value
        return call(g.helper("to_int"), value, const(dst))
    if dst in INTEGERS:  # from a REAL
        return call(g.helper("real_to_int"), value, const(dst), const(mode))
    if src in INTEGERS:
        if dst == "REAL64" and src != "INT64":
            return call(g.builtin("float"), value)
        return call(g.helper("int_to_real"), value, const(dst), const(mode))
    return call(g.helper("real_to_real"), value, const(dst), const(mode))
