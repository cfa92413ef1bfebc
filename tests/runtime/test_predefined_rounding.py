"""The IEEE operations of cspc.runtime.predefined against independent facts:
round to nearest agrees with the machine's own arithmetic (doubles, and
singles through a double, which rounds them exactly for + - * /), and the
directed roundings bracket the exact result between neighbours."""

from __future__ import annotations

import math
import random
import struct
from fractions import Fraction

import pytest

from cspc.runtime import predefined as P

RZ, RN, RP, RM = 0, 1, 2, 3


def single(x: float) -> float:
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def operands(fmt: str, rng: random.Random, n: int = 600):
    low, high = (-1070, 1000) if fmt == "64" else (-148, 124)
    for _ in range(n):
        pair = []
        for _ in range(2):
            x = math.ldexp(rng.uniform(1.0, 2.0) * rng.choice((1, -1)), rng.randint(low, high))
            pair.append(single(x) if fmt == "32" else x)
        if rng.random() < 0.2:  # close exponents: cancellation, ties
            pair[1] = (single if fmt == "32" else float)(pair[0] * rng.choice((1, -1, 0.5, 3)))
        yield pair


def machine(x: float, op: int, y: float) -> float:
    return [x + y, x - y, x * y, x / y][op]


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


@pytest.mark.parametrize("fmt", ["32", "64"])
def test_round_to_nearest_is_the_machines(fmt):
    op_fn = P.IEEE32OP if fmt == "32" else P.IEEE64OP
    rng = random.Random(fmt)
    for x, y in operands(fmt, rng):
        for op in range(4):
            try:
                want = machine(x, op, y)
            except OverflowError:
                want = math.copysign(math.inf, x) if op < 2 else math.copysign(math.inf, x * y or 1)
            if fmt == "32":
                want = single(want)
            error, got = op_fn(x, RN, op, y)
            assert same(got, want), (x, op, y, got, want)
            assert error == math.isinf(want)


@pytest.mark.parametrize("fmt", ["32", "64"])
def test_directed_roundings_bracket_the_exact_result(fmt):
    op_fn = P.IEEE32OP if fmt == "32" else P.IEEE64OP
    up = (lambda v: P.NEXTAFTER(v, math.inf)) if fmt == "32" else (lambda v: math.nextafter(v, math.inf))
    rng = random.Random("directed" + fmt)
    for x, y in operands(fmt, rng):
        for op in range(4):
            exact = [Fraction(x) + Fraction(y), Fraction(x) - Fraction(y), Fraction(x) * Fraction(y),
                     Fraction(x) / Fraction(y)][op]
            _, down = op_fn(x, RM, op, y)
            _, upper = op_fn(x, RP, op, y)
            _, zero = op_fn(x, RZ, op, y)
            _, near = op_fn(x, RN, op, y)
            if math.isinf(down) or math.isinf(upper):
                continue  # overflow: the saturating cases are pinned in tests/test_predefined.py
            assert Fraction(down) <= exact <= Fraction(upper)
            assert down == upper or up(down) == upper
            assert zero == (down if exact >= 0 else upper)
            assert near in (down, upper)
            if down != upper:
                nearer = down if exact - Fraction(down) < Fraction(upper) - exact else upper
                if exact - Fraction(down) != Fraction(upper) - exact:
                    assert near == nearer


def test_remainder_is_exact_and_its_quotient_is_nearest():
    rng = random.Random("rem")
    for x, y in operands("64", rng, 300):
        error, r = P.IEEE64REM(x, y)
        assert not error
        n = (Fraction(x) - Fraction(r)) / Fraction(y)
        assert n.denominator == 1
        assert abs(Fraction(r)) <= abs(Fraction(y)) / 2
        assert same(r, math.remainder(x, y)) or r == math.remainder(x, y)
