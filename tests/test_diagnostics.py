"""Rejected programs: the exact message, its line:col, and never an internal name.

Each case is (description, source, expected first line of the rendered error).
"""

import re
from textwrap import dedent

import pytest

from cspc import syntax as S
from cspc.diagnostics import CompileError
from cspc.parse import parse_text

BAD = [
    ("chain of operators", "PROC p ()\n  x := a + b + c\n:\n",
     "t.csp:2:14: error: occam has no operator precedence: add parentheses to show which operator applies first"),
    ("mixed operators", "PROC p ()\n  x := a + b * c\n:\n",
     "t.csp:2:14: error: occam has no operator precedence: add parentheses to show which operator applies first"),
    ("monadic then dyadic", "PROC p ()\n  x := - a + b\n:\n",
     "t.csp:2:12: error: occam has no operator precedence: add parentheses to show which operator applies first"),
    ("conversion then dyadic", "PROC p ()\n  x := INT a + b\n:\n",
     "t.csp:2:14: error: occam has no operator precedence: add parentheses to show which operator applies first"),
    ("odd indentation", "PROC p ()\n  SEQ\n     SKIP\n:\n",
     "t.csp:3:6: error: indentation must grow by exactly 2 spaces (this line is indented 3 more than the block it is in)"),
    ("four-space indentation", "PROC p ()\n    SKIP\n:\n",
     "t.csp:2:5: error: indentation must grow by exactly 2 spaces (this line is indented 4 more than the block it is in)"),
    ("dedent to no block", "PROC p ()\n  SEQ\n    SKIP\n   SKIP\n:\n",
     "t.csp:4:4: error: this line's indentation (3 spaces) matches no enclosing block (indent by 2 spaces per level)"),
    ("tab", "PROC p ()\n\tSKIP\n:\n",
     "t.csp:2:9: error: indentation must grow by exactly 2 spaces (this line is indented 8 more than the block "
     "it is in); a tab in indentation counts as 8 columns"),
    ("indented first line", "  PROC p ()\n    SKIP\n  :\n",
     "t.csp:1:3: error: the first line is indented, but it is not inside anything (start it in column 1)"),
    ("missing expression", "PROC p ()\n  SEQ\n    x := )\n:\n",
     "t.csp:3:10: error: unexpected `)'; expected an expression"),
    ("missing body", "PROC p ()\n:\n",
     "t.csp:2:1: error: unexpected `:'; expected an indented block (2 more spaces)"),
    ("choice body not indented", "PROC p ()\n  IF\n    x = 1\n    SKIP\n:\n",
     "t.csp:4:5: error: unexpected `SKIP'; expected an indented block (2 more spaces)"),
    ("WHILE without condition", "PROC p ()\n  WHILE\n    SKIP\n:\n",
     "t.csp:2:8: error: unexpected end of line; expected an expression"),
    ("missing colon at end of file", "PROC p ()\n  SKIP\n",
     "t.csp:2:7: error: unexpected end of file; expected `:'"),
    ("declaration without colon", "PROC p ()\n  INT x\n  SKIP\n:\n",
     "t.csp:2:8: error: unexpected end of line; expected `,', `:' or `IS'"),
    ("two processes where one is expected", "PROC p ()\n  x := 1\n  y := 2\n:\n",
     "t.csp:3:3: error: unexpected name `y'; expected end of block "
     "(two processes in a row need a SEQ or PAR above them)"),
    ("two processes after a declaration", "PROC p ()\n  INT x:\n  x := 1\n  SEQ\n    SKIP\n:\n",
     "t.csp:4:3: error: unexpected `SEQ'; expected end of block "
     "(two processes in a row need a SEQ or PAR above them)"),
    ("something else after a process", "PROC p ()\n  SKIP\n  )\n:\n",
     "t.csp:3:3: error: unexpected `)'; expected end of block"),
    ("misspelt keyword", "PROC p ()\n  INT x:\n  WHILLE x > 0\n    x := x - 1\n:\n",
     "t.csp:3:12: error: unexpected `>'; expected `,', `:' or `IS' "
     "(`WHILLE' is not a keyword: did you mean WHILE?)"),
    ("keyword in lower case", "PROC p ()\n  seq\n    SKIP\n:\n",
     "t.csp:2:6: error: unexpected end of line; expected `!', `(', `,', `:=', `?', `FUNCTION', ... "
     "(occam keywords are upper case: `seq' should be SEQ)"),
    ("a name like a keyword later on the line", "PROC p ()\n  INT size:\n  size := (size) 1\n:\n",
     "t.csp:3:18: error: unexpected number 1; expected an operator, `,' or end of line"),
    ("process at top level", "SEQ\n  SKIP\n",
     "t.csp:1:1: error: unexpected `SEQ'; expected a declaration or end of file (a process must be inside a PROC)"),
    ("missing operator", "PROC p (CHAN INT c!)\n  c ! 1 2\n:\n",
     "t.csp:2:9: error: unexpected number 2; expected an operator, `(', `::', `;' or end of line"),
    ("keyword as a name", "PROC p ()\n  SEQ := 1\n:\n",
     "t.csp:2:7: error: unexpected `:='; expected a name or end of line"),
    ("stray character", "PROC p ()\n  x := a $ b\n:\n",
     "t.csp:2:10: error: unexpected character `$'"),
    ("unterminated string", 'PROC p ()\n  x := "abc\n:\n',
     "t.csp:2:8: error: unterminated string (a string ends on its line unless continued with `*')"),
    ("bad escape", 'PROC p ()\n  x := "a*qb"\n:\n',
     "t.csp:2:10: error: unknown escape `*q' (use *n *c *t *s ** *\" *' or *#hh)"),
    ("hex escape without digits", 'PROC p ()\n  x := "a*#%@"\n:\n',
     "t.csp:2:10: error: unknown escape `*#' (use *n *c *t *s ** *\" *' or *#hh)"),
    ("two-character byte literal", "PROC p ()\n  x := 'ab'\n:\n",
     "t.csp:2:8: error: bad byte literal: write one character or escape in quotes, like 'a' or '*n'"),
    ("untyped first parameter", "PROC p (x)\n  SKIP\n:\n",
     "t.csp:1:9: error: parameter `x' needs a type"),
    ("empty ELSE", "PROC p ()\n  CASE x\n    ELSE\n:\n",
     "t.csp:4:1: error: unexpected end of block; expected an indented block (2 more spaces)"),
    ("replicator without FOR", "PROC p ()\n  SEQ i = 0\n    SKIP\n:\n",
     "t.csp:2:12: error: unexpected end of line; expected `FOR'"),
    ("unbalanced parenthesis swallows lines", "PROC p ()\n  x := (a + b\n:\n",
     "t.csp:3:1: error: unexpected `:'; expected `)'"),
]


