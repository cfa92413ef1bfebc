"""Whatever text comes in, the front end answers with an AST or a CompileError:
never a Python traceback (an InternalError or any other exception is a bug)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cspc.diagnostics import CompileError
from cspc.parse import parse_text

VALID = """\
#PRAGMA COMMENT "x"
VAL INT n IS 10:
PROTOCOL P
  CASE
    data; INT::[]BYTE
    stop
:
DATA TYPE POINT
  RECORD
    INT x, y:
:
INT, INT FUNCTION dm (VAL INT a, b)
  VALOF
    SKIP
    RESULT a / b, a \\ b
:
INT FUNCTION sq (VAL INT x) IS x * x:
PROC main (CHAN BYTE keyboard?, screen!, error!)
  [n]INT a:
  CHAN INT c:
  TIMER tim:
  INT t, x:
  SEQ
    SEQ i = 0 FOR n
      a[i] := (i * 3) - #FF
    PAR
      c ! sq (2)
      c ? x
    tim ? t
    ALT
      (x > 0) & keyboard ? x
        SKIP
      tim ? AFTER t PLUS 100
        SKIP
    IF
      x = 0
        screen ! 'a'
      TRUE
        CASE x
          1, 2
            [a FROM 0 FOR 2] := [a FROM 2 FOR 2]
          ELSE
            x, t := t, x
    WHILE x < 10
      x := x + 1
:
"""

# Characters and fragments occam text is made of, so random text gets deep.
FRAGMENTS = [
    "SEQ", "PAR", "IF", "ALT", "WHILE", "CASE", "PROC", "VAL", "INT", "CHAN", "SKIP", "STOP", "IS",
    "FOR", "FROM", ":=", ":", "::", "?", "!", ";", ",", "&", "(", ")", "[", "]", "+", "-", "*", "/",
    "\\", "/\\", "<>", "<", ">", "=", "AFTER", "TRUE", "x", "c", "out.int", "1", "#FF", "1.5",
    "'a'", "'*n'", '"s*n"', '"', "'", "*", "--", "\n", "\n  ", "\n    ", "  ", " ", "\t", "#INCLUDE",
    "#USE", "#PRAGMA", "RESULT", "VALOF", "FUNCTION", "PROTOCOL", "DATA TYPE", "RECORD", "é", "\r\n",
]

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def only_compile_errors(text: str) -> None:
    try:
        parse_text(text, "fuzz.csp")
    except CompileError as err:
        assert err.diagnostics, "a CompileError must carry a diagnostic"
        for d in err.diagnostics:
            assert d.span.file == "fuzz.csp"
            assert "__ANON" not in d.message and "_NL" not in d.message and "$END" not in d.message


def test_the_seed_program_parses():
    parse_text(VALID, "fuzz.csp")


@FAST
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(" ".join))
def test_random_token_soup(text):
    only_compile_errors(text)


@FAST
@given(st.text(max_size=200))
def test_random_characters(text):
    only_compile_errors(text)


@st.composite
def mutated(draw):
    text = VALID
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "duplicate", "swap_lines"]))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)):]
        elif kind == "insert":
            text = text[:at] + draw(st.sampled_from(FRAGMENTS)) + text[at:]
        elif kind == "duplicate":
            text = text[:at] + text[at:at + draw(st.integers(1, 30))] + text[at:]
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 2))
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
            text = "\n".join(lines)
    return text


@FAST
@given(mutated())
def test_mutated_valid_program(text):
    only_compile_errors(text)

