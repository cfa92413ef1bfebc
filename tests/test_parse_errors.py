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


HEAD = "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"


@pytest.mark.parametrize(
    "body, message, line, col",
    [
        ("  PLACED [1]INT y 0:\n  SKIP\n", "`PLACED' is not supported yet (placement)", 2, 3),
            ("  SEQ\n    SKIP #IF DEFINED (FOO)\n", "a directive begins its own line: `#IF' cannot follow other text", 3, 10),
    ],
)  # fmt: skip
def test_a_construct_not_supported_yet_says_so_at_the_construct(body, message, line, col):
    assert first_error(HEAD + body + ":\n") == (message, line, col)


def test_processor_outside_a_placed_par_says_where_it_belongs():
    message, line, col = first_error(HEAD + "  SEQ\n    PROCESSOR 1\n      SKIP\n:\n")
    assert (line, col) == (3, 5)
    assert message.startswith("unexpected `PROCESSOR'; expected a process")
    assert message.endswith("(`PROCESSOR n' begins a branch of a PLACED PAR, and only there)")


def test_a_placed_par_is_read_so_its_own_mistakes_get_the_plain_message():
    assert first_error(HEAD + "  PLACED PAR\n    SKIP\n:\n") == ("unexpected `SKIP'; expected `PROCESSOR'", 3, 5)
    assert first_error(HEAD + "  PLACED PAR i = 0 FOR\n    PROCESSOR i\n      SKIP\n:\n") == (
        "unexpected `PROCESSOR'; expected an expression", 3, 5)


def test_an_unsupported_word_in_a_string_or_comment_is_not_taken_for_the_construct():
    source = HEAD + '  screen ! "MOBILE ??" (  -- SHARED\n:\n'
    message, line, col = first_error(source)
    assert (line, col) == (2, 24)
    assert message.startswith("unexpected `('")


@pytest.mark.parametrize("expression", ["a AND b AND c", "a OR b OR c OR a", "(a AND b) OR c OR (a AND b)"])
def test_a_chain_of_and_or_of_or_alone_needs_no_parentheses(expression):
    program = parse_text(HEAD + f"  BOOL a, b, c, r:\n  r := {expression}\n:\n", "t.csp")
    assert program is not None


def test_a_chain_is_read_from_the_left():
    from cspc import syntax as S

    program = parse_text(HEAD + "  BOOL a, b, c, r:\n  r := a AND b AND c\n:\n", "t.csp")
    (chain,) = [n for n in S.walk(program) if isinstance(n, S.Binary) and isinstance(n.left, S.Binary)]
    assert (chain.op, chain.left.op, chain.right.name) == ("AND", "AND", "c")
    assert (chain.left.left.name, chain.left.right.name) == ("a", "b")
    assert (chain.span.col, chain.left.span.col, chain.left.span.end_col) == (8, 8, 15)


@pytest.mark.parametrize(
    "expression, col",
    [("a AND b OR c", 16), ("a OR b OR c AND a", 20), ("i + i + i", 14), ("(a AND b) = a AND b", 22)],
)
def test_a_chain_of_mixed_or_other_operators_still_needs_parentheses(expression, col):
    source = HEAD + f"  BOOL a, b, c, r:\n  INT i:\n  r := {expression}\n:\n"
    assert first_error(source) == (PRECEDENCE, 4, col)


def test_a_string_may_begin_with_its_length():
    from cspc import syntax as S

    program = parse_text(HEAD + '  VAL []BYTE s IS "*lhello":\n  VAL []BYTE t IS "*L":\n  SKIP\n:\n', "t.csp")
    values = [n.value for n in S.walk(program) if isinstance(n, S.Literal) and n.kind == "string"]
    assert values == [b"\x05hello", b"\x00"]


@pytest.mark.parametrize(
    "literal, message, col",
    [
        ('"ab*lc"', "`*l' (the string's length) may only begin a string", 15),
        ("'*l'", "`*l' (the string's length) may only begin a string", 13),
        ('"*l' + "x" * 256 + '"', "a string begun with `*l' holds at most 255 bytes after it", 13),
    ],
)
def test_a_length_escape_elsewhere_or_too_long_is_an_error(literal, message, col):
    assert first_error(HEAD + f"  VAL s IS {literal}:\n  SKIP\n:\n") == (message, 2, col)


def test_a_pragma_that_ends_its_block_is_ignored_with_a_warning():
    # KRoC's programs put `#PRAGMA DEFINED x' last in a block, where nothing follows it.
    program = parse_text(
        HEAD + "  INT x:\n  SEQ\n    SEQ\n      x := 1\n      #PRAGMA DEFINED x\n    screen ! 'a'\n:\n",
        "t.csp",
    )
    assert [(w.message, w.span.line, w.span.col) for w in program.warnings] == [
        ("#PRAGMA DEFINED at the end of a block applies to nothing; ignored", 6, 7)
    ]


