"""The compile cache runs only what cspc itself stored: no pickle, a header that
is checked, a folder only the user can write, atomic writes, and a key that
changes with every input (see cspc/cache.py)."""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cspc import cache
from cspc.compiler import compile_file

PROGRAM = """\
#INCLUDE "course.module"
#INCLUDE "k.inc"
PROC main (CHAN BYTE keyboard?, screen!, error!)
  INT x:
  SEQ
    out.int (k, 0, screen!)
:
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CSPC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_warned", False)
    return tmp_path / "cache"


@pytest.fixture
def program(tmp_path):
    (tmp_path / "k.inc").write_text("VAL INT k IS 42:\n")
    path = tmp_path / "prog.csp"
    path.write_text(PROGRAM)
    return path


def output(result) -> bytes:
    """What the compiled program prints (run in a fresh interpreter from its code)."""
    import marshal

    code = (
        "import marshal, sys\n"
        "code = marshal.loads(sys.stdin.buffer.read())\n"
        "ns = {'__name__': '__cspc__', '__file__': 'prog.csp'}\n"
        "exec(code, ns)\n"
        "import cspc.runtime.occam as occ\n"
        f"sys.exit(occ.run_program(ns[{result.main!r}]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        input=marshal.dumps(result.code),
        capture_output=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.cache"))


def test_a_second_compile_comes_from_the_cache_and_runs_the_same(folder, program):
    first = compile_file(program)
    second = compile_file(program)
    assert (first.from_cache, second.from_cache) == (False, True)
    assert output(second) == output(first) == b"42"
    assert second.main == first.main and second.procs == first.procs
    assert [Path(f).name for f in second.files] == [Path(f).name for f in first.files]


def test_entries_are_not_pickles_and_the_folder_is_private(folder, program):
    compile_file(program)
    (entry,) = entries(folder)
    assert entry.read_bytes().startswith(cache.MAGIC)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    tree = ast.parse(Path(cache.__file__).read_text())
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "pickle" not in imported


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-1] + bytes([b[-1] ^ 1]),  # a flipped bit in the payload
        lambda b: b[: len(b) // 2],  # half an entry
        lambda b: b"\x80\x04" + b,  # a pickle's opening bytes
        lambda b: b.replace(cache.FORMAT.to_bytes(2, "little"), b"\x09\x09", 1),  # another format
        lambda b: b"",
    ],
    ids=["flipped", "truncated", "pickle", "format", "empty"],
)
def test_a_damaged_entry_is_ignored_and_compiled_over(folder, program, damage):
    compile_file(program)
    (entry,) = entries(folder)
    entry.write_bytes(damage(entry.read_bytes()))
    again = compile_file(program)
    assert again.from_cache is False
    assert output(again) == b"42"
    assert compile_file(program).from_cache is True  # the entry was written again


def test_an_entry_for_another_python_is_ignored(folder, program, monkeypatch):
    compile_file(program)
    monkeypatch.setattr(cache.importlib.util, "MAGIC_NUMBER", b"\x00\x00\r\n")
    assert compile_file(program).from_cache is False


def test_an_entry_under_another_key_is_ignored(folder, program):
    compile_file(program)
    (entry,) = entries(folder)
    program.write_text(PROGRAM.replace("INT x:", "INT y:"))
    entry.rename(folder / f"{cache.key(str(program), program.read_text(), (), False)}.cache")
    assert compile_file(program).from_cache is False


def test_a_changed_include_invalidates_the_entry(folder, program):
    compile_file(program)
    (program.parent / "k.inc").write_text("VAL INT k IS 7:\n")
    result = compile_file(program)
    assert result.from_cache is False
    assert output(result) == b"7"


def test_a_folder_others_may_write_is_not_used(folder, program, capsys):
    folder.mkdir(mode=0o700)
    os.chmod(folder, 0o777)
    assert [compile_file(program).from_cache for _ in range(2)] == [False, False]
    assert entries(folder) == []
    err = capsys.readouterr().err
    assert err.count("cspc: warning: not using the compile cache") == 1
    assert "others may write to it (mode 777)" in err


def test_a_folder_of_another_user_is_not_used(folder, program, monkeypatch, capsys):
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(cache.os, "getuid", lambda: os.stat(folder).st_uid + 1)
    assert [compile_file(program).from_cache for _ in range(2)] == [False, False]
    assert entries(folder) == []
    assert "it belongs to another user" in capsys.readouterr().err


def test_concurrent_runs_share_the_cache_safely(tmp_path, program):
    env = dict(os.environ, CSPC_CACHE_DIR=str(tmp_path / "shared"))
    command = [sys.executable, "-m", "cspc", "run", str(program)]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(6)
    ]
    results = [(p.communicate(timeout=180), p.returncode) for p in runs]
    assert [(out, code) for (out, _), code in results] == [(b"42", 0)] * 6, results
    assert len(entries(tmp_path / "shared")) == 1
    assert list((tmp_path / "shared").glob("*.tmp")) == []
