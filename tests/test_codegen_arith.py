"""Differential test of occam integer arithmetic: the same random expressions
evaluated twice -- folded at compile time by the checker (with literal
operands) and computed at run time by the generated code (with variables) --
must agree.  The two are independent implementations of occam's INT rules
(32-bit two's complement, wrapping PLUS/MINUS/TIMES, truncating / and \\,
logical >>), and the shared conformance programs pin both to KRoC.

Operands are kept in ranges where the checked operators cannot fail, as the
conformance programs do (`(x /\\ 15) + 1` as a divisor, masked shift counts)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cspc.compiler import compile_text

VARS = ["a", "b", "c"]


def literal(value: int) -> str:
    if value == -(2**31):
        return "(MOSTNEG INT)"
    return f"({value})" if value >= 0 else f"(- {-value})"


@st.composite
def expressions(draw, depth=0):
    """(occam text, needs-variables?) of an INT expression that cannot overflow."""
    if depth >= 3 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            return draw(st.sampled_from(VARS))
        return literal(draw(st.integers(-3000, 3000)))
    left = draw(expressions(depth + 1))
    right = draw(expressions(depth + 1))
    op = draw(
        st.sampled_from(
            [
                "PLUS",
                "MINUS",
                "TIMES",
                "/\\",
                "\\/",
                "><",
                "+small",
                "*small",
                "/",
                "\\",
                "<<",
                ">>",
            ]
        )
    )
    if op == "+small":
        return f"(({left} /\\ 65535) + ({right} /\\ 65535))"
    if op == "*small":
        return f"(({left} /\\ 1023) * ({right} /\\ 1023))"
    if op in ("/", "\\"):
        return f"({left} {op} (({right} /\\ 15) + 1))"
    if op in ("<<", ">>"):
        return f"({left} {op} ({right} /\\ 31))"
    return f"({left} {op} {right})"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    exprs=st.lists(expressions(), min_size=1, max_size=8),
    values=st.tuples(*[st.integers(-(2**31), 2**31 - 1)] * 3),
)
def test_folded_and_computed_agree(exprs, values):
    constants = dict(zip(VARS, values))
    folded = []
    for n, e in enumerate(exprs):
        text = e
        for name, value in constants.items():
            text = text.replace(name, f"{name}.k")
        folded.append(f"VAL INT r{n} IS {text}:")
    program = "\n".join(
        [f"VAL INT {name}.k IS {literal(v)}:" for name, v in constants.items()]
        + folded
        + ["PROC calc (VAL INT a, b, c, []INT run, []INT fold)", "  SEQ"]
        + [f"    run[{n}] := {e}" for n, e in enumerate(exprs)]
        + [f"    fold[{n}] := r{n}" for n in range(len(exprs))]
        + [":"]
    )
    result = compile_text(program, "arith.csp")
    namespace = result.new_namespace()
    exec(result.code, namespace)
    run, fold = [0] * len(exprs), [0] * len(exprs)
    namespace["calc"](*values, run, fold)
    assert run == fold, program