def test_a_pragma_python_that_ends_its_block_is_an_error():
    source = HEAD + '  SEQ\n    SKIP\n    #PRAGMA PYTHON "m:f"\n:\n'
    assert first_error(source) == (
        "#PRAGMA PYTHON must come just before the PROC or FUNCTION it implements, in the same file",
        4,
        5,
    )


def test_an_end_abbreviation_whose_mark_contradicts_its_value_is_an_error():
    source = HEAD + "  CHAN INT c:\n  CHAN INT src! IS c?:\n  SKIP\n:\n"
    assert first_error(source) == ("`src!' is an output end, but it abbreviates an input end", 3, 3)


def test_a_function_named_by_a_string_must_name_an_operator():
    message, line, col = first_error('INT FUNCTION "#" (VAL INT a, b) IS a:\n' + HEAD + "  SKIP\n:\n")
    assert message.startswith("`#' is not an operator that a FUNCTION can define (those are ")
    assert (line, col) == (1, 14)


def test_a_valof_in_an_expression_keeps_occams_layout():
    source = HEAD + "  INT z:\n  z := (VALOF\n           SKIP\n          RESULT 1)\n:\n"
    assert first_error(source) == (
        "indentation must grow by exactly 2 spaces (this line is indented 3 more than the block it is in)",
        4,
        12,
    )


@pytest.mark.parametrize(
    "body, message, line, col",
    [
        # `c ?? x' is followed by the process to run during the rendezvous
        ("  INT x:\n  SEQ\n    c ?? x\n    SKIP\n", "unexpected `SKIP'; expected an indented block (2 more spaces)", 5, 5),
        # a guard read as a dyadic expression's operands must use `??'
        ("  INT x:\n  ALT\n    c + x\n      SKIP\n", "an ALT guard inputs with `?' or `??', not `+'", 4, 5),
        # an extended input has a during process and at most one after it
        ("  INT x:\n  c ?? x\n    SKIP\n    SKIP\n    SKIP\n", "unexpected `SKIP'; expected end of block", 6, 5),
        # CLAIM holds an end for the process under it
        ("  CLAIM c!\n  SKIP\n", "unexpected `SKIP'; expected an indented block (2 more spaces)", 3, 3),
    ],
)  # fmt: skip
def test_occam_pi_shared_channels_and_extended_inputs_misspelt(body, message, line, col):
    assert first_error("PROC p (CHAN INT c?)\n" + body + ":\n") == (message, line, col)


SPEC_THEN_VALOF = (
    " (in brackets, a specification is followed by a VALOF on the lines below it, as in occam 2.1 and "
    "KRoC: `(VAL INT x IS e :', `VALOF', `RESULT x + 1)', each on its own line; there is no one-line "
    "`(spec : expression)')"
)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("PROC p (CHAN INT c!)\n  c ! (VAL INT x IS 3 : x + 1)\n:\n",
         ("unexpected name `x'; expected end of line" + SPEC_THEN_VALOF, 2, 25)),
        ("PROC p ()\n  INT y:\n  y := 2 * (VAL k IS [1, 2] : SIZE k)\n:\n",
         ("unexpected `SIZE'; expected end of line" + SPEC_THEN_VALOF, 3, 31)),
        ("PROC p ()\n  b := f ((INT r : r), 1)\n:\n",
         ("unexpected name `r'; expected end of line" + SPEC_THEN_VALOF, 2, 20)),
    ],
)  # fmt: skip
def test_a_specification_then_an_expression_in_brackets_is_refused_as_occ21_does(source, expected):
    # occ21 reads specifications in brackets, then wants VALOF (syn2.c, roperand)
    assert first_error(source) == expected


@pytest.mark.parametrize(
    "source, expected",
    [
        ("PROC p ()\n  INT r : r := 1\n  SKIP\n:\n", ("unexpected name `r'; expected end of line", 2, 11)),
        ("VAL INT k IS 2 : x\n", ("unexpected name `x'; expected end of line", 1, 18)),
        ('PROC p (CHAN BYTE c!)\n  VAL s IS "(" : c ! s[0]\n  SKIP\n:\n',
         ("unexpected name `c'; expected end of line", 2, 18)),
    ],
)  # fmt: skip
def test_a_specification_and_more_on_its_line_outside_brackets_gets_no_valof_hint(source, expected):
    assert first_error(source) == expected
