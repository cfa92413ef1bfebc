"""The README's example prints what the README says it prints, on both backends."""

from __future__ import annotations

import re
from pathlib import Path

from cspc_cli import run_cspc

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_example_output(tmp_path, backend):
    text = README.read_text(encoding="utf-8")
    program = re.search(r"```occam\n(.*?)```", text, re.S).group(1)
    shown = re.search(r"```\n\$ cspc run squares\.csp\n(.*?)```", text, re.S).group(1)
    source = tmp_path / "squares.csp"
    source.write_text(program, encoding="utf-8")
    result = run_cspc("run", "--backend", backend, str(source), CSPC_CACHE_DIR=str(tmp_path / "cache"))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode() == shown
