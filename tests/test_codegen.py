"""Code generation: positions, names, escaping, the generated module's shape,
Python interop, and the round trip (compile, then run with plain `python`).

One file, over 600 lines: each test compiles a small program and reads the generated module;
splitting by construct would scatter the shared helpers that build and run those modules."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import cspc
from cspc import runtime
from cspc.cli import main
from cspc.compiler import compile_file

REPO = Path(__file__).resolve().parents[1]
PROGRAMS = REPO / "tests" / "programs"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CSPC_CACHE_DIR", str(tmp_path / "cache"))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def load(path: Path, include_paths=()) -> dict:
    """Compile ``path`` and execute it as a module; return its namespace."""
    result = compile_file(path, include_paths)
    namespace = result.new_namespace()
    exec(result.code, namespace)
    return namespace


def run_cli(path: Path, *args: str):
    return CliRunner().invoke(main, ["run", *args, str(path)])


# --------------------------------------------------------------------------- positions


POSITIONS = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  INT x:
  SEQ
    x := 1
    WHILE x < 100
      x := x * 2
    screen ! BYTE (x /\\ 255)
:
"""


def test_code_carries_csp_file_and_lines(tmp_path):
    path = write(tmp_path, "pos.csp", POSITIONS)
    code = compile_file(path).code
    fn = next(c for c in code.co_consts if getattr(c, "co_name", None) == "main")
    assert fn.co_filename == str(path)
    assert fn.co_firstlineno == 1
    lines = {line for _, _, line in fn.co_lines() if line}
    assert lines <= set(range(1, 9))
    assert {4, 5, 6, 7} <= lines