def first_error(source: str) -> str:
    with pytest.raises(CompileError) as caught:
        parse_text(source, "t.csp")
    return str(caught.value).splitlines()[0]


@pytest.mark.parametrize("what, source, message", BAD, ids=[b[0] for b in BAD])
def test_error_message(what, source, message):
    assert first_error(source) == message


INTERNAL_NAMES = re.compile(r"_NL|_INDENT|_DEDENT|\$END|__ANON|LPAR|RPAR|COLON|NAME\b|Token\(|Tree\(")


@pytest.mark.parametrize("what, source, message", BAD, ids=[b[0] for b in BAD])
def test_no_internal_names_in_messages(what, source, message):
    with pytest.raises(CompileError) as caught:
        parse_text(source, "t.csp")
    assert not INTERNAL_NAMES.search(str(caught.value))


def test_rendering_has_source_line_and_caret():
    with pytest.raises(CompileError) as caught:
        parse_text("PROC p ()\n  x := a + b + c\n:\n", "t.csp")
    assert str(caught.value).splitlines()[1:] == ["      x := a + b + c", "                 ^"]


def test_several_errors_in_one_run():
    source = dedent(
        """\
        PROC a ()
          x := a + b * c
        :
        PROC b ()
          SEQ
            SKIP
             SKIP
        :
        PROC c ()
          SKIP
        :
        PROC d ()
          x := )
        :
        """
    )
    with pytest.raises(CompileError) as caught:
        parse_text(source, "t.csp")
    got = [(d.span.line, d.span.col) for d in caught.value.diagnostics]
    assert got == [(2, 14), (7, 6), (13, 8)]


