"""The ``%%occam`` cell magic for IPython and Jupyter: ``%load_ext cspc``.

A cell is a whole program, with its main PROC::

    %%occam --trace
    PROC main (CHAN BYTE keyboard?, screen!, error!)
      screen ! 'h'
    :

It is compiled and run as ``cspc run`` would (as the file ``cell.csp``,
its #INCLUDEs found next to the notebook and in cspc's library), and the
cell shows the program's screen
output, its error channel on stderr, and with ``--trace`` the CSP trace, with
``--chart`` the sequence chart, with ``--graph`` the process network as the
run left it (``cspc graph --run``: messages per channel, a deadlock in red;
the cell runs anyway, so its picture may as well say what the run did).  A compile-time or run-time error is shown as
the CLI shows it -- the ``file:line:col: error:`` line, the source line and
the caret -- and fails the cell (so "Run All" stops there), without a
Python traceback.

:func:`run_cell` does the work and knows nothing of IPython; only
:class:`OccamMagics` and :func:`load_ipython_extension` need it.
"""

from __future__ import annotations

import io
import linecache
import os
import shlex
import sys
import tempfile
from dataclasses import dataclass

from cspc.diagnostics import CompileError, InternalError

__all__ = ["CellRun", "OccamError", "run_cell", "load_ipython_extension"]


@dataclass
class CellRun:
    """What a cell's run showed, and how it ended."""

    screen: str = ""  # the program's screen channel
    error_channel: str = ""  # its error channel
    warnings: str = ""  # the compiler's warnings (and a cut chart's note), as the CLI prints them
    trace: str | None = None  # with --trace
    chart_svg: str | None = None  # with --chart
    graph_svg: str | None = None  # with --graph
    failure: str | None = None  # the diagnostic or run-time error that ended it, as the CLI prints it


class OccamError(Exception):
    """A cell's program failed: IPython shows ``_render_traceback_`` (the
    message exactly as the CLI prints it) instead of a Python traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def _render_traceback_(self) -> list[str]:
        return self.message.splitlines()


def run_cell(
    text: str,
    name: str = "cell.csp",
    *,
    backend: str | None = None,
    trace: bool = False,
    chart: bool = False,
    graph: bool = False,
    keyboard: bytes = b"",
    include_paths=(),
) -> CellRun:
    """Compile the occam program ``text`` as the file ``name`` and run it,
    the keyboard fed ``keyboard``; never raises for the program's errors."""
    from cspc.compiler import compile_text

    outcome = CellRun()
    linecache.cache[name] = (len(text), None, text.splitlines(True), name)  # for run-time errors' lines
    try:
        result = compile_text(text, name, include_paths)
    except CompileError as exc:
        outcome.failure = "\n".join(d.render() for d in exc.diagnostics)
        return outcome
    except InternalError as exc:
        outcome.failure = f"cspc: internal compiler error: {exc}"
        return outcome
    outcome.warnings = "\n".join(w.render() for w in result.warnings)
    if result.main is None:
        outcome.failure = (f"{name}: error: no main PROC: the cell needs a PROC with parameters "
                           "(CHAN BYTE keyboard?, screen!, error!)")  # fmt: skip
        return outcome
    _run(result, outcome, backend, trace, chart, graph, keyboard)
    return outcome


