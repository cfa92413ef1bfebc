"""Differential test of occam integer arithmetic: the same random expressions
evaluated twice -- folded at compile time by the checker (with constant
operands) and computed at run time by the generated code (with variables) --
must agree, for INT, INT16, INT64 and BYTE.  The two are independent
implementations of occam's rules (two's complement widths, wrapping PLUS,
MINUS and TIMES, truncating / and \\, logical >>), and the shared conformance
programs pin both to KRoC.

Operands are kept in ranges where the checked operators cannot fail, as the
conformance programs do (`(x /\\ 15) + 1` as a divisor, masked shift counts)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cspc.compiler import compile_text

VARS = ["a", "b", "c"]

# type -> (lowest, highest, mask for checked +, mask for checked *, mask for shift counts)
TYPES = {
    "INT": (-(2**31), 2**31 - 1, 65535, 1023, 31),
    "INT16": (-(2**15), 2**15 - 1, 255, 127, 15),
    "INT64": (-(2**63), 2**63 - 1, 65535, 1023, 63),
    "BYTE": (0, 255, 127, 15, 7),
}


def literal(value: int, t: str) -> str:
    if value == TYPES[t][0] and value < 0:
        return f"(MOSTNEG {t})"
    return f"({value})" if value >= 0 else f"(- {-value})"


def expressions(t: str):
    low, high, add_mask, mul_mask, shift_mask = TYPES[t]
    ops = ["PLUS", "MINUS", "TIMES", "/\\", "\\/", "><", "+", "*", "/", "\\", "<<", ">>"]

    @st.composite
    def expression(draw, depth=0):
        """An expression of type t that cannot fail at run time."""
        if depth >= 3 or draw(st.integers(0, 3)) == 0:
            if draw(st.booleans()):
                return draw(st.sampled_from(VARS))
            return literal(draw(st.integers(max(low, -3000), min(high, 3000))), t)
        left, right = draw(expression(depth + 1)), draw(expression(depth + 1))
        op = draw(st.sampled_from(ops))
        if op == "+":
            return f"(({left} /\\ {add_mask}) + ({right} /\\ {add_mask}))"
        if op == "*":
            return f"(({left} /\\ {mul_mask}) * ({right} /\\ {mul_mask}))"
        if op in ("/", "\\"):
            return f"({left} {op} (({right} /\\ 15) + 1))"
        if op in ("<<", ">>"):
            # the typed mask keeps untyped literals in `right' of type t
            return f"({left} {op} (INT ({right} /\\ {shift_mask}({t}))))"
        return f"({left} {op} {right})"

    return expression()


def program_for(t: str, exprs: list[str], values) -> str:
    constants = [f"VAL {t} {name}.k IS {literal(v, t)}:" for name, v in zip(VARS, values)]
    folded = []
    for n, e in enumerate(exprs):
        for name in VARS:
            e = e.replace(name, f"{name}.k")
        folded.append(f"VAL {t} r{n} IS {e}:")
    body = [f"    run[{n}] := {e}" for n, e in enumerate(exprs)]
    body += [f"    fold[{n}] := r{n}" for n in range(len(exprs))]
    heading = [f"PROC calc (VAL {t} a, b, c, []{t} run, []{t} fold)", "  SEQ"]
    return "\n".join(constants + folded + heading + body + [":"])


@pytest.mark.parametrize("t", list(TYPES))
def test_folded_and_computed_agree(t):
    low, high = TYPES[t][:2]

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        exprs=st.lists(expressions(t), min_size=1, max_size=8),
        values=st.tuples(*[st.integers(low, high)] * 3),
    )
    def agree(exprs, values):
        program = program_for(t, exprs, values)
        result = compile_text(program, "arith.csp")
        namespace = result.new_namespace()
        exec(result.code, namespace)
        run, fold = [0] * len(exprs), [0] * len(exprs)
        namespace["calc"](*values, run, fold)
        assert run == fold, program

    agree()