def test_generated_nodes_are_stamped(tmp_path):
    path = write(tmp_path, "pos.csp", POSITIONS)
    module = compile_file(path, use_cache=False).module
    fn = next(n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    loop = next(n for n in ast.walk(fn) if isinstance(n, ast.While))
    assert (loop.lineno, loop.col_offset) == (5, 4)
    assign = loop.body[0]
    assert (assign.lineno, assign.col_offset) == (6, 6)
    product = next(n for n in ast.walk(assign.value) if isinstance(n, ast.BinOp))
    assert (product.lineno, product.col_offset) == (6, 11)


def test_included_procs_keep_their_own_file(tmp_path):
    write(tmp_path, "lib.inc", "PROC twice (INT x)\n  x := 2 * x\n:\n")
    path = write(
        tmp_path,
        "main.csp",
        '#INCLUDE "lib.inc"\nPROC main (CHAN BYTE keyboard?, screen!, error!)\n'
        "  INT y:\n  SEQ\n    y := 4\n    twice (y)\n    screen ! BYTE y\n:\n",
    )
    code = compile_file(path).code
    names = {c.co_name: c.co_filename for c in code.co_consts if hasattr(c, "co_name")}
    assert names["twice"].endswith("lib.inc")
    assert names["main"] == str(path)


# --------------------------------------------------------------------------- names and escaping


def test_names_that_are_python_keywords_or_builtins(tmp_path):
    path = write(
        tmp_path,
        "names.csp",
        """\
        #INCLUDE "course.module"
        PROC print (VAL INT len, CHAN BYTE out!)
          out.int (len, 0, out!)
        :
        PROC main (CHAN BYTE keyboard?, screen!, error!)
          INT class, range, float, list, a.b, a_b:
          SEQ
            class, range, float := 1, 2, 3
            list := (class + range) + float
            a.b, a_b := 10, 20
            print (list, screen!)
            print (a.b + a_b, screen!)
            SEQ list = 0 FOR 2
              print (list, screen!)
        :
        """,
    )
    result = run_cli(path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == b"63001"
    namespace = load(path)
    assert callable(namespace["print"]) and callable(namespace["main"])


def test_strings_cannot_inject_python(tmp_path):
    path = write(
        tmp_path,
        "inject.csp",
        """\
        #INCLUDE "course.module"
        PROC main (CHAN BYTE keyboard?, screen!, error!)
          out.string ("*"); import os; os.system('x') #*"\\\\n'''*n", 0, screen!)
        :
        """,
    )
    result = run_cli(path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == b"\"); import os; os.system('x') #\"\\\\n'''\n"
    source = compile_file(path, use_cache=False).python_source()
    ast.parse(source)  # still one well-formed module


# --------------------------------------------------------------------------- the module


def test_python_source_is_readable(tmp_path):
    path = write(tmp_path, "pos.csp", POSITIONS)
    source = compile_file(path).python_source()  # regenerated even when cached
    assert source.startswith("# Generated by cspc")
    assert '"""PROC main (CHAN BYTE keyboard?, screen!, error!)"""' in source
    assert "def main(keyboard, screen, error):" in source
    assert 'if __name__ == "__main__":' in source
    import black

    body = source.split("\n\n# Where each line")[0] + "\n"
    assert black.format_str(body, mode=black.Mode()) == body


def test_dump_env_var(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CSPC_DUMP_PY", "1")
    compile_file(write(tmp_path, "pos.csp", POSITIONS), use_cache=False)
    assert "def main(keyboard, screen, error):" in capsys.readouterr().err


def test_procs_are_callable_from_python(tmp_path, backend):
    path = write(
        tmp_path,
        "double.csp",
        """\
        PROC double (VAL INT n, CHAN INT in?, out!)
          SEQ i = 0 FOR n
            INT x:
            SEQ
              in ? x
              out ! 2 * x
        :
        PROC total (VAL []INT v, INT sum)
          SEQ
            sum := 0
            SEQ i = 0 FOR SIZE v
              sum := sum + v[i]
        :
        """,
    )
    namespace = load(path)
    got = []

    def network():
        a, b = runtime.Channel("a"), runtime.Channel("b")
        runtime.Par(
            lambda: [a.write(v) for v in (1, 2, 3)],
            lambda: namespace["double"](3, a, b),
            lambda: got.extend(b.read() for _ in range(3)),
        ).run()

    runtime.run(network, backend=backend)
    assert got == [2, 4, 6]
    # a reference parameter's final value is returned
    assert namespace["total"]([1, 2, 3, 4], 0) == 10


def test_python_interop_pragma(tmp_path, monkeypatch):
    (tmp_path / "helpers_for_cspc.py").write_text(
        "def isqrt(n):\n    import math\n    return math.isqrt(n)\n"
        "def divmod2(a, b):\n    return a // b, a % b\n"
        "def bump(by, counter):\n    return counter + by\n"
        "def shout(text, out):\n    for b in bytes(text).upper():\n        out.write(b)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    path = write(
        tmp_path,
        "interop.csp",
        """\
        #INCLUDE "course.module"
        #PRAGMA PYTHON "helpers_for_cspc:isqrt"
        INT FUNCTION py.isqrt (VAL INT n) IS 0:
        #PRAGMA PYTHON "helpers_for_cspc:divmod2"
        INT, INT FUNCTION py.divmod (VAL INT a, b) IS 0, 0:
        #PRAGMA PYTHON "helpers_for_cspc:bump"
        PROC py.bump (VAL INT by, INT counter)
          SKIP
        :
        #PRAGMA PYTHON "helpers_for_cspc:shout"
        PROC py.shout (VAL []BYTE text, CHAN BYTE out!)
          SKIP
        :
        PROC main (CHAN BYTE keyboard?, screen!, error!)
          INT q, r, c:
          SEQ
            out.int (py.isqrt (1000000), 0, screen!)
            q, r := py.divmod (17, 5)
            out.int (q, 2, screen!)
            out.int (r, 2, screen!)
            c := 40
            py.bump (2, c)
            out.int (c, 3, screen!)
            py.shout (" quiet*n", screen!)
        :
        """,
    )
    result = run_cli(path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == b"1000 3 2 42 QUIET\n"


def test_bad_python_pragma_is_a_compile_error(tmp_path):
    path = write(
        tmp_path,
        "bad.csp",
        '#PRAGMA PYTHON "not a target"\nINT FUNCTION f (VAL INT n) IS n:\n'
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n  SKIP\n:\n",
    )
    result = run_cli(path)
    assert result.exit_code == 1
    assert "bad.csp:1:" in result.stderr and "#PRAGMA PYTHON" in result.stderr


def test_a_python_pragma_never_reaches_across_an_include(tmp_path):
    """A pragma left dangling at the end of an included file must not replace
    the including file's first PROC with a Python function."""
    (tmp_path / "lib.inc").write_text('#PRAGMA PYTHON "builtins:print"\n')
    path = write(
        tmp_path,
        "main.csp",
        '#INCLUDE "lib.inc"\nPROC greet (CHAN BYTE out!)\n  out ! \'k\'\n:\n'
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n  greet (screen!)\n:\n",
    )
    for command in ("check", "run"):
        result = CliRunner().invoke(main, [command, str(path)])
        assert result.exit_code == 1, result.stdout
        assert result.stderr.startswith(
            f"{tmp_path / 'lib.inc'}:1:1: error: #PRAGMA PYTHON must come just before "
            "the PROC or FUNCTION it implements, in the same file"
        )


def test_a_python_pragma_binds_only_the_routine_right_after_it(tmp_path):
    path = write(
        tmp_path,
        "gap.csp",
        '#PRAGMA PYTHON "math:gcd"\nVAL INT k IS 1:\nINT FUNCTION f (VAL INT a, b) IS a:\n'
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n  SKIP\n:\n",
    )
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "gap.csp:1:1: error: #PRAGMA PYTHON must come just before" in result.stderr


def test_missing_python_function_is_a_runtime_error(tmp_path):
    path = write(
        tmp_path,
        "missing.csp",
        '#PRAGMA PYTHON "no_such_module_for_cspc:f"\nINT FUNCTION f (VAL INT n) IS n:\n'
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n  screen ! BYTE f (65)\n:\n",
    )
    result = run_cli(path)
    assert result.exit_code == 1
    assert "cannot import no_such_module_for_cspc" in result.stderr


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("name", ["comms", "data"])
def test_round_trip(name, tmp_path, backend):
    out = tmp_path / f"{name}.py"
    result = CliRunner().invoke(main, ["compile", str(PROGRAMS / f"{name}.csp"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    env = dict(os.environ, CSPC_BACKEND=backend)
    proc = subprocess.run([sys.executable, str(out)], capture_output=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (PROGRAMS / f"{name}.expect").read_bytes()
    assert proc.stdout == run_cli(PROGRAMS / f"{name}.csp", "--backend", backend).stdout_bytes


def test_round_trip_error_names_the_csp_line(tmp_path):
    src = write(
        tmp_path,
        "ovf.csp",
        """\
        PROC main (CHAN BYTE keyboard?, screen!, error!)
          INT x:
          SEQ
            x := MOSTPOS INT
            screen ! 'a'
            x := x + 1
        :
        """,
    )
    out = tmp_path / "ovf.py"
    assert CliRunner().invoke(main, ["compile", str(src), "-o", str(out)]).exit_code == 0
    proc = subprocess.run([sys.executable, str(out)], capture_output=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stdout == b"a"
    assert f"{src}:6:10: run-time error: arithmetic overflow" in proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()


def test_generated_module_imports_only_the_runtime(tmp_path):
    out = tmp_path / "hello_mod.py"
    src = PROGRAMS / "control.csp"
    assert CliRunner().invoke(main, ["compile", str(src), "-o", str(out)]).exit_code == 0
    tree = ast.parse(out.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported <= {"cspc.runtime", "cspc.runtime.occam", "builtins", "sys", "functools"}
    code = (
        "import sys; sys.path.insert(0, {!r}); import hello_mod; "
        "assert 'lark' not in sys.modules and 'cspc.compiler' not in sys.modules; "
        "print(callable(hello_mod.main))"
    ).format(str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == b"True"


# --------------------------------------------------------------------------- completeness


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


@pytest.mark.parametrize(
    "prefix, base", [("proc_", "Process"), ("spec_", "Spec"), ("expr_", "Expr")]
)
def test_every_node_class_has_a_translation(prefix, base):
    """A node added to the AST must be taught to the code generator too."""
    from cspc import syntax
    from cspc.codegen import TRANSLATORS

    classes = [c for c in all_subclasses(getattr(syntax, base)) if c.__module__ == "cspc.syntax"]
    missing = [c.__name__ for c in classes if c not in TRANSLATORS]
    assert not missing, f"no translator registered for {missing}"


def test_python_exception_is_a_runtime_error(tmp_path, monkeypatch):
    (tmp_path / "raising_for_cspc.py").write_text("def f(n):\n    raise ValueError('no thanks')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    path = write(
        tmp_path,
        "raises.csp",
        '#PRAGMA PYTHON "raising_for_cspc:f"\nINT FUNCTION f (VAL INT n) IS n:\n'
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n  screen ! BYTE f (65)\n:\n",
    )
    result = run_cli(path)
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:2:")  # the declaration bound to Python
    assert "Python function raising_for_cspc:f raised ValueError: no thanks" in first


def test_python_module_beside_the_source(tmp_path):
    """A module next to the .csp file is found without touching sys.path."""
    (tmp_path / "beside_for_cspc.py").write_text("def triple(n):\n    return 3 * n\n")
    path = write(
        tmp_path,
        "beside.csp",
        '#PRAGMA PYTHON "beside_for_cspc:triple"\nINT FUNCTION triple (VAL INT n) IS n:\n'
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n  screen ! BYTE triple (22)\n:\n",
    )
    assert str(tmp_path) not in sys.path
    result = run_cli(path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == b"B"
    assert str(tmp_path) not in sys.path


def test_round_trip_deadlock_names_the_csp_lines(tmp_path, backend):
    src = write(
        tmp_path,
        "stuck.csp",
        """\
        PROC main (CHAN BYTE keyboard?, screen!, error!)
          CHAN INT c, d:
          INT x:
          PAR
            c ! 1
            d ? x
        :
        """,
    )
    out = tmp_path / "stuck.py"
    assert CliRunner().invoke(main, ["compile", str(src), "-o", str(out)]).exit_code == 0
    env = dict(os.environ, CSPC_BACKEND=backend)
    proc = subprocess.run(
        [sys.executable, str(out)], capture_output=True, env=env, stdin=subprocess.DEVNULL, timeout=120
    )
    assert proc.returncode == 1
    report = proc.stderr.decode()
    assert f"{src}:5: 'main, PAR branch 1' waits to output on channel c" in report
    assert f"{src}:6: 'main, PAR branch 2' waits to input from channel d" in report


# --------------------------------------------------------------------------- a pure translator


def test_the_generator_reports_no_user_errors():
    """The checks find every user error: no module of cspc.codegen even names
    CompileError (it raises InternalError only, for its own bugs)."""
    import ast as pyast

    folder = REPO / "cspc" / "codegen"
    named = [
        f"{path.name}:{node.lineno}"
        for path in sorted(folder.glob("*.py"))
        for node in pyast.walk(pyast.parse(path.read_text()))
        if (isinstance(node, pyast.Name) and node.id == "CompileError")
        or (isinstance(node, pyast.alias) and node.name == "CompileError")
        or (isinstance(node, pyast.Attribute) and node.attr == "CompileError")
    ]
    assert named == []


def test_a_bad_python_pragma_is_found_by_check(tmp_path):
    path = write(
        tmp_path,
        "bad.csp",
        '#PRAGMA PYTHON "os.system"\nPROC p ()\n  SKIP\n:\n',
    )
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "bad.csp:1:1: error: #PRAGMA PYTHON wants \"module:function\"" in result.stderr


CHECK_CASES = REPO / "tests" / "check_cases"


def accepted_programs():
    """Every program of the test suite's own that passes the checks."""
    from cspc.check import check
    from cspc.diagnostics import CompileError, Reporter
    from cspc.parse import parse_file

    for path in sorted(PROGRAMS.glob("*.csp")) + sorted((REPO / "examples").rglob("*.csp")):
        try:
            program = parse_file(str(path))
        except CompileError:
            continue
        reporter = Reporter()
        check(program, reporter)
        if not reporter.errors:
            yield path, program


def test_every_checked_program_translates_and_compiles():
    from cspc.check import main_proc
    from cspc.codegen import generate

    count = 0
    for path, program in accepted_programs():
        module = generate(program, main_proc(program))
        compile(module, str(path), "exec")
        count += 1
    assert count >= 15


def test_a_module_compiled_for_another_abi_says_so_in_one_line(tmp_path):
    from cspc.runtime.occam import ABI_VERSION

    out = tmp_path / "hello_abi.py"
    result = CliRunner().invoke(main, ["compile", str(REPO / "examples" / "hello.csp"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    stamp = f"_occ.require_abi({ABI_VERSION}, __name__, "
    assert stamp in text
    out.write_text(text.replace(stamp, f"_occ.require_abi({ABI_VERSION + 1}, __name__, "))
    run = subprocess.run([sys.executable, str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        f"error: this module was compiled by cspc {cspc.__version__} for runtime ABI "
        f"{ABI_VERSION + 1}, but cspc {cspc.__version__} provides ABI {ABI_VERSION}: "
        "compile it again with `cspc compile`"
    ]
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import hello_abi"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert run.stderr.splitlines()[-1].startswith("ImportError: this module was compiled by")


def test_occam_names_reach_python_as_the_docs_say(tmp_path):
    from cspc.compiler import compile_text

    source = (
        "PROC running.sum (INT x)\n  x := x + 1\n:\n"
        "PROC class (INT x)\n  x := 2\n:\n"
        "PROC a.b (INT x)\n  x := 3\n:\n"
        "PROC a_b (INT x)\n  x := 4\n:\n"
    )
    result = compile_text(source, str(tmp_path / "names.csp"))
    namespace = result.new_namespace()
    exec(result.code, namespace)
    assert [namespace[n](0) for n in ("running_sum", "class_", "a_b", "a_b_2")] == [1, 2, 3, 4]


NESTED_ALT = """\
#INCLUDE "course.module"
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN INT c, d:
  [2]CHAN INT e:
  SEQ
    PAR
      c ! 7
      ALT
        INT z:
        ALT
          c ? z
            out.int (z, 0, screen!)
          d ? z
            SKIP
    PAR
      e[1] ! 5
      ALT i = 0 FOR 2
        VAL INT j IS 1 - i:
        INT w:
        ALT
          e[j] ? w
            out.int ((w * 10) + j, 2, screen!)
    screen ! '*n'
:
"""


@pytest.mark.parametrize("backend", ["greenlet", "threads"])
def test_a_declaration_in_front_of_a_nested_alt_is_in_scope_at_its_guards(tmp_path, backend):
    # It was an internal compiler error: "no Python name for `z'".
    result = run_cli(write(tmp_path, "nested.csp", NESTED_ALT), "--backend", backend)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "751\n", "")


CASE_GUARDS = """\
#INCLUDE "course.module"
PROTOCOL P
  CASE
    go
    num; INT
:
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN P c, quiet:
  TIMER t:
  INT x, now:
  SEQ
    PAR
      SEQ
        c ! num; 5
        c ! go
      SEQ
        ALT
          c ? CASE num; x
            out.int (x, 0, screen!)
        ALT
          c ? CASE go
            out.string (" go", 0, screen!)
    t ? now
    ALT
      quiet ? CASE
      t ? AFTER now PLUS 100
        out.string (" timeout*n", 0, screen!)
:
"""


@pytest.mark.parametrize("backend", ["greenlet", "threads"])
def test_tagged_and_empty_case_inputs_are_alt_guards(tmp_path, backend):
    result = run_cli(write(tmp_path, "guards.csp", CASE_GUARDS), "--backend", backend)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "5 go timeout\n", "")


FALSE_GUARD = """\
#INCLUDE "course.module"
PROC main (CHAN BYTE keyboard?, screen!, error!)
  [1]CHAN INT c:
  CHAN INT d:
  TIMER t:
  INT y, k, now:
  SEQ
    k := 100
    t ? now
    PAR
      d ! 3
      ALT
        FALSE & c[k] ? y
          SKIP
        (k < 1) & t ? AFTER now PLUS (1 / (k - 100))
          SKIP
        d ? y
          out.int (y, 0, screen!)
    screen ! '*n'
:
"""


@pytest.mark.parametrize("backend", ["greenlet", "threads"])
def test_a_false_precondition_disables_its_guard_before_the_channel_is_worked_out(tmp_path, backend):
    # c[k] is out of range and 1 / (k - 100) divides by zero: neither is evaluated.
    result = run_cli(write(tmp_path, "guard.csp", FALSE_GUARD), "--backend", backend)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "3\n", "")
