"""Helpers for the course-library tests (tests/test_course_*.py): small occam
programs run with `cspc run`, their outputs compared case by case.

Most tests batch many *cases* into one program, so that the suite stays
fast: each case prints ``{label|...|}`` around its output, and the test
compares the outputs label by label, so a failure names the cases that
differ.  Input cases share one scripted stdin, consumed in order.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

LIB = Path(__file__).resolve().parent.parent / "cspc" / "lib" / "course.module"

ESC = b"\x1b"
BEL = b"\x07"
RUB = b"\x08 \x08"  # how the input procedures rub out one echoed character

# --------------------------------------------------------------------------- running programs


def indent(text: str, by: int) -> str:
    return textwrap.indent(textwrap.dedent(text).strip("\n"), " " * by)


def main_program(body: str, header: str = '#INCLUDE "course.module"') -> str:
    """A whole program whose main PROC runs ``body`` (an occam process)."""
    return f"{header}\n\nPROC main (CHAN BYTE keyboard?, screen!, error!)\n{indent(body, 2)}\n:\n"


def case_steps(cases: list[tuple[str, str]]) -> str:
    """Processes running each (label, process) case in turn, its output
    bracketed by ``{label|`` and ``|}`` on a line of its own."""
    steps = []
    for label, process in cases:
        steps.append(
            f'out.string ("{{{label}|", 0, screen!)\n'
            f"{textwrap.dedent(process).strip()}\n"
            f'out.string ("|}}*n", 0, screen!)'
        )
    return "\n".join(steps)


def cases_program(cases: list[tuple[str, str]]) -> str:
    return main_program("SEQ\n" + indent(case_steps(cases), 2))


def run(tmp_path: Path, source: str, backend: str, stdin: bytes = b"", name: str = "prog"):
    path = tmp_path / f"{name}.csp"
    path.write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "cspc", "run", "--backend", backend, str(path)],
        input=stdin,
        capture_output=True,
        timeout=120,
        env={**os.environ, "CSPC_CACHE_DIR": str(tmp_path / "cache")},
    )


def outputs(stdout: bytes) -> dict[str, bytes]:
    return {
        m.group(1).decode(): m.group(2)
        for m in re.finditer(rb"\{([\w.]+)\|(.*?)\|\}\n", stdout, re.S)
    }


def check_cases(tmp_path, backend, cases, stdin=b"", deadlocks=False):
    """Run ``cases`` [(label, process, expected bytes)] as one program."""
    result = run(
        tmp_path, cases_program([(label, code) for label, code, _ in cases]), backend, stdin
    )
    if deadlocks:
        # A Legoland network runs forever: once the test's consumer is done,
        # every process left is blocked, which the runtime reports as deadlock.
        assert result.returncode == 1, result.stderr.decode()
        assert b"deadlock" in result.stderr.lower(), result.stderr.decode()
    else:
        assert result.returncode == 0, result.stderr.decode()
    assert outputs(result.stdout) == {label: expected for label, _, expected in cases}
