"""A Pygments lexer for occam 2.1 and occam-pi, for MkDocs, Sphinx and Jupyter.

Installed as the entry point ``pygments.lexers: occam``, so once cspc is
installed ``pygmentize -l occam``, a fenced ```` ```occam ```` block under
MkDocs' ``pymdownx.highlight`` or ``codehilite``, and nbconvert all find it
by name.  Its word lists mirror the grammar's keywords
(``grammar/occam.lark``); ``tests/test_pygments_lexer.py`` checks that every
keyword there has a class here.

Colouring follows occam's own token classes: keywords (``SEQ``, ``PROC``),
types (``INT``, ``CHAN``), operator words (``AND``, ``PLUS``, ``SIZE``),
``TRUE``/``FALSE``; strings and characters with occam's ``*n``-style escapes
(``*#FF`` by code, a string continued over lines by a ``*`` at each end);
``--`` comments; integers, ``#FF`` hex, reals; and compiler directives
(``#INCLUDE``, ``#USE``, ``#PRAGMA``, ``#IF`` ...).
"""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups, include
from pygments.token import (
    Comment, Error, Keyword, Name, Number, Operator, Punctuation, String, Whitespace,
)  # fmt: skip

__all__ = ["OccamLexer"]

KEYWORDS = frozenset("""
    ALT AT CASE CLAIM CLONE DATA ELSE ENROLL EXTENDS FOR FORK FORKING FROM FUNCTION IF IMPLEMENTS IN
    INITIAL INLINE IS MOBILE OF PACKED PAR PLACE PLACED PRI PROC PROCESSOR PROTOCOL REC RECORD RECURSIVE RESHAPES
    RESIGN RESULT RETYPES SEQ SHARED SKIP STEP STOP SUSPEND SYNC TYPE VAL VALOF VECSPACE WHILE WORKSPACE
""".split())
TYPES = frozenset("ANY BARRIER BOOL BYTE CHAN INT INT16 INT32 INT64 PORT REAL32 REAL64 TIMER".split())
OPERATOR_WORDS = frozenset("""
    AFTER AND BITAND BITNOT BITOR BYTESIN DEFINED MINUS MOSTNEG MOSTPOS NOT OFFSETOF OR PLUS REM ROUND
    SIZE TIMES TRUNC
""".split())
CONSTANTS = frozenset({"TRUE", "FALSE"})
DIRECTIVES = (
    "INCLUDE", "USE", "PRAGMA", "IF", "ELIF", "ELSE", "ENDIF", "DEFINE", "UNDEF", "WARNING", "ERROR",
    "OPTION", "COMMENT", "RELAX", "IMPORT",
)  # fmt: skip

_NAME = r"[A-Za-z][A-Za-z0-9._]*"
_NOT_NAME = r"(?![A-Za-z0-9._])"


def _word(lexer, match):
    """A word is a keyword, a type, an operator, a constant or a name."""
    word = match.group()
    if word in KEYWORDS:
        token = Keyword
    elif word in TYPES:
        token = Keyword.Type
    elif word in OPERATOR_WORDS:
        token = Operator.Word
    elif word in CONSTANTS:
        token = Keyword.Constant
    else:
        token = Name
    yield match.start(), token, word


class OccamLexer(RegexLexer):
    """occam 2.1 and occam-pi, as cspc reads them."""

    name = "occam"
    aliases = ["occam", "csp"]
    filenames = ["*.csp", "*.occ", "*.inc", "*.module"]
    mimetypes = ["text/x-occam"]
    url = "https://en.wikipedia.org/wiki/Occam_(programming_language)"

    tokens = {
        "root": [
            (r"[ \t\r\n]+", Whitespace),
            (r"--[^\n]*", Comment.Single),
            (r"#(?:%s)%s" % ("|".join(DIRECTIVES), _NOT_NAME), Comment.Preproc),
            (r"(PROC|FUNCTION)([ \t]+)(?!TYPE%s)(%s)" % (_NOT_NAME, _NAME),
             bygroups(Keyword, Whitespace, Name.Function)),  # fmt: skip
            (_NAME, _word),
            (r"[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?", Number.Float),
            (r"#[0-9A-Fa-f]+", Number.Hex),
            (r"[0-9]+", Number.Integer),
            (r'"', String.Double, "string"),
            (r"'(?:[^'*\n]|\*#[0-9A-Fa-f]{2}|\*[^\n])'", String.Char),
            (r":=|::|<>|<=|>=|<<|>>|><|/\\|\\/|\?\?|[-+*/\\<>=!?&~^@%|$]", Operator),
            (r"[()\[\];:,]", Punctuation),
        ],
        "string": [
            (r'[^"*\n]+', String.Double),
            include("escape"),
            (r'"', String.Double, "#pop"),
            (r"\n", Error, "#pop"),  # an unterminated string: the rest of the line was it
        ],
        "escape": [
            (r"\*#[0-9A-Fa-f]{2}", String.Escape),
            (r"\*[ \t]*\r?\n[ \t]*\*", String.Escape),  # a string continued on the next line
            (r"\*[^\n]", String.Escape),
        ],
    }

    def analyse_text(text):  # noqa: N805 -- Pygments makes it a static method
        """Likely occam (for a *.inc or *.module, which other languages use too):
        a PROC heading, an #INCLUDE or a #USE at a line's start."""
        if re.search(r"^\s*(?:PROC [A-Za-z][A-Za-z0-9.]* \(|#INCLUDE \"|#USE \")", text, re.M):
            return 0.6
        return 0.0
