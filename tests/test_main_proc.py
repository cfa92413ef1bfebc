"""Which PROC a program runs, and with which of the standard channels: the full
`(CHAN BYTE keyboard?, screen!, error!)`, or -- as KRoC allows -- only some of
them, told apart by direction."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from cspc.check import main_channels
from cspc.cli import main
from cspc.parse import parse_text

LIB = '#INCLUDE "course.module"\n'


def run(tmp_path, source: str, backend: str = "greenlet", stdin: bytes = b""):
    path = tmp_path / "prog.csp"
    path.write_text(source)
    return CliRunner().invoke(main, ["run", "--backend", backend, str(path)], input=stdin)


def test_a_main_with_only_the_screen(tmp_path, backend):
    result = run(tmp_path, LIB + 'PROC hi (CHAN BYTE out!)\n  out.string ("hi*n", 0, out!)\n:\n', backend)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == b"hi\n"


def test_a_main_with_keyboard_and_two_outputs_in_its_own_order(tmp_path, backend):
    source = LIB + (
        "PROC echo (CHAN BYTE err!, in?, out!)\n  BYTE b:\n  SEQ\n    in ? b\n"
        "    out ! b\n    err ! 'e'\n:\n"
    )
    result = run(tmp_path, source, backend, stdin=b"x")
    assert result.exit_code == 0, result.stderr
    assert (result.stdout_bytes, result.stderr_bytes) == (b"e", b"x")  # err! is the first output


def test_the_compiled_module_runs_a_partial_main_too(tmp_path):
    path = tmp_path / "hi.csp"
    path.write_text(LIB + 'PROC hi (CHAN BYTE out!)\n  out.string ("hi*n", 0, out!)\n:\n')
    out = tmp_path / "hi.py"
    assert CliRunner().invoke(main, ["compile", str(path), "-o", str(out)]).exit_code == 0
    done = subprocess.run([sys.executable, str(out)], capture_output=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, b"hi\n"), done.stderr


def test_a_helper_after_the_main_leaves_the_full_main_in_charge(tmp_path):
    source = LIB + (
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n  out.string (\"main*n\", 0, screen!)\n:\n"
        "PROC helper (VAL INT n)\n  SKIP\n:\n"
    )
    result = run(tmp_path, source)
    assert (result.exit_code, result.stdout_bytes) == (0, b"main\n")


@pytest.mark.parametrize(
    "heading, channels",
    [
        ("PROC p (CHAN BYTE a?, b!, c!)", ["keyboard", "screen", "error"]),
        ("PROC p (CHAN BYTE a, b, c)", ["keyboard", "screen", "error"]),
        ("PROC p (CHAN BYTE s!)", ["screen"]),
        ("PROC p (CHAN BYTE k?)", ["keyboard"]),
        ("PROC p (CHAN BYTE o!, i?)", ["screen", "keyboard"]),
        ("PROC p (CHAN BYTE s)", None),  # a partial main needs directions
        ("PROC p (CHAN BYTE a?, b?)", None),
        ("PROC p (CHAN BYTE a!, b!, c!)", None),
        ("PROC p (CHAN INT s!)", None),
        ("PROC p (VAL INT n)", None),
        ("PROC p ()", None),
    ],
)
def test_which_headings_can_be_the_top_level_process(heading, channels):
    program = parse_text(f"{heading}\n  SKIP\n:\n", "t.csp")
    assert main_channels(program.specs[0]) == channels
