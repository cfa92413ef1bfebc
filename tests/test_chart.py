"""`cspc trace --chart`: the sequence chart's model (lifelines, arrows numbered
as in the trace, ALT marks, deadlock marks) and the files drawn from it."""

from __future__ import annotations

import io
import linecache
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_trace import EVENTS, PIPELINE

from cspc.chart import ChartedTrace, ChartRecorder, Choice
from cspc.cli import main
from cspc.compiler import compile_file
from cspc.runtime.occam import run_main
from cspc.trace import Protocols, Tracer

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parent.parent


def record(path, backend, tmp_path, *, limit=100, stdout=None):
    """Run the program in ``path`` with a tracer and a chart recorder, as
    `cspc trace --chart` does; gives (the chart, the trace's lines)."""
    linecache.clearcache()
    result = compile_file(path, use_cache=False)
    namespace = result.new_namespace()
    exec(result.code, namespace)
    protocols = Protocols(result.program)
    text = io.StringIO()
    tracer = Tracer(text, protocols)
    recorder = ChartRecorder(protocols, program=result.program, limit=limit)
    charted = ChartedTrace(tracer, recorder, str(tmp_path / "run.svg"), say=print)
    try:
        run_main(namespace[result.main], backend=backend, stdout=stdout or io.BytesIO(),
                 observer=charted, policy=charted.policy)  # fmt: skip
    except Exception as exc:  # noqa: BLE001 -- a deadlock, which the chart shows
        charted.finish(exc, str(exc))
    else:
        charted.finish()
    return charted.recorder.chart, text.getvalue().splitlines()


def source(tmp_path, text: str) -> Path:
    path = tmp_path / "prog.csp"
    path.write_text(text)
    return path


def test_a_pipeline_has_a_lifeline_per_process_and_an_arrow_per_event(tmp_path, backend):
    chart, trace = record(source(tmp_path, PIPELINE), backend, tmp_path)
    assert chart.lifelines == ["producer", "consumer", "(screen)"]
    assert [(a.seq, a.event, a.writer, a.reader) for a in chart.rows] == [
        (1, "c.move.3.-4", "producer", "consumer"),
        (2, "c.say.'h'", "producer", "consumer"),
        (3, 't.2."hi"', "producer", "consumer"),
        (4, "c.stop", "producer", "consumer"),
        (5, "screen.'h'", "consumer", "(screen)"),
    ]
    assert trace == EVENTS  # the same numbers and texts as the trace
    assert [f"{a.seq:>4}  {a.event}" for a in chart.arrows] == trace
    assert all(a.choice is None for a in chart.arrows)  # no ALT: `in ? CASE' is no choice
    assert not chart.cut and chart.blocked == {} and chart.ending is None


# Two processes of one name get a lifeline each; an ALT finds a ready SKIP
# guard (the channel guard's precondition is FALSE), so its choice does not
# depend on the scheduler.
SAME_NAMES_AND_SKIP = """\
PROC id (CHAN INT in?, out!)
  INT x:
  SEQ
    in ? x
    out ! x
:
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN INT a, b, c, d:
  INT y:
  PAR
    a ! 1
    id (a?, b!)
    id (b?, c!)
    SEQ
      c ? y
      PRI ALT
        FALSE & d ? y
          SKIP
        TRUE & SKIP
          screen ! 'k'
:
"""


def test_a_skip_choice_is_a_row_and_same_named_processes_are_told_apart(tmp_path, backend):
    chart, trace = record(source(tmp_path, SAME_NAMES_AND_SKIP), backend, tmp_path)
    assert chart.lifelines == ["main, PAR branch 1", "id", "id (2)", "main, PAR branch 4", "(screen)"]
    rows = chart.rows
    assert [(a.seq, a.writer, a.reader) for a in rows[:3]] == [
        (1, "main, PAR branch 1", "id"), (2, "id", "id (2)"), (3, "id (2)", "main, PAR branch 4"),
    ]  # fmt: skip
    assert rows[3] == Choice("main, PAR branch 4", "SKIP", ["SKIP"], pri=True)
    assert rows[3].text() == "PRI ALT chose SKIP (ready: SKIP)"
    assert (rows[4].seq, rows[4].event, rows[4].choice) == (4, "screen.'k'", None)
    assert len(trace) == 4


