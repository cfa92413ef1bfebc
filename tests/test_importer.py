"""The opt-in import hook: `import prog` loads prog.csp from sys.path."""

from __future__ import annotations

import importlib
import os
import runpy
import sys

import pytest

import cspc
import cspc.importer
from cspc.diagnostics import CompileError
from cspc import runtime

PROG = """\
PROC double (VAL INT n, CHAN INT in?, out!)
  SEQ i = 0 FOR n
    INT x:
    SEQ
      in ? x
      out ! {factor} * x
:
"""

MAIN = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  screen ! 'm'
:
"""


@pytest.fixture
def importable(tmp_path, monkeypatch):
    """A directory on sys.path; modules imported from it are forgotten afterwards."""
    monkeypatch.setenv("CSPC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(tmp_path))
    cspc.importer.install()
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def doubled(module, values):
    got = []

    def network():
        a, b = runtime.Channel("a"), runtime.Channel("b")
        runtime.Par(
            lambda: [a.write(v) for v in values],
            lambda: module.double(len(values), a, b),
            lambda: got.extend(b.read() for _ in values),
        ).run()

    runtime.run(network)
    return got


def test_import_a_csp_file(importable):
    (importable / "dbl_prog.csp").write_text(PROG.format(factor=2))
    module = importlib.import_module("dbl_prog")
    assert module.__file__ == str(importable / "dbl_prog.csp")
    assert doubled(module, [1, 2, 3]) == [2, 4, 6]


def test_occ_suffix(importable):
    (importable / "occ_prog.occ").write_text(PROG.format(factor=3))
    assert doubled(importlib.import_module("occ_prog"), [5]) == [15]


def test_python_files_win(importable):
    (importable / "both_prog.csp").write_text(PROG.format(factor=2))
    (importable / "both_prog.py").write_text("WHO = 'python'\n")
    assert importlib.import_module("both_prog").WHO == "python"


def test_changed_source_is_recompiled(importable):
    path = importable / "chg_prog.csp"
    path.write_text(PROG.format(factor=2))
    assert doubled(importlib.import_module("chg_prog"), [1]) == [2]
    del sys.modules["chg_prog"]
    path.write_text(PROG.format(factor=7))
    assert doubled(importlib.import_module("chg_prog"), [1]) == [7]


def test_cached_until_the_compiler_version_changes(importable, monkeypatch):
    (importable / "ver_prog.csp").write_text(PROG.format(factor=2))
    importlib.import_module("ver_prog")
    del sys.modules["ver_prog"]
    import cspc.parse

    calls = []
    real = cspc.parse.parse_file
    monkeypatch.setattr(cspc.parse, "parse_file", lambda *a, **k: calls.append(a) or real(*a, **k))
    importlib.import_module("ver_prog")  # unchanged: from the cache
    assert calls == []
    del sys.modules["ver_prog"]
    monkeypatch.setattr(cspc, "__version__", cspc.__version__ + ".dev1")
    importlib.import_module("ver_prog")  # new compiler: compiled again
    assert len(calls) == 1


def test_source_to_code(importable):
    path = importable / "src_prog.csp"
    loader = cspc.importer.OccamLoader("src_prog", str(path))
    code = loader.source_to_code(PROG.format(factor=4).encode(), str(path))
    namespace = {"__name__": "src_prog"}
    exec(code, namespace)
    assert callable(namespace["double"])


def test_run_module_as_main(importable, capfd):
    (importable / "main_prog.csp").write_text(MAIN)
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("main_prog", run_name="__main__")
    assert exit_info.value.code == 0
    assert capfd.readouterr().out == "m"


def test_compile_errors_surface_on_import(importable):
    (importable / "bad_prog.csp").write_text("PROC p ()\n  x := 1\n:\n")
    with pytest.raises(CompileError) as info:
        importlib.import_module("bad_prog")
    assert "bad_prog.csp:2:" in str(info.value)


def test_uninstall(importable):
    (importable / "gone_prog.csp").write_text(PROG.format(factor=2))
    cspc.importer.uninstall()
    try:
        with pytest.raises(ImportError):
            importlib.import_module("gone_prog")
    finally:
        cspc.importer.install()


def compiled_beside(folder, source_text: str, name: str = "prog"):
    """prog.csp and the prog.py that `cspc compile` writes from it."""
    from click.testing import CliRunner

    from cspc.cli import main

    source = folder / f"{name}.csp"
    source.write_text(source_text)
    result = CliRunner().invoke(main, ["compile", str(source), "-o", str(folder / f"{name}.py")])
    assert result.exit_code == 0, result.output
    return source, folder / f"{name}.py"


def make_older(path, than):
    stat = than.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10**9))


def test_a_compiled_module_older_than_its_source_is_not_imported(importable):
    source, module = compiled_beside(importable, PROG.format(factor=2))
    source.write_text(PROG.format(factor=3))  # changed since it was compiled
    make_older(module, than=source)
    with pytest.warns(cspc.importer.StaleModuleWarning) as caught:
        prog = importlib.import_module("prog")
    assert prog.__file__ == str(source)
    assert doubled(prog, [1, 2]) == [3, 6]
    assert str(caught[0].message) == (
        f"{module} is older than {source}, from which cspc compiled it: importing {source} "
        "instead (compile it again, or delete prog.py)"
    )


def test_an_up_to_date_compiled_module_is_imported_as_it_is(importable, recwarn):
    source, module = compiled_beside(importable, PROG.format(factor=2))
    make_older(source, than=module)
    prog = importlib.import_module("prog")
    assert prog.__file__ == str(module)
    assert doubled(prog, [1, 2]) == [2, 4]
    assert not [w for w in recwarn if issubclass(w.category, cspc.importer.StaleModuleWarning)]


def test_a_python_module_cspc_did_not_write_always_wins(importable, recwarn):
    (importable / "prog.py").write_text("def double(n, a, b):\n    raise AssertionError('mine')\nMINE = 1\n")
    source = importable / "prog.csp"
    source.write_text(PROG.format(factor=2))
    make_older(importable / "prog.py", than=source)
    prog = importlib.import_module("prog")
    assert prog.MINE == 1
    assert not [w for w in recwarn if issubclass(w.category, cspc.importer.StaleModuleWarning)]
