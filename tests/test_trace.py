"""`cspc trace`: a run's CSP trace, in each format, filtered, cut short, and
ending with the report of a deadlock or run-time error; on both backends."""

from __future__ import annotations

import csv
import io
import json
import linecache
from pathlib import Path

import pytest
from click.testing import CliRunner

from cspc.cli import main
from cspc.trace import render

PIPELINE = """\
PROTOCOL CMD
  CASE
    move; INT; INT
    say; BYTE
    stop
:
PROTOCOL LINE IS INT::[]BYTE:

PROC producer (CHAN CMD out!, CHAN LINE text!)
  SEQ
    out ! move; 3; -4
    out ! say; 'h'
    text ! 2::"hi"
    out ! stop
:

PROC consumer (CHAN CMD in?, CHAN LINE text?, CHAN BYTE screen!)
  INT x, y, n:
  BYTE b:
  [8]BYTE buffer:
  SEQ
    in ? CASE
      move; x; y
        SKIP
    in ? CASE
      say; b
        SKIP
    text ? n::buffer
    in ? CASE
      stop
        screen ! b
:

PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN CMD c:
  CHAN LINE t:
  PAR
    producer (c!, t!)
    consumer (c?, t?, screen!)
:
"""

EVENTS = [
    "   1  c.move.3.-4",
    "   2  c.say.'h'",
    "   3  t.2.\"hi\"",
    "   4  c.stop",
    "   5  screen.'h'",
]


@pytest.fixture
def trace(tmp_path, monkeypatch):
    """``trace(source, *options)``: save ``source`` as prog.csp in a scratch
    folder and run ``cspc trace *options prog.csp`` there; gives the result."""
    monkeypatch.chdir(tmp_path)

    def invoke(source, *options, command="trace", stdin=""):
        Path("prog.csp").write_text(source)
        linecache.clearcache()
        return CliRunner().invoke(main, [command, *options, "prog.csp"], input=stdin)

    return invoke


def test_the_trace_lists_every_communication_in_csp_notation(trace, backend):
    result = trace(PIPELINE, "--backend", backend)
    assert result.exit_code == 0
    assert result.stdout == "h"  # the program's own output is untouched
    assert result.stderr.splitlines() == EVENTS


def test_verbose_names_writer_and_reader_and_their_lines(trace, backend):
    result = trace(PIPELINE, "--verbose", "--backend", backend)
    lines = result.stderr.splitlines()
    assert lines[0].split() == ["1", "c.move.3.-4", "producer", "(prog.csp:11)", "->", "consumer", "(prog.csp:22)"]
    assert lines[2].split()[2:] == ["producer", "(prog.csp:13)", "->", "consumer", "(prog.csp:28)"]
    assert lines[4].split()[2:] == ["consumer", "(prog.csp:31)", "->", "(screen)"]


def test_json_gives_one_object_per_event(trace, backend):
    result = trace(PIPELINE, "--format", "json", "--backend", backend)
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert [r["seq"] for r in records] == [1, 2, 3, 4, 5]
    first = records[0]
    assert first["channel"] == "c" and first["value"] == ["move", 3, -4] and first["event"] == "c.move.3.-4"
    assert (first["writer"], first["reader"]) == ("producer", "consumer")
    assert (first["writer_at"], first["reader_at"]) == ("prog.csp:11", "prog.csp:22")
    assert records[2]["value"] == [2, [104, 105]]
    times = [r["time"] for r in records]
    assert times == sorted(times) and all(isinstance(t, float) for t in times)