# On greenlets the merger starts last, so both producers already wait at
# their outputs when each ALT looks: the policy chooses from both, fairly.
MERGE = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN INT a, b:
  INT x:
  PAR
    a ! 1
    b ! 2
    SEQ i = 0 FOR 2
      ALT
        a ? x
          SKIP
        b ? x
          SKIP
:
"""


def test_an_alt_choice_marks_the_communication_it_chose(tmp_path):
    chart, _ = record(source(tmp_path, MERGE), "greenlet", tmp_path)
    first, second = chart.rows
    assert (first.event, first.choice) == ("a.1", Choice("main, PAR branch 3", "a?", ["a?", "b?"], pri=False))
    assert first.choice.text() == "ALT chose a? (ready: a?, b?)"
    assert (second.event, second.choice) == ("b.2", Choice("main, PAR branch 3", "b?", ["b?"], pri=False))


# On greenlets the ALT starts first and waits; the first producer completes
# it, and the second is waiting when the next ALT looks.
WAITED = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN INT a, b:
  INT x:
  PAR
    SEQ i = 0 FOR 2
      PRI ALT
        a ? x
          SKIP
        b ? x
          SKIP
    a ! 1
    b ! 2
:
"""


def test_an_alt_that_waited_is_marked_with_the_first_to_come(tmp_path):
    chart, _ = record(source(tmp_path, WAITED), "greenlet", tmp_path)
    first, second = chart.rows
    assert (first.event, first.choice) == ("a.1", Choice("main, PAR branch 1", "a?", [], pri=True))
    assert first.choice.text() == "PRI ALT waited; a? came first"
    assert (second.event, second.choice) == ("b.2", Choice("main, PAR branch 1", "b?", ["b?"], pri=True))


@pytest.mark.parametrize("program, alt", [(MERGE, "main, PAR branch 3"), (WAITED, "main, PAR branch 1")])
def test_every_communication_an_alt_made_is_marked_on_both_backends(tmp_path, backend, program, alt):
    chart, trace = record(source(tmp_path, program), backend, tmp_path)
    assert sorted(a.event for a in chart.arrows) == ["a.1", "b.2"] and len(trace) == 2
    for arrow in chart.arrows:  # whether a guard was ready as the ALT looked depends on the scheduler
        assert arrow.choice.chosen == arrow.event.split(".")[0] + "?"
        assert arrow.choice.ready == [] or arrow.choice.chosen in arrow.choice.ready
        assert arrow.reader == arrow.choice.process == alt


def test_a_deadlock_marks_the_blocked_processes_lifelines(tmp_path, backend):
    chart, _ = record(ROOT / "examples" / "philosophers_deadlock.csp", backend, tmp_path)
    forks = {f"fork i={i}": f"left[{(i + 1) % 5}]?" for i in range(5)}
    philosophers = {f"philosopher i={i}": f"right[{i}]!" for i in range(5)}
    assert chart.blocked == forks | philosophers
    assert chart.ending == "deadlock: no process can proceed (10 blocked)"
    assert set(chart.blocked) <= set(chart.lifelines)
    forks = [a for a in chart.arrows if a.event.startswith("left")]
    assert sorted(a.event for a in forks) == [f"left[{i}].TRUE" for i in range(5)]
    assert [a.choice.chosen for a in forks] == [a.event.split(".")[0] + "?" for a in forks]
    assert all(a.choice.process == a.reader and a.reader.startswith("fork i=") for a in forks)


# --------------------------------------------------------------------------- the command


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def invoke(text, *options):
        Path("prog.csp").write_text(text)
        linecache.clearcache()
        return CliRunner().invoke(main, ["trace", *options, "prog.csp"])

    return invoke


def svg_texts(path: Path) -> list[str]:
    return [t.text for t in ET.parse(path).iter("{http://www.w3.org/2000/svg}text")]


