"""Every path of the `cspc` command line, through click's CliRunner (and one
real subprocess for `python -m cspc`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cspc
from cspc.cli import main

HELLO = """\
#INCLUDE "course.module"
PROC hello (CHAN BYTE keyboard?, screen!, error!)
  out.string ("Hello, world!*n", 0, screen!)
:
"""

BAD = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  INT x:
  x := y
:
"""

UNUSED = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  INT unused:
  screen ! 'k'
:
"""

ECHO = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  BYTE ch:
  SEQ
    ch := ' '
    WHILE ch <> '.'
      SEQ
        keyboard ? ch
        screen ! ch
    error ! '!'
:
"""


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CSPC_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def write(tmp_path):
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


def invoke(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


# --------------------------------------------------------------------------- general


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert cspc.__version__ in result.output


def test_help_lists_commands_and_examples():
    result = invoke("--help")
    assert result.exit_code == 0
    for word in ("run", "compile", "check", "Examples:", "cspc run hello.csp"):
        assert word in result.output


@pytest.mark.parametrize("command", ["run", "compile", "check"])
def test_subcommand_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output


def test_unknown_command_is_a_usage_error():
    assert invoke("frobnicate").exit_code == 2


def test_missing_file_is_a_usage_error(tmp_path):
    result = invoke("run", tmp_path / "nope.csp")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_bad_backend_is_a_usage_error(write):
    assert invoke("run", "--backend", "fibres", write("h.csp", HELLO)).exit_code == 2


# --------------------------------------------------------------------------- run


@pytest.mark.parametrize("backend", ["greenlet", "threads"])
def test_run(write, backend):
    result = invoke("run", "--backend", backend, write("hello.csp", HELLO))
    assert result.exit_code == 0
    assert result.stdout_bytes == b"Hello, world!\n"
    assert result.stderr == ""


FOREVER = """\
#INCLUDE "course.module"
PROC main (CHAN BYTE keyboard?, screen!, error!)
  INT n:
  SEQ
    n := 0
    WHILE TRUE
      SEQ
        out.int (n, 0, screen!)
        out.string ("*n", 0, screen!)
        n := n PLUS 1
:
"""


@pytest.mark.parametrize("backend", ["greenlet", "threads"])
def test_run_into_a_pipe_that_closes_stops_quietly(write, backend):
    # `cspc run prog | head -1`: the reader goes away; cspc stops as a Unix tool does
    program = write("forever.csp", FOREVER)
    child = subprocess.Popen(
        [sys.executable, "-m", "cspc", "run", "--backend", backend, str(program)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, NO_COLOR="1"),
    )
    assert child.stdout.readline() == b"0\n"
    child.stdout.close()
    assert child.wait(timeout=60) == 141
    assert child.stderr.read() == b""


def test_run_binds_keyboard_and_error(write):
    result = invoke("run", write("echo.csp", ECHO), input=b"ab.")
    assert result.exit_code == 0
    assert result.stdout_bytes == b"ab."
    assert result.stderr == "!"


def test_run_compile_error(write):
    path = write("bad.csp", BAD)
    result = invoke("run", path)
    assert result.exit_code == 1
    assert result.stdout_bytes == b""
    assert f"{path}:3:8: error:" in result.stderr
    assert "    x := y" in result.stderr
    assert "\x1b[" not in result.stderr  # no colour when stderr is not a terminal


def test_run_without_a_main_proc(write):
    result = invoke("run", write("lib.csp", "PROC p (CHAN INT c!)\n  c ! 1\n:\n"))
    assert result.exit_code == 1
    assert "no main PROC" in result.stderr


def test_run_with_include_path(write, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "greet.inc").write_text('VAL []BYTE greeting IS "hi from lib*n":\n')
    path = write(
        "inc.csp",
        '#INCLUDE "course.module"\n#INCLUDE "greet.inc"\n'
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"
        "  out.string (greeting, 0, screen!)\n:\n",
    )
    assert invoke("run", path).exit_code == 1  # not found without -I
    result = invoke("run", "-I", lib, path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == b"hi from lib\n"


def test_second_run_does_not_parse(write, monkeypatch):
    path = write("hello.csp", HELLO)
    assert invoke("run", path).exit_code == 0
    import cspc.parse

    def refuse(*args, **kwargs):
        raise AssertionError("parser called for an unchanged file")

    monkeypatch.setattr(cspc.parse, "parse_file", refuse)
    monkeypatch.setattr(cspc.parse, "parse_text", refuse)
    result = invoke("run", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == b"Hello, world!\n"


def test_changed_source_is_recompiled(write):
    path = write("hello.csp", HELLO)
    assert invoke("run", path).stdout_bytes == b"Hello, world!\n"
    path.write_text(HELLO.replace("Hello", "Goodbye"))
    assert invoke("run", path).stdout_bytes == b"Goodbye, world!\n"


def test_changed_include_is_recompiled(write, tmp_path):
    (tmp_path / "msg.inc").write_text('VAL []BYTE msg IS "one*n":\n')
    path = write(
        "main.csp",
        '#INCLUDE "course.module"\n#INCLUDE "msg.inc"\n'
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n  out.string (msg, 0, screen!)\n:\n",
    )
    assert invoke("run", path).stdout_bytes == b"one\n"
    (tmp_path / "msg.inc").write_text('VAL []BYTE msg IS "two*n":\n')
    assert invoke("run", path).stdout_bytes == b"two\n"


def test_internal_error_exit_status(write, monkeypatch):
    import cspc.codegen

    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(cspc.codegen.Generator, "module", broken)
    path = write("hello.csp", HELLO)
    result = invoke("run", path)
    assert result.exit_code == 3
    assert "internal compiler error" in result.stderr
    assert "Traceback" not in result.stderr
    result = invoke("run", "--debug", path)
    assert result.exit_code == 3
    assert "Traceback" in result.stderr and "boom" in result.stderr


# --------------------------------------------------------------------------- compile


def test_compile_writes_a_module(write, tmp_path):
    path = write("hello.csp", HELLO)
    result = invoke("compile", path)
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "hello.py").read_text()
    assert text.startswith(f"# Generated by cspc {cspc.__version__} from hello.csp")
    assert "def hello(keyboard, screen, error):" in text
    assert '"""PROC hello (CHAN BYTE keyboard?, screen!, error!)"""' in text
    assert "import cspc.runtime as _rt" in text
    assert "lark" not in text and "cspc.compiler" not in text


def test_compile_to_named_output_and_stdout(write, tmp_path):
    path = write("hello.csp", HELLO)
    out = tmp_path / "out"
    out.mkdir()
    result = invoke("compile", path, "-o", out / "h.py")
    assert result.exit_code == 0
    assert (out / "h.py").read_text().startswith("# Generated by cspc")
    result = invoke("compile", path, "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Generated by cspc")


def test_compile_emit_ast(write):
    result = invoke("compile", "--emit", "ast", write("hello.csp", HELLO), "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("Module(")
    assert "FunctionDef(" in result.stdout


def test_compile_error(write):
    result = invoke("compile", write("bad.csp", BAD))
    assert result.exit_code == 1
    assert "bad.csp:3:8: error:" in result.stderr


# --------------------------------------------------------------------------- check


def test_check_ok_and_errors(write):
    good, bad = write("hello.csp", HELLO), write("bad.csp", BAD)
    assert invoke("check", good).exit_code == 0
    result = invoke("check", good, bad)
    assert result.exit_code == 1
    assert "bad.csp:3:8: error:" in result.stderr
    assert invoke("check").exit_code == 2


def test_check_warn_unused(write):
    path = write("unused.csp", UNUSED)
    quiet = invoke("check", path)
    assert quiet.exit_code == 0 and "unused" not in quiet.stderr
    loud = invoke("check", "-W", path)
    assert loud.exit_code == 0
    assert "warning" in loud.stderr and "unused" in loud.stderr


# --------------------------------------------------------------------------- python -m cspc


def test_python_dash_m(write, tmp_path):
    path = write("hello.csp", HELLO)
    env = dict(os.environ, CSPC_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run(
        [sys.executable, "-m", "cspc", "run", str(path)], capture_output=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"Hello, world!\n"


def test_help_says_that_pragma_python_runs_with_the_users_rights():
    result = invoke("--help")
    assert result.exit_code == 0
    assert "#PRAGMA PYTHON" in result.stdout and "runs with your rights" in result.stdout