def test_csv_is_a_table_with_a_header(trace):
    result = trace(PIPELINE, "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stderr)))
    assert rows[0] == ["seq", "channel", "event", "writer", "reader", "writer_at", "reader_at", "time"]
    assert rows[3][:5] == ["3", "t", 't.2."hi"', "producer", "consumer"]
    assert len(rows) == 6


def test_output_to_a_file_leaves_stderr_alone(trace, tmp_path):
    result = trace(PIPELINE, "-o", "run.trace")
    assert result.exit_code == 0 and result.stderr == ""
    assert (tmp_path / "run.trace").read_text().splitlines() == EVENTS


def test_limit_stops_tracing_and_the_run_goes_on(trace):
    result = trace(PIPELINE, "--limit", "2")
    assert result.stdout == "h"
    assert result.stderr.splitlines() == EVENTS[:2] + [
        "-- trace stopped after 2 events; the run went on to 5"
    ]


def test_channels_and_process_filters_keep_the_numbers(trace):
    only_c = trace(PIPELINE, "--channels", "c").stderr.splitlines()
    assert only_c == [EVENTS[0], EVENTS[1], EVENTS[3]]
    consumer = trace(PIPELINE, "--process", "consumer").stderr.splitlines()
    assert consumer == EVENTS
    assert trace(PIPELINE, "--process", "nobody").stderr == ""


REPLICATED = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  [3]CHAN INT c:
  PAR
    PAR i = 0 FOR 3
      c[i] ! i * 10
    SEQ j = 0 FOR 3
      INT x:
      c[j] ? x
:
"""


def test_a_channel_array_is_picked_by_its_name_and_copies_by_their_process(trace):
    result = trace(REPLICATED, "--channels", "c", "--verbose")
    events = [line.split()[1] for line in result.stderr.splitlines()]
    assert events == ["c[0].0", "c[1].10", "c[2].20"]
    one = trace(REPLICATED, "--channels", "c[1]").stderr.splitlines()
    assert [line.split()[1] for line in one] == ["c[1].10"]


DEADLOCK = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN INT a, b:
  INT x:
  PAR
    SEQ
      a ! 1
      b ! 2
    SEQ
      a ? x
      a ? x
:
"""


def test_a_deadlocked_run_ends_its_trace_with_the_report(trace, tmp_path, backend):
    result = trace(DEADLOCK, "-o", "run.trace", "--backend", backend)
    assert result.exit_code == 1
    lines = (tmp_path / "run.trace").read_text().splitlines()
    assert lines[0] == "   1  a.1"
    assert lines[1] == "run-time error: deadlock: no process can proceed (2 blocked)"
    assert any("waits to output on channel b" in line for line in lines[2:])
    assert "deadlock" in result.stderr  # and the run reports it, as `cspc run` does


def test_a_deadlock_in_json_lists_the_blocked_processes(trace, tmp_path):
    trace(DEADLOCK, "--format", "json", "-o", "run.jsonl")
    *events, end = [json.loads(line) for line in (tmp_path / "run.jsonl").read_text().splitlines()]
    assert [e["event"] for e in events] == ["a.1"]
    assert end["end"] == "deadlock"
    assert sorted(b["waiting_for"] for b in end["blocked"]) == ["input", "output"]
    assert {b["at"] for b in end["blocked"]} == {"prog.csp:7", "prog.csp:10"}


def test_a_run_time_error_ends_the_trace_too(trace, tmp_path):
    source = """\
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN INT c:
  INT x:
  PAR
    c ! 2147483647
    SEQ
      c ? x
      x := x + 1
:
"""
    result = trace(source, "-o", "run.trace")
    assert result.exit_code == 1
    lines = (tmp_path / "run.trace").read_text().splitlines()
    assert lines[0] == "   1  c.2147483647"
    assert lines[1] == "prog.csp:8:12: run-time error: arithmetic overflow"


def test_tracing_does_not_change_what_the_program_prints(trace):
    source = """\
#INCLUDE "course.module"
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN INT c:
  INT total:
  SEQ
    total := 0
    PAR
      SEQ i = 1 FOR 100
        c ! i
      SEQ i = 1 FOR 100
        INT x:
        SEQ
          c ? x
          total := total + x
    out.int (total, 0, screen!)
    out.string ("*n", 0, screen!)
:
"""
    traced = trace(source, "--channels", "c")
    plain = trace(source, command="run")
    assert traced.stdout == plain.stdout == "5050\n"
    assert len(traced.stderr.splitlines()) == 100


def test_values_are_written_as_occam_writes_them():
    from cspc.check import types as T
    from cspc import syntax as S

    bytes_array = S.ArrayType(None, T.BYTE)
    assert render([104, 105, 10, 34], bytes_array) == '"hi*n*""'
    assert render(39, T.BYTE) == "'*''" and render(7, T.BYTE) == "7"
    assert render([[1, 2], [3, 4]], S.ArrayType(None, S.ArrayType(None, T.INT))) == "[[1, 2], [3, 4]]"
    assert render(True, T.BOOL) == "TRUE"
    assert render((1, [2, 3]), None) == "1.[2, 3]"  # no type known: plain values