def test_the_svg_holds_the_numbered_events_and_the_lifelines(cli, tmp_path, backend):
    result = cli(PIPELINE, "--chart", "run.svg", "--backend", backend)
    assert result.exit_code == 0 and result.stdout == "h"
    assert result.stderr.splitlines() == EVENTS  # the trace is written as without --chart
    texts = svg_texts(tmp_path / "run.svg")
    assert [t for t in texts if t[0].isdigit()] == [line.strip() for line in EVENTS]
    assert {"producer", "consumer", "(screen)"} <= set(texts)


def test_png_and_pdf_by_suffix(cli, tmp_path):
    assert cli(PIPELINE, "--chart", "run.png", "-o", "t").exit_code == 0
    assert (tmp_path / "run.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli(PIPELINE, "--chart", "run.pdf", "-o", "t").exit_code == 0
    assert (tmp_path / "run.pdf").read_bytes()[:5] == b"%PDF-"


def test_a_long_run_shows_its_first_events_and_says_so(cli, tmp_path):
    result = cli(PIPELINE, "--chart", "run.svg", "--chart-limit", "2", "-o", "run.trace")
    assert result.exit_code == 0
    note = "the chart shows the first 2 events; 3 more past them are left out (--chart-limit)"
    assert result.stderr == f"cspc: {note}\n"
    texts = svg_texts(tmp_path / "run.svg")
    assert [t for t in texts if t[0].isdigit()] == ["1  c.move.3.-4", "2  c.say.'h'"]
    assert note in texts
    assert len((tmp_path / "run.trace").read_text().splitlines()) == 5  # the trace is not cut


def test_a_long_chart_is_drawn_at_fewer_dots_per_inch():
    from cspc.chart.draw import png_dpi

    assert png_dpi((8.0, 40.0)) == 100.0
    assert png_dpi((8.0, 1300.0)) * 1300.0 == pytest.approx(65_000)


def test_the_chart_is_filtered_as_the_trace_is(cli, tmp_path):
    cli(PIPELINE, "--chart", "run.svg", "--channels", "t,screen", "-o", "run.trace")
    assert [t for t in svg_texts(tmp_path / "run.svg") if t[0].isdigit()] == ['3  t.2."hi"', "5  screen.'h'"]


def test_a_deadlocked_runs_chart_ends_with_blocked_marks(cli, tmp_path):
    deadlock = "PROC main (CHAN BYTE keyboard?, screen!, error!)\n  CHAN INT a:\n  a ! 1\n:\n"
    result = cli(deadlock, "--chart", "run.svg", "-o", "run.trace")
    assert result.exit_code == 1 and "deadlock" in result.stderr
    texts = svg_texts(tmp_path / "run.svg")
    assert "blocked: a!" in texts and "main" in texts
    assert "run-time error: deadlock: no process can proceed (1 blocked)" in texts


@pytest.mark.parametrize(
    "options, message",
    [
        (["--chart", "run.gif"], "the chart's format comes from its suffix: .svg, .png, .pdf"),
        (["--chart-limit", "3"], "--chart-limit needs --chart FILE"),
        (["--chart", "run.svg", "--chart-limit", "0"], "0 is not in the range x>=1"),
    ],
)
def test_usage_errors(cli, options, message):
    result = cli(PIPELINE, *options)
    assert result.exit_code == 2 and message in result.stderr


def test_a_chart_that_cannot_be_written_is_a_one_line_error(cli, tmp_path):
    result = cli(PIPELINE, "--chart", "no/such/folder/run.svg", "-o", "t")
    assert result.exit_code == 1
    assert result.stderr == "cspc: cannot write the chart to no/such/folder/run.svg: No such file or directory\n"


def test_charting_does_not_change_what_a_program_does(tmp_path, backend):
    out = io.BytesIO()
    record(ROOT / "examples" / "mux.csp", backend, tmp_path, stdout=out)
    assert out.getvalue() == (ROOT / "examples" / "mux.expected").read_bytes()

