"""Error labels chosen from example bad inputs (cspc.parse.errors.EXAMPLES).

The labels are matched by parser state, so they must reach inputs that are
not in the table, and stay off inputs that only look like the examples.
"""

import pytest
from lark.exceptions import UnexpectedToken

from cspc.diagnostics import CompileError
from cspc.parse import parse_text
from cspc.parse import errors, lalr
from cspc.parse.builder import ToAST

PRECEDENCE = "occam has no operator precedence: add parentheses to show which operator applies first"


def first_error(source: str) -> tuple[str, int, int]:
    with pytest.raises(CompileError) as caught:
        parse_text(source, "t.csp")
    d = caught.value.diagnostics[0]
    return d.message, d.span.line, d.span.col


def test_every_example_fails_and_is_given_its_own_label():
    # Two examples failing in the same state on the same token, under
    # different labels, would make the table contradict itself.
    for label, examples in errors.EXAMPLES.items():
        for text in examples:
            with pytest.raises(UnexpectedToken) as caught:
                lalr.parse_into(ToAST("<example>"), text)
            assert errors.label_of(caught.value) is label, (label.name, text)


@pytest.mark.parametrize(
    "source, line, col",
    [
        ("PROC p (CHAN INT c!)\n  c ! a + b + 1\n:\n", 2, 13),  # in an output, not an assignment
        ("PROC p ()\n  WHILE a < b AND c\n    SKIP\n:\n", 2, 15),  # a WHILE condition
        ("PROC p ()\n  x := f (a, b REM c * d)\n:\n", 2, 22),  # an actual parameter
    ],
)
def test_precedence_label_reaches_contexts_not_in_the_table(source, line, col):
    assert first_error(source) == (PRECEDENCE, line, col)


def test_process_at_top_level_after_a_proc_gets_the_hint():
    message, line, col = first_error("PROC p ()\n  SKIP\n:\nWHILE TRUE\n  SKIP\n")
    assert message.endswith("(a process must be inside a PROC)")
    assert (line, col) == (4, 1)


@pytest.mark.parametrize(
    "source, expected",
    [
        # An operator where MOSTPOS wants its type: not a precedence problem.
        ("PROC p ()\n  x := (MOSTPOS + INT) * 4\n:\n",
         ("unexpected `+'; expected `BOOL', `BYTE', `INT', `INT16', `INT32', `INT64', ...", 2, 17)),
        # A type then a name, in a declaration: nor is this.
        ("VAL REAL64 top * IS 1.0(REAL64):\n", ("unexpected `*'; expected `IS'", 1, 16)),
        # A process keyword inside a FUNCTION's header is inside something already.
        ("BYTE FUNCTION f (VAL BYTE ch)\n  WHILE BYTE result:\n  VALOF\n    result := ch\n    RESULT result\n:\n",
         ("unexpected `WHILE'; expected a declaration or `VALOF'", 2, 3)),
    ],
)
def test_look_alikes_get_the_plain_message(source, expected):
    # The labels before match_examples (conditionals over the parser's stack
    # and the token's text) gave each of these a wrong hint.
    assert first_error(source) == expected
