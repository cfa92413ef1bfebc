"""The scanner: occam text -> Lark tokens, in one regular-expression pass.

The grammar's terminals (``grammar/occam.lark``) are written out here as one
regular expression.  This hand-made scanner does what Lark's general lexer
would do with occam.lark, in about half the time;
``tests/test_parse_grammar.py`` checks that the two agree on every example
and on random text.  Keywords and punctuation get their terminal names from
the grammar itself, so a keyword added there needs no change here.
"""

from __future__ import annotations

import re
from typing import Iterator

from lark import Token
from lark.lexer import Lexer

__all__ = ["OccamLexer", "ScanError"]

SCANNER = re.compile(
    r"""
      (?P<_NL>(?:--[^\n]*)?(?:\r?\n[ \t]*(?:--[^\n]*)?)+)
    | (?P<SPACE>[ \t]+)
    | (?P<WORD>[A-Za-z][A-Za-z0-9._]*)
    | (?P<REAL>[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?)
    | (?P<INTEGER>[0-9]+)
    | (?P<PRAGMA>\#PRAGMA[^\n]*)
    | (?P<DIRECTIVE>\#INCLUDE|\#USE)
    | (?P<HEX>\#[0-9A-Fa-f]+)
    | (?P<STRING>"[^"*\n]*(?:(?:\*[^\n]|\*[ \t]*\r?\n[ \t]*\*)[^"*\n]*)*")  # as in occam.lark
    | (?P<BYTE_LIT>'(?:[^'*\n]|\*\#[0-9A-Fa-f]{2}|\*[^\n])')
    | (?P<SYMBOL>:=|::|<>|<=|>=|<<|>>|><|/\\|\\/|\?\?|@@|\$\$|%%|==|!!|\+\+|&&|<%|%>|<&|&>|<\]|\[>|<@|@>|[-+*/\\<>=:;,!?&()\[\]~|%^@])
    """,
    re.X,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9._]*")


class ScanError(Exception):
    """A character that starts no token: the character, line, column."""

    def __init__(self, char: str, line: int, col: int):
        super().__init__(char)
        self.char, self.line, self.col = char, line, col


class OccamLexer(Lexer):
    """Lark lexer for occam: one regular-expression scan; keyword and symbol
    token names come from the grammar's terminals."""

    def __init__(self, lexer_conf):
        self.words: dict[str, str] = {}  # keyword -> terminal name
        self.symbols: dict[str, str] = {}  # punctuation, operator or directive -> terminal name
        for term in lexer_conf.terminals:
            if term.pattern.type == "str":
                table = self.words if _WORD.fullmatch(term.pattern.value) else self.symbols
                table[term.pattern.value] = term.name

    def lex(self, text: str) -> Iterator[Token]:  # Lark's custom-lexer interface 0: the whole text
        words, symbols, scan = self.words, self.symbols, SCANNER.match
        pos, line, line_start, end = 0, 1, 0, len(text)
        while pos < end:
            match = scan(text, pos)
            if match is None:
                raise ScanError(text[pos], line, pos - line_start + 1)
            kind, next_pos = match.lastgroup, match.end()
            if kind == "SPACE":
                pos = next_pos
                continue
            value = match.group()
            if kind == "WORD":
                kind = words.get(value, "NAME")
            elif kind == "SYMBOL" or kind == "DIRECTIVE":
                kind = symbols[value]
            col = pos - line_start + 1
            newlines = value.count("\n") if kind == "_NL" or kind == "STRING" else 0
            if newlines:
                last_newline = text.rfind("\n", pos, next_pos)
                yield Token(kind, value, pos, line, col, line + newlines, next_pos - last_newline, next_pos)
                line, line_start = line + newlines, last_newline + 1
            else:
                yield Token(kind, value, pos, line, col, line, col + len(value), next_pos)
            pos = next_pos
