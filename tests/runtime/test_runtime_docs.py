"""docs/runtime.md's examples run and print what the page says, on both backends."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "runtime.md"
# A python block (which cannot hold a fence) directly followed by its output block.
BLOCK = re.compile(r"```python\n((?:(?!```).)*)```\n\n```output\n(.*?)```", re.S)


def examples():
    text = PAGE.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        found.append(pytest.param(match.group(1), match.group(2), id=f"runtime.md:{line}"))
    return found


def test_the_page_has_examples():
    assert len(examples()) >= 8


@pytest.mark.parametrize("code, expected", examples())
def test_example(code, expected, backend, tmp_path):
    env = dict(os.environ, CSPC_BACKEND=backend)
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env
    )
    assert proc.stderr == ""
    assert proc.stdout == expected
