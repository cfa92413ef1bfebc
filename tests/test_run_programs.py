"""Whole occam programs (tests/programs/NAME.csp) run with `cspc run` on both
backends must print exactly NAME.expect and exit 0.  Between them they cover
every construct of occam's first edition that cspc compiles."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cspc.cli import main

PROGRAMS = Path(__file__).resolve().parent / "programs"
CASES = sorted(p.stem for p in PROGRAMS.glob("*.csp") if p.with_suffix(".expect").exists())
# Programs that need a newer Python: before 3.11 a Python call uses the C
# stack, and the runtime keeps Python's recursion limit (see runtime/scheduler.py).
NEEDS_PYTHON = {"deep_recursion": (3, 11)}


@pytest.fixture(autouse=True)
def shared_cache(tmp_path_factory, monkeypatch):
    # One cache for the session: the same program on both backends compiles once.
    monkeypatch.setenv("CSPC_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cspc-cache"))


def run_program(path: Path, backend: str, stdin: bytes = b""):
    return CliRunner().invoke(main, ["run", "--backend", backend, str(path)], input=stdin)


def test_there_are_programs():
    assert {"control", "comms", "data", "types"} <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_program_output(name, backend):
    if sys.version_info < NEEDS_PYTHON.get(name, (3,)):
        pytest.skip(f"needs Python {'.'.join(map(str, NEEDS_PYTHON[name]))}")
    result = run_program(PROGRAMS / f"{name}.csp", backend)
    assert result.stderr == ""
    assert result.exit_code == 0
    assert result.stdout_bytes == (PROGRAMS / f"{name}.expect").read_bytes()
