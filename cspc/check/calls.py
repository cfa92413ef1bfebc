"""Folding a FUNCTION call whose arguments are constants, as occ21 does.

A FUNCTION written `INT FUNCTION f (VAL INT x) IS x + 1:` is a constant
expression when its arguments are: `[f (3)]INT a:` declares four INTs.  Its
body was typed when it was declared, so each part of it is worked out again
with the parameters bound to the arguments' values, by the same folding rules
as any constant (``check/constants.py``).  Anything else -- a VALOF body, a
Python routine, several results, a user-defined operator, a part that is not
constant -- leaves the call to the run time.
"""

from __future__ import annotations

from cspc import syntax as S
from cspc.check import types as T
from cspc.check.constants import fold_binary, fold_conversion, fold_unary

# How deep calls may nest while folding (a recursive FUNCTION stops being folded).
MAX_DEPTH = 64

_BOOLEAN = {"AND", "OR"}


def fold_call(symbol: S.Symbol, values: list, depth: int = 0):
    """The value of ``symbol``'s FUNCTION applied to ``values``, or None.
    Raises ConstError where the program would stop (overflow, range)."""
    decl = symbol.decl
    if (
        not isinstance(decl, S.FunctionDecl)
        or isinstance(decl.body, S.Valof)
        or len(decl.results) != 1
        or len(decl.body) != 1
        or decl.python is not None
        or depth > MAX_DEPTH
        or any(p.name.symbol is None for p in decl.params)
    ):
        return None
    env = {id(p.name.symbol): v for p, v in zip(decl.params, values)}
    return _value(decl.body[0], env, depth)


def _value(e: S.Expr, env: dict, depth: int):
    if e.const is not None:
        return e.const
    if isinstance(e, S.Name):
        return env.get(id(e.symbol)) if e.symbol is not None else None
    if isinstance(e, S.Binary) and e.operator is None:
        left, right = _value(e.left, env, depth), _value(e.right, env, depth)
        if left is None or right is None or isinstance(left, tuple) or isinstance(right, tuple):
            return None
        operand = T.BOOL if e.op in _BOOLEAN else e.left.type
        return fold_binary(e.op, left, right, operand)
    if isinstance(e, S.Unary) and e.operator is None and e.op != "SIZE":
        inner = _value(e.operand, env, depth)
        if inner is None or isinstance(inner, tuple):
            return None
        return fold_unary(e.op, inner, T.BOOL if e.op == "NOT" else e.type)
    if isinstance(e, S.Conversion):
        inner = _value(e.operand, env, depth)
        if inner is None or isinstance(inner, tuple):
            return None
        return fold_conversion(inner, e.operand.type, e.target, e.mode)
    if isinstance(e, S.Subscript):
        base, index = _value(e.base, env, depth), _value(e.index, env, depth)
        if isinstance(base, tuple) and isinstance(index, int) and 0 <= index < len(base):
            return base[index]
        return None
    if isinstance(e, S.Call):
        if e.conversion is not None:
            return _value(e.conversion, env, depth)
        symbol = e.func.symbol
        if symbol is None or symbol.kind != "function":
            return None
        values = [_value(a, env, depth) for a in e.args]
        if any(v is None for v in values):
            return None
        if symbol.predefined:
            from cspc.check.predefined import fold

            return fold(symbol.name, values)
        return fold_call(symbol, values, depth + 1)
    return None
