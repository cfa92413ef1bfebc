"""The checker cases in tests/check_cases/: many short programs per file.

Format (after Tock's usage-check tests): each case starts with a header line

    %% PASS  description
    %% FAIL  description => expected fragment of an error message
    %% WARN  description => expected fragment of a warning
    %% WARN[unused]  description => fragment      (checked with warn_unused=True)

followed by the program.  PASS means no error and no warning at all; FAIL means
some error contains the fragment; WARN means no error and some warning contains
the fragment.  Lines before the first header are comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from cspc.check import check
from cspc.diagnostics import CompileError, Reporter
from cspc.parse import parse_text

CASES = Path(__file__).parent / "check_cases"
HEADER = re.compile(r"^%%\s*(PASS|FAIL|WARN)(\[unused\])?\s+(.*?)\s*(?:=>\s*(.*?))?\s*$")


@dataclass
class Case:
    path: Path
    file: str
    line: int
    verdict: str
    unused: bool
    description: str
    fragment: str | None
    text: str


def load_cases(path: Path) -> list[Case]:
    cases: list[Case] = []
    current: Case | None = None
    body: list[str] = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = HEADER.match(line)
        if match:
            if current is not None:
                current.text = "\n".join(body) + "\n"
                cases.append(current)
            verdict, unused, description, fragment = match.groups()
            current = Case(path, path.name, number, verdict, bool(unused), description, fragment, "")
            body = [""] * number  # keep line numbers those of the case file
        elif current is not None:
            body.append(line)
    if current is not None:
        current.text = "\n".join(body) + "\n"
        cases.append(current)
    return cases


ALL_CASES = [case for path in sorted(CASES.glob("*.txt")) for case in load_cases(path)]


def run_case(case: Case) -> Reporter:
    try:
        program = parse_text(case.text, str(case.path))
    except CompileError as err:
        pytest.fail(f"case does not parse:\n{err}")
    reporter = Reporter()
    check(program, reporter, warn_unused=case.unused)
    return reporter


def describe(reporter: Reporter) -> str:
    return (
        "\n".join(f"{d.span}: {d.severity}: {d.message}" for d in reporter.diagnostics)
        or "(nothing reported)"
    )


@pytest.mark.parametrize("case", ALL_CASES, ids=[f"{c.file}:{c.line}:{c.description}" for c in ALL_CASES])
def test_case(case: Case) -> None:
    reporter = run_case(case)
    if case.verdict == "PASS":
        assert not reporter.diagnostics, describe(reporter)
    elif case.verdict == "FAIL":
        assert case.fragment, "a FAIL case needs `=> fragment'"
        assert any(case.fragment in d.message for d in reporter.errors), describe(reporter)
    else:
        assert case.fragment, "a WARN case needs `=> fragment'"
        assert not reporter.errors, describe(reporter)
        assert any(case.fragment in d.message for d in reporter.warnings), describe(reporter)


def test_there_are_many_cases() -> None:
    assert len(ALL_CASES) >= 150
    assert {c.verdict for c in ALL_CASES} == {"PASS", "FAIL", "WARN"}


def test_every_case_the_checks_accept_compiles() -> None:
    """A program that passes `cspc check` always compiles: the generator finds
    no error of its own in any PASS or WARN case."""
    from cspc.check import main_proc
    from cspc.codegen import generate

    accepted = [c for c in ALL_CASES if c.verdict != "FAIL"]
    for case in accepted:
        program = parse_text(case.text, str(case.path))
        reporter = Reporter()
        check(program, reporter)
        assert not reporter.errors, f"{case.file}:{case.line}: {describe(reporter)}"
        compile(generate(program, main_proc(program)), str(case.path), "exec")
    assert len(accepted) >= 100
