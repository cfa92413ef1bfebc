"""Every program in examples/ runs, on both backends, and prints what it should.

Each example's expected standard output is the sibling ``NAME.expected`` file.
Lines that depend on timing are masked by a regular expression before the
comparison (the expected file holds the masked text).  Interactive examples get
scripted standard input.  The naive dining philosophers deadlock on purpose:
for them the deadlock report is the expected output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cspc_cli import TIMEOUT, run_cspc

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@dataclass
class Example:
    name: str  # file name in examples/
    stdin: bytes = b""
    masks: list[tuple[str, str]] = field(default_factory=list)  # (pattern, replacement)

    @property
    def path(self) -> Path:
        return EXAMPLES / self.name

    @property
    def expected(self) -> str:
        return self.path.with_suffix(".expected").read_text(encoding="utf-8")


EXAMPLES_WITH_OUTPUT = [
    Example("hello.csp"),
    Example("echo.csp", stdin=b"hello, world.\n"),
    Example("legoland.csp"),
    Example("commstime.csp", masks=[(r": \d+ ns per communication", ": N ns per communication")]),
    Example("sort_pump.csp"),
    Example("sieve.csp"),
    Example("buffer.csp"),
    Example("mux.csp"),
    Example("philosophers.csp"),
    Example("mandelbrot.csp"),
    Example("token_ring.csp"),
    Example("interop/call_python.csp"),
]


def cspc(*args: str, stdin: bytes = b"", cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return run_cspc(*args, cwd=cwd, stdin=stdin)


def text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def masked(output: str, masks: list[tuple[str, str]]) -> str:
    for pattern, replacement in masks:
        output = re.sub(pattern, replacement, output)
    return output


@pytest.mark.parametrize("example", EXAMPLES_WITH_OUTPUT, ids=lambda e: e.name)
def test_example_prints_its_expected_output(example: Example, backend: str):
    result = cspc("run", "--backend", backend, f"examples/{example.name}", stdin=example.stdin)
    assert text(result.stderr) == ""
    assert result.returncode == 0
    assert masked(text(result.stdout), example.masks) == example.expected


def line_of(path: Path, source_text: str) -> int:
    """The 1-based number of the only line of ``path`` that is ``source_text`` (stripped)."""
    lines = [n for n, line in enumerate(path.read_text().splitlines(), 1) if line.strip() == source_text]
    assert len(lines) == 1, f"{source_text!r} should occur once in {path.name}"
    return lines[0]


def lines_of(path: Path, source_text: str) -> list[int]:
    return [n for n, line in enumerate(path.read_text().splitlines(), 1) if line.strip() == source_text]


def test_naive_philosophers_deadlock_and_the_report_says_where(backend: str):
    path = EXAMPLES / "philosophers_deadlock.csp"
    result = cspc("run", "--backend", backend, "examples/philosophers_deadlock.csp")
    report = text(result.stderr)

    assert result.returncode == 1
    assert text(result.stdout) == "Five philosophers sit down to dinner.\n"
    assert "deadlock" in report.lower()
    # Every philosopher is stuck reaching for its right fork ...
    reach = line_of(path, "right ! TRUE")
    stuck = [line for line in report.splitlines() if f"philosophers_deadlock.csp:{reach}" in line]
    assert len(stuck) == 5, report
    assert all("philosopher" in line for line in stuck), report
    # ... and every fork waits to be put down by the philosopher holding it.
    put_down = lines_of(path, "left ? any") + lines_of(path, "right ? any")
    forks = [
        line
        for line in report.splitlines()
        if any(f"philosophers_deadlock.csp:{n}" in line for n in put_down)
    ]
    assert len(forks) == 5, report
    assert all("fork" in line for line in forks), report
    # Each process is named with the index of its copy of the replicated PAR,
    # and each philosopher's report names the fork it waits for.
    where = "examples/philosophers_deadlock.csp"
    assert {line.strip() for line in stuck} == {
        f"{where}:{reach}: 'philosopher i={i}' waits to output on channel right[{i}] (to 'fork i={i}')"
        for i in range(5)
    }
    assert {line.strip().split(": ", 1)[1] for line in forks} == {
        f"'fork i={i}' waits to input from channel left[{(i + 1) % 5}]" for i in range(5)
    }


def test_python_drives_compiled_occam_with_the_runtime_api(backend: str):
    env = dict(os.environ, CSPC_BACKEND=backend)
    result = subprocess.run(
        [sys.executable, "examples/interop/drive.py"],
        capture_output=True,
        timeout=TIMEOUT,
        cwd=ROOT,
        env=env,
    )
    assert text(result.stderr) == ""
    assert result.returncode == 0
    assert text(result.stdout) == (EXAMPLES / "interop" / "drive.expected").read_text()


def test_every_example_checks_without_diagnostics():
    programs = sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*.csp"))
    result = cspc("check", *programs, cwd=EXAMPLES)
    assert text(result.stderr) == ""
    assert result.returncode == 0


def test_every_example_says_what_it_teaches():
    for path in sorted(EXAMPLES.rglob("*.csp")) + sorted(EXAMPLES.rglob("*.inc")):
        head = path.read_text(encoding="utf-8").splitlines()[:3]
        assert head and head[0].startswith("--"), f"{path.name} should open with a comment"
        assert any(path.name in line for line in head), f"{path.name}'s header should name it"


def test_every_runnable_example_is_tested():
    tested = {e.name for e in EXAMPLES_WITH_OUTPUT} | {"philosophers_deadlock.csp"}
    tested |= {"interop/stream_tools.csp"}  # a library with no main: drive.py runs it
    found = {str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*.csp")}
    assert sorted(found) == sorted(tested)
