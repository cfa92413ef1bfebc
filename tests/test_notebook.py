"""The ``%%occam`` cell magic: ``run_cell`` on both backends, and one notebook
executed by a real Jupyter kernel (nbclient), whose cell outputs are read."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cspc_cli import run_cspc
from test_trace import EVENTS, PIPELINE

from cspc.notebook import OccamError, parse_options, run_cell

BAD = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  INT x:
  x := TRUE
:
"""
STUCK = "PROC main (CHAN BYTE keyboard?, screen!, error!)\n  CHAN INT c:\n  c ! 1\n:\n"
ECHO = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  BYTE b:
  SEQ i = 0 FOR 2
    SEQ
      keyboard ? b
      screen ! b
      error ! '!'
:
"""


def cli_check(tmp_path, text: str) -> list[str]:
    """What `cspc check cell.csp` prints for ``text``."""
    (tmp_path / "cell.csp").write_text(text)
    result = run_cspc("check", "cell.csp", cwd=tmp_path)
    assert result.returncode == 1
    return result.stderr.decode().splitlines()


def test_a_cell_runs_and_shows_its_trace(backend):
    outcome = run_cell(PIPELINE, backend=backend, trace=True)
    assert outcome.failure is None and outcome.screen == "h"
    assert outcome.trace.splitlines() == EVENTS


def test_the_keyboard_and_the_error_channel(backend):
    outcome = run_cell(ECHO, backend=backend, keyboard=b"ok")
    assert (outcome.screen, outcome.error_channel, outcome.failure) == ("ok", "!!", None)


def test_a_compile_error_is_the_clis_diagnostic(tmp_path):
    outcome = run_cell(BAD)
    assert outcome.failure.splitlines() == cli_check(tmp_path, BAD)
    assert outcome.failure.startswith("cell.csp:3:") and "^" in outcome.failure
    assert outcome.screen == "" and outcome.trace is None


def test_a_deadlock_is_reported_once_after_the_trace(backend):
    outcome = run_cell(STUCK, name="cell7.csp", backend=backend, trace=True)
    assert outcome.failure.splitlines() == [
        "run-time error: deadlock: no process can proceed (1 blocked)",
        "  cell7.csp:3: 'main' waits to output on channel c",
    ]
    assert outcome.trace == ""  # nothing was communicated, and the report is not repeated in it


def test_a_run_time_error_quotes_the_cells_line():
    outcome = run_cell("PROC main (CHAN BYTE keyboard?, screen!, error!)\n  INT x:\n  SEQ\n    x := 0\n"
                       "    x := 10 / x\n:\n", name="cell2.csp")  # fmt: skip
    assert outcome.failure.splitlines() == [
        "cell2.csp:5:10: run-time error: division by zero", "        x := 10 / x", "             ^~~~~~",
    ]  # fmt: skip


def test_the_chart_comes_back_as_svg():
    outcome = run_cell(PIPELINE, chart=True)
    assert outcome.chart_svg.lstrip().startswith("<?xml") and "1  c.move.3.-4" in outcome.chart_svg
    assert outcome.trace is None  # a chart without --trace shows no trace


def test_the_options_line():
    assert parse_options("--trace --backend threads --keyboard 'a b'") == {
        "trace": True, "chart": False, "graph": False, "backend": "threads", "keyboard": b"a b"}  # fmt: skip
    assert parse_options("--graph")["graph"] is True
    with pytest.raises(OccamError, match="unknown option '--expand'"):
        parse_options("--expand")
    assert run_cell(PIPELINE, backend="bogus").failure.startswith("cspc: unknown backend 'bogus'")


def test_importing_cspc_does_not_import_ipython():
    code = "import sys, cspc; assert callable(cspc.load_ipython_extension); print('IPython' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout == "False\n"


# --------------------------------------------------------------------------- a real kernel

KERNEL = "cspc-test-python"


def notebook_cells() -> list[str]:
    return [
        "%load_ext cspc",
        "%%occam --trace --backend threads\n" + PIPELINE,
        "%%occam --backend threads\n" + BAD,
        "%%occam\n" + STUCK,
        "%%occam --graph\n" + PIPELINE,
        "%%occam --expand\n" + PIPELINE,
    ]


@pytest.fixture
def kernel_env(tmp_path, monkeypatch):
    """A kernelspec that runs this very interpreter (so the kernel imports
    this cspc), found through JUPYTER_PATH; IPython's files in tmp_path."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "cspc tests", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    return tmp_path


def test_a_notebook_runs_occam_cells(kernel_env, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in notebook_cells()]
    client = nbclient.NotebookClient(notebook, kernel_name=KERNEL, timeout=120, allow_errors=True,
                                     resources={"metadata": {"path": str(kernel_env)}})  # fmt: skip
    kernel = client.setup_kernel()
    try:
        kernel.__enter__()
    except Exception as exc:  # noqa: BLE001 -- whatever keeps a kernel from starting here
        pytest.skip(f"no Jupyter kernel could start: {type(exc).__name__}: {exc}")
    try:
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
    finally:
        kernel.__exit__(None, None, None)
    load, traced, bad, stuck, graph, unknown = (cell.outputs for cell in notebook.cells)

    assert load == []
    assert [(o.output_type, o.get("name")) for o in traced] == [("stream", "stdout"), ("display_data", None)]
    assert traced[0].text == "h"
    assert traced[1].data["text/plain"].splitlines() == EVENTS

    (error,) = bad
    assert error.output_type == "error" and error.ename == "OccamError"
    assert error.traceback == cli_check(tmp_path, BAD)

    (error,) = stuck
    assert error.traceback == [
        "run-time error: deadlock: no process can proceed (1 blocked)",
        "  cell.csp:3: 'main' waits to output on channel c",
    ]
    assert [o.output_type for o in graph] == ["stream", "display_data"]
    picture = graph[1].data["image/svg+xml"]
    assert "<svg" in picture and "c: 3" in picture  # the network, with the run's messages
    (error,) = unknown
    assert error.traceback[0].startswith("%%occam: unknown option '--expand'")
    assert all("Traceback" not in line for o in bad + stuck + unknown for line in o.traceback)


def test_the_example_in_the_module_docstring_runs():
    import cspc.notebook

    example = textwrap.dedent(cspc.notebook.__doc__.split("::\n\n", 1)[1].split("\n\n", 1)[0])
    line, _, program = example.partition("\n")
    assert line == "%%occam --trace"
    assert run_cell(program, trace=True).trace.splitlines() == ["   1  screen.'h'"]


def test_the_docs_cells_show_what_the_page_says():
    """docs/notebooks.md: each `%%occam` cell, followed by what it shows."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "notebooks.md").read_text()
    blocks = re.findall(r"```text\n(.*?)```", page, re.S)
    assert blocks[0] == "%load_ext cspc\n"
    traced, trace, failing, failure = blocks[1:5]
    line, _, program = traced.partition("\n")
    assert line == "%%occam --trace"
    outcome = run_cell(program, trace=True)
    assert (outcome.screen, outcome.trace) == ("k", trace)
    line, _, program = failing.partition("\n")
    assert line == "%%occam"
    assert run_cell(program).failure + "\n" == failure