def _run(result, outcome: CellRun, backend, trace: bool, chart: bool, graph: bool, keyboard: bytes) -> None:
    from cspc.runtime import occam
    from cspc.runtime.backends import UnknownBackend, resolve_name
    from cspc.trace import Protocols, Tracer

    try:
        resolve_name(backend)
    except UnknownBackend as exc:
        outcome.failure = f"cspc: {exc}"
        return
    namespace = result.new_namespace()
    screen, errors, trace_text = io.BytesIO(), io.BytesIO(), io.StringIO()
    protocols = Protocols(result.program)
    observer = tracer = Tracer(trace_text, protocols, with_report=False) if trace or chart else None
    policy = charted = None
    with tempfile.TemporaryDirectory() as tmp:
        if chart:
            from cspc.chart import ChartedTrace, ChartRecorder

            recorder = ChartRecorder(protocols, program=result.program)
            observer = charted = ChartedTrace(tracer, recorder, os.path.join(tmp, "run.svg"),
                                              say=lambda line: _note(outcome, line))  # fmt: skip
            policy = charted.policy
        counter = None
        if graph:
            from cspc.graph import CountingObserver

            counter = CountingObserver()
            observer = counter if observer is None else _Both(observer, counter)
        ending = None
        try:
            exec(result.code, namespace)
            occam.run_main(namespace[result.main], backend=backend, stdin=io.BytesIO(keyboard), stdout=screen,
                           stderr=errors, observer=observer, policy=policy)  # fmt: skip
        except Exception as exc:  # noqa: BLE001 -- the program's error, or ours: sorted below
            if not occam.is_runtime_error(exc):
                raise
            ending = exc
            outcome.failure = occam.format_runtime_error(exc)
        if observer is not None and observer is not counter:
            observer.finish(ending, outcome.failure)
        if counter is not None:
            _draw_graph(result, outcome, counter, ending)
        if charted is not None:
            with open(os.path.join(tmp, "run.svg"), encoding="utf-8") as f:
                outcome.chart_svg = f.read()
    outcome.screen = screen.getvalue().decode("utf-8", errors="replace")
    outcome.error_channel = errors.getvalue().decode("utf-8", errors="replace")
    if trace:
        outcome.trace = trace_text.getvalue()


class _Both:
    """Two observers of one run (the trace or chart, and the graph's counter)."""

    def __init__(self, first, counter) -> None:
        self.first, self.counter = first, counter

    def communicated(self, channel, value, writer, reader) -> None:
        self.first.communicated(channel, value, writer, reader)
        self.counter.communicated(channel, value, writer, reader)

    def finish(self, ending=None, report=None) -> None:
        self.first.finish(ending, report)


def _draw_graph(result, outcome: CellRun, counter, ending) -> None:
    from cspc.graph import apply_run, network_of
    from cspc.graph.render import NoDot, svg

    network = apply_run(network_of(result), counter.counts, ending)
    try:
        outcome.graph_svg = svg(network)
    except NoDot:
        _note(outcome, "cspc: --graph needs Graphviz's `dot` program, which is not installed")


def _note(outcome: CellRun, line: str) -> None:
    outcome.warnings = f"{outcome.warnings}\n{line}" if outcome.warnings else line


# --------------------------------------------------------------------------- IPython

USAGE = "%%occam [--trace] [--chart] [--graph] [--backend greenlet|threads] [--keyboard TEXT]"


def parse_options(line: str) -> dict:
    """The magic's line: ``--trace``, ``--chart``, ``--backend NAME``,
    ``--keyboard TEXT`` (the program's standard input; a notebook has no
    keyboard of its own)."""
    words = shlex.split(line)
    options: dict = {"trace": False, "chart": False, "graph": False, "backend": None, "keyboard": b""}
    while words:
        word = words.pop(0)
        if word in ("--trace", "--chart", "--graph"):
            options[word[2:]] = True
        elif word in ("--backend", "--keyboard") and words:
            value = words.pop(0)
            options[word[2:]] = value.encode() if word == "--keyboard" else value
        else:
            raise OccamError(f"%%occam: unknown option {word!r}; usage: {USAGE}")
    return options


def _magics():
    from IPython.core.magic import Magics, cell_magic, magics_class

    @magics_class
    class OccamMagics(Magics):
        """``%%occam``: compile and run the cell's occam program."""

        @cell_magic
        def occam(self, line: str, cell: str) -> None:
            from IPython.display import SVG, display

            options = parse_options(line)
            outcome = run_cell(cell, "cell.csp", include_paths=[os.getcwd()], **options)
            if outcome.warnings:
                print(outcome.warnings, file=sys.stderr)
            if outcome.screen:
                print(outcome.screen, end="", flush=True)
            if outcome.error_channel:
                print(outcome.error_channel, end="", file=sys.stderr, flush=True)
            if outcome.trace is not None:
                display({"text/plain": outcome.trace.rstrip("\n")}, raw=True)
            if outcome.chart_svg is not None:
                display(SVG(outcome.chart_svg))
            if outcome.graph_svg is not None:
                display(SVG(outcome.graph_svg))
            if outcome.failure is not None:
                raise OccamError(outcome.failure)

    return OccamMagics


def load_ipython_extension(ipython) -> None:
    """``%load_ext cspc``: register ``%%occam``."""
    ipython.register_magics(_magics())
