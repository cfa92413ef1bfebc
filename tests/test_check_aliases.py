"""The alias rule's messages: the caret at the offending use, a note at the abbreviation.

Which programs the rule accepts and rejects is in check_cases/abbreviations.txt;
these tests pin where its diagnostics point and how they read.
"""

from __future__ import annotations

import textwrap

from cspc.check import check
from cspc.diagnostics import Reporter
from cspc.parse import parse_text


def errors(source: str):
    program = parse_text(textwrap.dedent(source), "alias.csp")
    reporter = Reporter()
    check(program, reporter)
    return reporter.errors


def test_use_of_an_abbreviated_element_points_at_the_use_and_notes_the_abbreviation():
    (error,) = errors(
        """\
        PROC p ()
          [4]INT a:
          INT y IS a[1]:
          SEQ
            y := 2
            a[1] := 5
        :
        """
    )
    assert error.message == "`a' cannot be used while abbreviated by `y'"
    assert (error.span.line, error.span.col, error.span.end_col) == (6, 5, 9)
    (note,) = error.notes
    assert note.message == "abbreviated here"
    assert (note.span.line, note.span.col) == (3, 7)
    assert error.render().splitlines() == [
        "alias.csp:6:5: error: `a' cannot be used while abbreviated by `y'",
        "        a[1] := 5",
        "        ^~~~",
        "alias.csp:3:7: note: abbreviated here",
        "      INT y IS a[1]:",
        "          ^",
    ]


def test_changing_a_subscript_of_an_abbreviation_names_the_abbreviation():
    (error,) = errors(
        """\
        PROC p ()
          [4]INT a:
          INT i:
          SEQ
            i := 1
            INT y IS a[i]:
            SEQ
              y := 2
              i := 3
        :
        """
    )
    assert error.message == "`i' cannot be assigned to while it subscripts the abbreviation `y'"
    assert (error.span.line, error.span.col) == (9, 7)
    assert [(n.message, n.span.line, n.span.col) for n in error.notes] == [("abbreviated here", 6, 9)]


def test_a_call_is_blamed_for_what_the_callee_does_to_an_abbreviated_variable():
    (error,) = errors(
        """\
        PROC p ()
          INT x:
          PROC bump ()
            x := x + 1
          :
          SEQ
            x := 0
            INT y IS x:
            SEQ
              y := 1
              bump ()
        :
        """
    )
    assert error.message == "`bump' changes `x' while it is abbreviated by `y'"
    assert (error.span.line, error.span.col) == (11, 7)
    assert [(n.message, n.span.line) for n in error.notes] == [("abbreviated here", 8)]


def test_one_error_per_use():
    found = errors(
        """\
        PROC p ()
          [4]INT a:
          INT y IS a[1]:
          INT z IS a[1]:
          SEQ
            y, z := 1, 2
            a[1] := a[1] + 1
        :
        """
    )
    lines = sorted((e.span.line, e.span.col) for e in found)
    assert lines == [(4, 12), (7, 5), (7, 13)]