def test_a_tab_in_indentation_reaches_the_next_multiple_of_8_columns():
    # As occ21 reads it: KRoC's own sources indent with tabs.
    source = "PROC p ()\n  SEQ\n    IF\n      TRUE\n\tSKIP\n    IF\n      TRUE\n   \tSTOP\n:\n"
    program = parse_text(source, "t.csp")
    first, second = program.specs[0].body.body
    assert [type(first.choices[0].body), type(second.choices[0].body)] == [S.Skip, S.Stop]


def test_a_message_about_a_tabbed_line_shows_it_expanded_under_its_caret():
    with pytest.raises(CompileError) as caught:
        parse_text("PROC p ()\n  SEQ\n\t  SKIP\n:\n", "t.csp")
    assert str(caught.value).splitlines()[1:] == ["              SKIP", "              ^"]


def test_mostpos_then_operator_needs_parentheses():
    assert first_error("PROC p ()\n  x := (MOSTPOS INT / 2)\n:\n") == (
        "t.csp:2:21: error: occam has no operator precedence: add parentheses to show which operator applies first"
    )


def test_error_count_is_capped():
    source = "PROC p ()\n  x := )\n:\n" * 50
    with pytest.raises(CompileError) as caught:
        parse_text(source, "t.csp")
    assert len(caught.value.diagnostics) == 20


def test_several_errors_inside_one_proc():
    source = dedent(
        """\
        PROC p (CHAN INT c!)
          INT x:
          SEQ
            x := a + b * c
            x := )
            INT y
            y := 1
            WHILE
              SKIP
            c ! 1 2
        :
        """
    )
    with pytest.raises(CompileError) as caught:
        parse_text(source, "t.csp")
    got = [(d.span.line, d.span.col) for d in caught.value.diagnostics]
    assert got == [(4, 16), (5, 10), (6, 10), (8, 10), (10, 11)]


def test_no_guessing_after_a_line_that_continues():
    # `x :=' continues on the next line, so skipping a line could invent errors: stop at one.
    source = "PROC p ()\n  SEQ\n    x :=\n    y := 2\n    z := y + 1 + 2\n:\n"
    with pytest.raises(CompileError) as caught:
        parse_text(source, "t.csp")
    assert [(d.span.line, d.span.col) for d in caught.value.diagnostics] == [(4, 7)]


def test_skipping_a_guard_does_not_invent_an_error():
    source = "PROC p ()\n  ALT\n    c ? x + 1\n      SKIP\n    d ? y\n      SKIP\n:\n"
    with pytest.raises(CompileError) as caught:
        parse_text(source, "t.csp")
    assert [(d.span.line, d.span.col) for d in caught.value.diagnostics] == [(3, 11)]


def test_a_message_about_a_very_long_line_quotes_a_window_around_the_spot():
    """A machine-made line (here 55 kB) is quoted as 200 characters around the
    error, cut with `...', the caret still under the bad token."""
    line = "  x := " + " OR ".join(["(a = b)"] * 5_000) + " $"
    with pytest.raises(CompileError) as err:
        parse_text(f"PROC p ()\n{line}\n:\n", "t.csp")
    head, quoted, caret = str(err.value.diagnostics[0]).splitlines()[:3]
    assert head.startswith(f"t.csp:2:{len(line)}: error:")
    assert len(quoted) < 4 + 200 + 6 and quoted.startswith("    ...") and quoted.endswith("$")
    assert caret.index("^") == quoted.index("$")
