"""The checker never crashes: broken programs get diagnostics, not tracebacks.

Each checker case is mutated in a small, deterministic way (a type swapped, a
direction flipped, SEQ made PAR, a name misspelt...); whatever still parses
must go through ``check`` without any exception.
"""

from __future__ import annotations

import traceback

from cspc.check import check
from cspc.diagnostics import CompileError, Reporter
from cspc.parse import parse_text
from test_check_cases import ALL_CASES

MUTATIONS = [
    ("INT", "BYTE"),
    ("BYTE", "BOOL"),
    ("?", "!"),
    ("!", "?"),
    ("SEQ", "PAR"),
    ("PAR", "SEQ"),
    ("VAL ", ""),
    ("1", "TRUE"),
    ("CHAN", "TIMER"),
    (" x", " xx"),
    ("[", "[0]["),
    (":=", "? "),
    ("(", "(1, "),
    ("INT", "[2]INT"),
    ("IS", "IS 1 +"),
]


def mutants():
    for number, case in enumerate(ALL_CASES):
        for offset in (0, 4, 7, 11):
            old, new = MUTATIONS[(number + offset) % len(MUTATIONS)]
            if old in case.text:
                # Mutate a different occurrence for different cases.
                parts = case.text.split(old)
                at = number % (len(parts) - 1)
                yield case, old.join(parts[: at + 1]) + new + old.join(parts[at + 1 :])


def test_mutated_programs_never_crash_the_checker():
    crashes = []
    checked = 0
    for case, text in mutants():
        try:
            program = parse_text(text, "mutant.csp")
        except CompileError:
            continue
        try:
            check(program, Reporter())
        except Exception:  # noqa: BLE001 -- any escape is the bug being looked for
            crashes.append(f"{case.file}:{case.line} {case.description}\n{text}\n{traceback.format_exc()}")
        checked += 1
    assert checked > 200
    assert not crashes, crashes[0]
