"""The Pygments lexer for occam: each token class, no Error token over every
example and library file, and Pygments finding it by name and by file name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pygments = pytest.importorskip("pygments")
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename  # noqa: E402
from pygments.token import (  # noqa: E402
    Comment, Error, Keyword, Name, Number, Operator, Punctuation, String, Whitespace,
)  # fmt: skip

from cspc.pygments_lexer import CONSTANTS, KEYWORDS, OPERATOR_WORDS, TYPES, OccamLexer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

SAMPLE = """\
#INCLUDE "course.module"
--* Doubles: VAL INT X IS #FF:
PROC double (CHAN INT in?, CHAN REAL64 out!)
  WHILE TRUE
    INT x:
    SEQ
      in ? x
      out ! REAL64 ROUND (x * 2) + 1.5E+3
      screen ! '*n'
      out.string ("a*"b*#41*n", 0, screen!)
:
"""


def tokens(text: str) -> list[tuple[object, str]]:
    """The tokens of ``text``, whitespace left out."""
    return [(t, v) for t, v in OccamLexer().get_tokens(text) if t is not Whitespace]


def test_each_token_class():
    found = tokens(SAMPLE)
    assert found[:2] == [(Comment.Preproc, "#INCLUDE"), (String.Double, '"')]
    assert (Comment.Single, "--* Doubles: VAL INT X IS #FF:") in found
    assert found[found.index((Keyword, "PROC")) + 1] == (Name.Function, "double")
    assert (Keyword, "WHILE") in found and (Keyword, "SEQ") in found
    assert (Keyword.Type, "INT") in found and (Keyword.Type, "CHAN") in found and (Keyword.Type, "REAL64") in found
    assert (Keyword.Constant, "TRUE") in found
    assert (Operator.Word, "ROUND") in found
    assert (Operator, "?") in found and (Operator, "!") in found and (Operator, "*") in found
    assert (Number.Integer, "2") in found and (Number.Float, "1.5E+3") in found
    assert (String.Char, "'*n'") in found
    assert (Name, "out.string") in found and (Name, "x") in found
    assert (Punctuation, "(") in found and (Punctuation, ":") in found
    string = found[found.index((Name, "out.string")) + 2:][:7]
    assert string == [
        (String.Double, '"'), (String.Double, "a"), (String.Escape, '*"'), (String.Double, "b"),
        (String.Escape, "*#41"), (String.Escape, "*n"), (String.Double, '"'),
    ]  # fmt: skip
    assert not any(t is Error for t, _ in found)


def test_hex_directives_and_continued_strings():
    found = tokens('#IF DEFINED (X)\nVAL INT m IS #FF BITAND #0F:\n#ENDIF\nVAL s IS "ab*\n    *cd":\n')
    assert found[0] == (Comment.Preproc, "#IF") and (Operator.Word, "DEFINED") in found
    assert (Number.Hex, "#FF") in found and (Number.Hex, "#0F") in found and (Operator.Word, "BITAND") in found
    assert (Comment.Preproc, "#ENDIF") in found
    assert (String.Escape, "*\n    *") in found and (String.Double, "cd") in found


def test_proc_type_is_a_keyword_not_a_procs_name():
    found = tokens("PROC TYPE P IS (CHAN INT c!):\n")
    assert found[:3] == [(Keyword, "PROC"), (Keyword, "TYPE"), (Name, "P")]


def test_an_unterminated_string_is_an_error_token_and_lexing_goes_on():
    found = tokens('x := "abc\nSKIP\n')
    assert (Error, "\n") in found and found[-1] == (Keyword, "SKIP")


def occam_files() -> list[Path]:
    lib = ROOT / "cspc" / "lib"
    return sorted(
        [*ROOT.glob("examples/**/*.csp"), *ROOT.glob("examples/**/*.inc"), *lib.glob("*.module"), *lib.glob("*.inc")]
    )


@pytest.mark.parametrize("path", occam_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_error_token_in_any_example_or_library_file(path):
    text = path.read_text()
    errors = [v for t, v in OccamLexer().get_tokens(text) if t is Error]
    assert errors == []
    assert "".join(v for _, v in OccamLexer().get_tokens(text)) == text.rstrip("\n") + "\n"


def test_every_keyword_of_the_grammar_has_a_class():
    grammar = (ROOT / "grammar" / "occam.lark").read_text()
    words = set(re.findall(r'"([A-Z][A-Z0-9.]*)"', grammar))
    assert words - (KEYWORDS | TYPES | OPERATOR_WORDS | CONSTANTS) == set()


def test_pygments_finds_it_through_the_entry_point():
    assert type(get_lexer_by_name("occam")) is OccamLexer
    assert type(get_lexer_by_name("csp")) is OccamLexer
    assert type(get_lexer_for_filename("prog.csp")) is OccamLexer
    assert type(get_lexer_for_filename("prog.occ")) is OccamLexer
    course = (ROOT / "cspc" / "lib" / "course.module").read_text()
    assert type(get_lexer_for_filename("course.module", code=course)) is OccamLexer
