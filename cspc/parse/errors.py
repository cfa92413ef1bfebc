"""A failed parse, told in the user's words.

:func:`parse_or_fail` runs the parser on one text; whatever stops it (the
scanner, the layout postlexer, Lark's LALR parser or the AST builder) comes
out as a :class:`ParseFailed`, a :class:`~cspc.diagnostics.CompileError`
that also says what kind of problem it is, for error recovery
(:mod:`cspc.parse.recovery`).

An unexpected token is described plainly ("unexpected `)'; expected an
expression"), from the token and the terminals the parser would have
accepted.  Some errors deserve better words: those are *labelled* from
example bad inputs, as Lark's ``UnexpectedInput.match_examples`` does (see
Lark's ``examples/advanced/error_reporting_lalr.py``), so a message is chosen
by what the input looks like, not by conditionals over the parser's
internals or over other messages.  :data:`EXAMPLES` is the table.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from typing import Callable

from lark import Token
from lark.exceptions import UnexpectedInput, UnexpectedToken

from cspc import syntax as S
from cspc.diagnostics import SOURCES, TAB_SIZE, CompileError, Diagnostic, Span
from cspc.parse import lalr
from cspc.parse.builder import ToAST
from cspc.parse.layout import LayoutError
from cspc.parse.scanner import ScanError

__all__ = ["EXAMPLES", "Label", "ParseFailed", "label_of", "parse_or_fail"]


class ParseFailed(CompileError):
    """A text that does not parse: its first problem, and what kind it is.

    ``about_layout``: a problem with lines and blocks, after which parsing
    on (by skipping a line) would say little about what follows.
    ``wants_block``: the parser wanted an indented block here, which skipping
    an earlier line can cause.
    """

    def __init__(self, diagnostic: Diagnostic, *, about_layout: bool = False, wants_block: bool = False):
        super().__init__(diagnostic)
        self.about_layout = about_layout
        self.wants_block = wants_block

    @property
    def diagnostic(self) -> Diagnostic:
        return self.diagnostics[0]


def parse_or_fail(builder: ToAST, text: str) -> list:
    """Parse ``text`` into AST nodes, or raise :class:`ParseFailed` with the first problem."""
    filename = builder.filename
    try:
        return lalr.parse_into(builder, text)
    except LayoutError as err:
        span = Span(filename, err.line, err.col, err.line, err.col + 1)
        message = err.message
        if SOURCES.indented_with_tab(filename, err.line):
            message += f"; a tab in indentation counts as {TAB_SIZE} columns"
        raise ParseFailed(Diagnostic("error", message, span), about_layout=True) from None
    except ScanError as err:
        raise ParseFailed(_bad_character(err, filename, text)) from None
    except UnexpectedToken as err:
        raise _unexpected_token(err, filename, text) from None
    except CompileError as err:  # the builder's: a bad escape, a parameter without a type, ...
        raise ParseFailed(err.diagnostics[0]) from None


# --------------------------------------------------------------------------- characters

# A character that starts no token, named by what it most likely began.
_BAD_CHARACTERS = {
    '"': "unterminated string (a string ends on its line unless continued with `*')",
    "'": "bad byte literal: write one character or escape in quotes, like 'a' or '*n'",
    "#": "unknown directive or bad hex number after `#'",
}


def _bad_character(err: ScanError, filename: str, text: str) -> Diagnostic:
    if err.char == "#":
        lines = text.splitlines()
        rest = lines[err.line - 1][err.col - 1 :] if 1 <= err.line <= len(lines) else ""
        directive = _DIRECTIVE.match(rest)
        if directive:
            word = directive.group()
            span = Span(filename, err.line, err.col, err.line, err.col + len(word))
            return Diagnostic("error", f"a directive begins its own line: `{word}' cannot follow other text", span)
    shown = err.char if err.char.isprintable() else f"*#{ord(err.char):02X}"
    message = _BAD_CHARACTERS.get(err.char, f"unexpected character `{shown}'")
    return Diagnostic("error", message, Span(filename, err.line, err.col, err.line, err.col + 1))


# --------------------------------------------------------------------------- unexpected tokens

# Tokens that close lines and blocks: an error about one of them is about layout.
_LAYOUT_TOKENS = frozenset({"_INDENT", "_DEDENT", "$END"})


def _unexpected_token(err: UnexpectedToken, filename: str, text: str) -> ParseFailed:
    token = err.token
    unsupported = _unsupported(text, token, filename)
    if unsupported is not None:
        return ParseFailed(unsupported)
    keys = {_token_key(name) for name in (err.accepts or err.expected)}
    plain = f"unexpected {_describe_token(token)}"
    expected = _describe_expected(keys)
    if expected:
        plain = f"{plain}; {expected}"
    label = label_of(err)
    if label is SPEC_THEN_VALOF and not _inside_brackets(text, token):
        label = None  # `INT r : x := 1' on a line of its own: the same parser state
    message = label.message(plain) if label else plain
    hint = _MISPLACED.get(token.value) if token.type != "NAME" and "SKIP" in keys else None  # where a process goes
    hint = hint or _keyword_hint(text, token)
    if hint:
        message = f"{message} ({hint})"
    return ParseFailed(
        Diagnostic("error", message, _token_span(token, filename, text)),
        about_layout=token.type in _LAYOUT_TOKENS,
        # A precedence error is about the line itself, whatever would follow it.
        wants_block="_INDENT" in keys and label is not PRECEDENCE,
    )


@functools.cache
def _keywords() -> frozenset[str]:
    """occam's keywords: the grammar's terminals spelt in capitals."""
    return frozenset(
        t.pattern.value
        for t in lalr.parser().terminals
        if t.pattern.type == "str" and t.pattern.value.isalpha() and t.pattern.value.isupper()
    )


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.]*")
# Keywords that begin a line; a lower-case `size' or `from' is more likely a name.
_LINE_KEYWORDS = frozenset(
    "SEQ PAR PRI IF WHILE ALT CASE SKIP STOP PROC FUNCTION VAL INITIAL PROTOCOL DATA CHAN "
    "TIMER BARRIER INT INT16 INT32 INT64 BYTE BOOL REAL32 REAL64 VALOF RESULT".split()
)


def _keyword_hint(text: str, token: Token) -> str | None:
    """What the first word of the failing line probably meant: a keyword in
    lower case (`seq'), or a misspelt one (`WHILLE').  Only the first word: a
    name like `size' further on is more likely a variable than a slip."""
    if token.type == "$END" or not getattr(token, "line", None):
        return None
    lines = text.splitlines()
    if not 1 <= token.line <= len(lines):
        return None
    line = lines[token.line - 1][: token.end_column if token.type != "_NL" else None]
    keywords = _keywords()
    first = _WORD.match(line.lstrip())
    word = first.group() if first else ""
    if not word or word in keywords:
        return None
    if word.upper() in _LINE_KEYWORDS:
        return f"occam keywords are upper case: `{word}' should be {word.upper()}"
    if word.isupper() and len(word) > 2:
        close = difflib.get_close_matches(word, sorted(keywords), n=1, cutoff=0.8)
        if close:
            return f"`{word}' is not a keyword: did you mean {close[0]}?"
    return None


# occam 2.1 and occam-pi constructs cspc does not read yet, by the word that
# begins them: a program using one fails to parse, at or just after the word,
# and is told so instead of being given a syntax error.
UNSUPPORTED = {
    "PLACED": "placement",
    "PORT": "placement",
}
_UNSUPPORTED_PAIRS: dict[tuple[str, str], str] = {}  # two-word constructs not read yet (none now)
_SUPPORTED_PAIRS = {("PLACED", "PAR")}  # read, though their first word alone is not
# Keywords that belong in one construct only, met elsewhere: what they are for.
_MISPLACED = {"PROCESSOR": "`PROCESSOR n' begins a branch of a PLACED PAR, and only there"}
_QUOTED = re.compile(r'"(?:[^"*]|\*.)*"?|\'(?:[^\'*]|\*.)*\'?')  # blanked out: not code
_DIRECTIVE = re.compile(r"#(?:IF|ELIF|ELSE|ENDIF|DEFINE|UNDEF|ERROR|WARNING|RELAX|COMMENT|OPTION)\b")


def _unsupported(text: str, token: Token, filename: str) -> Diagnostic | None:
    """A "not supported yet" error if the failing line, up to the token the
    parser did not expect, holds a construct cspc does not read yet."""
    if token.type == "$END" or not getattr(token, "line", None):
        return None
    lines = text.splitlines()
    if not 1 <= token.line <= len(lines):
        return None
    line = _QUOTED.sub(lambda m: " " * len(m.group()), lines[token.line - 1]).split("--")[0]
    upto = len(line) if token.type in _LAYOUT_TOKENS or token.type == "_NL" else token.end_column - 1
    found = None
    words = list(_WORD.finditer(line[:upto]))
    for i, m in enumerate(words):
        pair = (m.group(), words[i + 1].group()) if i + 1 < len(words) else None
        if pair in _UNSUPPORTED_PAIRS:
            found = (" ".join(pair), _UNSUPPORTED_PAIRS[pair], m.start(), words[i + 1].end())
            break
        if pair in _SUPPORTED_PAIRS:
            continue
        if m.group() in UNSUPPORTED:
            found = (m.group(), UNSUPPORTED[m.group()], m.start(), m.end())
            break
    if found is None:
        return None
    word, what, start, end = found
    span = Span(filename, token.line, start + 1, token.line, end + 1)
    return Diagnostic("error", f"`{word}' is not supported yet ({what})", span)


_LITERALS = re.compile(r'"(?:\*.|[^"*])*"|\'(?:\*.|[^\'*])\'|--.*')


def _inside_brackets(text: str, token: Token) -> bool:
    """Is ``token`` inside a bracket opened earlier on its line (strings,
    characters and comments left out)?"""
    if token.type == "$END" or not token.line:
        return False
    lines = text.splitlines()
    if token.line > len(lines):
        return False
    before = _LITERALS.sub("", lines[token.line - 1][: token.column - 1])
    return before.count("(") > before.count(")")


def _token_span(token: Token, filename: str, text: str) -> Span:
    """Where the message points: the token, or the end of the text for end of file."""
    if token.type == "$END":
        line, col = _end_of_text(text)
        return Span(filename, line, col, line, col + 1)
    line, col = token.line, token.column
    end_col = token.end_column if token.end_line == line and token.type != "_NL" else col + 1
    return Span(filename, line, col, line, end_col)


def _end_of_text(text: str) -> tuple[int, int]:
    """Line and column just after the last non-blank character of ``text``."""
    body = text.rstrip()
    line = body.count("\n") + 1
    return line, len(body) - (body.rfind("\n") + 1) + 1


# How a token the parser did not expect is named in a message.
_TOKEN_WORDS = {
    "_NL": "end of line",
    "_INDENT": "indentation",
    "_DEDENT": "end of block",
    "$END": "end of file",
}

# How an expected terminal is named; keywords and punctuation are quoted as written.
_EXPECTED_WORDS = {
    "_NL": "end of line",
    "_INDENT": "an indented block (2 more spaces)",
    "_DEDENT": "end of block",
    "$END": "end of file",
    "NAME": "a name",
    "INTEGER": "a number",
    "HEX": "a number",
    "REAL": "a number",
    "STRING": "a string",
    "BYTE_LIT": "a byte literal",
    "PRAGMA": "#PRAGMA",
    "PRI": "`PRI'",
    "PACKED": "`PACKED'",
}

# When the parser expects many things, they are summed up in a word.  Each
# group is (word, tokens whose presence means the group applies, every token
# the word stands for); tokens are named by their text, or by terminal name
# for the ones with no fixed text.
_DYADIC_OPERATORS = frozenset(
    """+ - * / \\ REM PLUS MINUS TIMES /\\ \\/ >< BITAND BITOR << >> AND OR = <> < > <= >=
    AFTER""".split()
) | S.USER_OPERATORS
_TYPE_WORDS = frozenset("INT INT16 INT32 INT64 BYTE BOOL REAL32 REAL64 CHAN SHARED TIMER BARRIER MOBILE [ NAME".split())
_EXPRESSION_WORDS = _TYPE_WORDS | frozenset(
    "INTEGER HEX REAL STRING BYTE_LIT ( TRUE FALSE MOSTPOS MOSTNEG NOT SIZE BYTESIN OFFSETOF CLONE DEFINED BITNOT ~ - MINUS".split()
) | S.USER_OPERATORS
_SPEC_WORDS = _TYPE_WORDS | frozenset(
    "PROC VAL PROTOCOL DATA INITIAL RESULT RECURSIVE REC INLINE PRAGMA #INCLUDE #USE FUNCTION PLACE".split()
    # (a FUNCTION's results are read as an assignment's targets, which may start with a string)
    + ["STRING"]
)
_PROCESS_WORDS = (
    _SPEC_WORDS | _EXPRESSION_WORDS | frozenset("SKIP STOP SEQ PAR PRI PLACED IF WHILE CASE ALT SYNC CLAIM".split())
)
_GROUPS = [
    ("a process", {"SKIP", "SEQ", "WHILE"}, _PROCESS_WORDS),
    ("a declaration", {"PROC", "VAL", "PROTOCOL"}, _SPEC_WORDS),
    ("an operator", {"+", "REM", "AND", "<>"}, _DYADIC_OPERATORS),
    ("an expression", {"INTEGER", "NAME", "(", "NOT"}, _EXPRESSION_WORDS),
    ("a type", {"INT", "CHAN", "TIMER"}, _TYPE_WORDS),
]


def _token_key(name: str) -> str:
    """A terminal's text for keywords and punctuation, else its name."""
    try:
        term = lalr.parser().get_terminal(name)
    except KeyError:
        return name
    return term.pattern.value if term.pattern.type == "str" else name


def _describe_token(token: Token) -> str:
    if token.type in _TOKEN_WORDS:
        return _TOKEN_WORDS[token.type]
    if token.type == "NAME":
        return f"name `{token.value}'"
    if token.type in ("INTEGER", "HEX", "REAL"):
        return f"number {token.value}"
    if token.type == "STRING":
        return "string"
    if token.type == "BYTE_LIT":
        return f"byte literal {token.value}"
    return f"`{token.value}'"


_ROUTINE_KINDS = frozenset({"INLINE", "RECURSIVE", "REC"})


# What may follow a DATA TYPE's name in a conversion (`MYINT x', `MYREAL ROUND y').
_CONVERSION_OPERAND = frozenset("NAME INTEGER HEX REAL STRING BYTE_LIT TRUE FALSE ROUND TRUNC".split())


def _describe_expected(keys: set[str]) -> str:
    """`expected a process or end of block' from the expected tokens' keys."""
    # Marks only the postlexer makes, from what follows: the `!' of an end type
    # `LINK! x' and the commas of a list `(a, b)'; the user writes `!' and `,'.
    keys = keys - {"END_MARK", "_LIST_COMMA"}
    if {"ROUND", "+"} <= keys:  # after a name, which might be a type's (`T x'): its operand is no news
        keys = keys - _CONVERSION_OPERAND
    words = []
    for word, trigger, members in _GROUPS:
        if trigger <= keys:
            words.append(word)
            keys = keys - members
    if "FUNCTION" in keys or "PROC" in keys:  # `INT RECURSIVE FUNCTION': the keyword is news enough
        keys = keys - _ROUTINE_KINDS
    if {":", "IS"} <= keys:  # after `INT x': the colon matters, not `CHAN INT c? IS in?'
        keys = keys - {"?", "!"}
    if "IS" in keys:  # `VAL INT x IS': RETYPES is the rarer spelling
        keys = keys - {"RETYPES", "RESHAPES"}
    if "?" in keys:  # after a channel: the extended input `??' is the rarer input
        keys = keys - {"??"}
    # The comma of a bracketed list `(a, b)', which the postlexer marks only
    # when the bracket closes on its line: no help where one does not.
    keys = keys - {"_LIST_COMMA"}
    words += sorted({_EXPECTED_WORDS.get(k, f"`{k}'") for k in keys})
    if not words:
        return ""
    if len(words) > 6:
        return "expected " + ", ".join(words[:6]) + ", ..."
    if len(words) == 1:
        return "expected " + words[0]
    return "expected " + ", ".join(words[:-1]) + " or " + words[-1]


# --------------------------------------------------------------------------- labels from examples


@dataclass(frozen=True)
class Label:
    """A kind of syntax error that deserves its own words."""

    name: str
    rewrite: Callable[[str], str]  # the plain message -> this label's message

    def message(self, plain: str) -> str:
        return self.rewrite(plain)


PLAIN = Label("plain", lambda plain: plain)
PRECEDENCE = Label(
    "operator precedence",
    lambda plain: "occam has no operator precedence: add parentheses to show which operator applies first",
)
OUTSIDE_PROC = Label("process outside a PROC", lambda plain: plain + " (a process must be inside a PROC)")
TWO_PROCESSES = Label(
    "two processes in a row",
    lambda plain: plain + " (two processes in a row need a SEQ or PAR above them)",
)

SPEC_THEN_VALOF = Label(
    "specification in brackets without a VALOF",
    lambda plain: plain + " (in brackets, a specification is followed by a VALOF on the lines below "
                          "it, as in occam 2.1 and KRoC: `(VAL INT x IS e :', `VALOF', `RESULT x + 1)', "
                          "each on its own line; there is no one-line `(spec : expression)')",
)


def _in_proc(*lines: str, heading: str = "PROC p ()") -> str:
    """A PROC whose body is ``lines`` (indented one level)."""
    return heading + "\n" + "".join(f"  {line}\n" for line in lines) + ":\n"


# A PROC with parameters leaves the parser in other states than one without.
_HEADINGS = ("PROC p ()", "PROC p (CHAN INT c?)")


# Expressions that are complete, so no operator may follow them: a dyadic or
# monadic expression, a conversion, MOSTPOS/MOSTNEG.  Each is a PROC's body,
# with {} where the operator goes; a conversion starting a line is read in
# other parser states (it might be a declaration, or an IF or ALT condition).
_COMPLETE_EXPRESSIONS = [
    ("x := a + b {} c",),
    ("x := - a {} b",),
    ("x := INT a {} b",),
    ("x := REAL32 ROUND a {} b",),
    ("x := MOSTPOS INT {} 2",),
    ("x := MOSTNEG INT {} 2",),
    ("IF", "  INT a {} b", "    SKIP"),
    ("INT a {} b",),
]
# The same states with a token that is not an operator, where one fails there.
_INCOMPLETE_DECLARATIONS = [
    ("INT a",),  # `INT a' then end of line: the declaration lacks its `:'
    ("IF", "  INT a c", "    SKIP"),
    ("x := MOSTPOS INT SKIP",),
    ("x := MOSTNEG INT SKIP",),
]
_AT_TOP_LEVEL = ("", "VAL INT n IS 1:\n")  # the two parser states at the top of a file
# A whole process, then (at the same indentation) the start of another.
_FIRST_PROCESSES = [
    ("x := 1",), ("SKIP",), ("STOP",), ("c ! 1",), ("c ? x",), ("p ()",), ("p (x)",),
    ("SEQ", "  SKIP"), ("PAR", "  SKIP"), ("WHILE TRUE", "  SKIP"), ("IF", "  TRUE", "    SKIP"),
    ("ALT", "  c ? x", "    SKIP"), ("CASE x", "  1", "    SKIP"),
]  # fmt: skip
_NEXT_PROCESSES = ["x", "SKIP", "STOP", "SEQ", "PAR", "IF", "WHILE", "ALT", "CASE", "PRI"]
_LEADS = [(), ("INT x:",)]  # the first process alone, or after a declaration
_PROCESS_KEYWORDS = ("SKIP", "STOP", "SEQ", "PAR", "IF", "WHILE", "ALT", "CASE")

# `(VAL INT y IS 1 : y + 1)': a specification, then an expression on its line.
_SPECS_IN_BRACKETS = ("VAL INT y IS 1 :", "VAL y IS 1 :", "INT r :", "INT r IS s :", "[2]INT r :")
_AFTER_SPEC = ("y", "1", "(y)", "- y", "NOT y", "TRUE", "SIZE y", "[1, 2]", "'a'", '"ab"')

# Each label, with example programs that show it.  An error is given the label
# of an example that failed in the same parser state (the two LALR states on
# top of the stack: what was just read, and what it is part of).  Where a
# label fits only some tokens of a state, its examples show each of those
# tokens: an example failing on the very same token wins, and otherwise the
# first example in the same state does, so PLAIN, listed first, speaks for
# every other token.
EXAMPLES: dict[Label, list[str]] = {
    PLAIN: [
        *(_in_proc(*lines) for lines in _INCOMPLETE_DECLARATIONS),
        *(f"{top}:= 1\n" for top in _AT_TOP_LEVEL),  # at the top, only a process keyword gets the hint
        *(
            _in_proc(*lead, *first, ":= 2", heading=heading)
            for heading in _HEADINGS
            for lead in _LEADS
            for first in _FIRST_PROCESSES
        ),
    ],
    PRECEDENCE: [
        _in_proc(*lines).replace("{}", operator)
        for lines in _COMPLETE_EXPRESSIONS
        for operator in sorted(_DYADIC_OPERATORS)
    ]
    + [  # a chain of AND (or of OR) alone is legal; any other operator after it is not
        _in_proc(f"x := {chain}".replace("{}", operator))
        for chain_op in ("AND", "OR")
        for chain in (f"a {chain_op} b {{}} c", f"a {chain_op} b {chain_op} c {{}} d")
        for operator in sorted(_DYADIC_OPERATORS - {chain_op})
    ],
    OUTSIDE_PROC: [f"{top}{keyword}\n  SKIP\n" for top in _AT_TOP_LEVEL for keyword in _PROCESS_KEYWORDS],
    SPEC_THEN_VALOF: [
        _in_proc(f"x := ({spec} {after})") for spec in _SPECS_IN_BRACKETS for after in _AFTER_SPEC
    ],
    TWO_PROCESSES: [
        _in_proc(*lead, *first, f"{second} := 2" if second == "x" else second, heading=heading)
        for heading in _HEADINGS
        for lead in _LEADS
        for first in _FIRST_PROCESSES
        for second in _NEXT_PROCESSES
    ],
}


def label_of(err: UnexpectedToken) -> Label | None:
    """The label of the example that fails like ``err``, or None."""
    err.state = _state_key(err.state)
    # Accepted tokens are not compared: they depend on the context around an
    # expression (`)' inside parentheses, end of line after an assignment),
    # while what the label says does not.
    # A name fails like an example's name whatever it is called: tokens of the same
    # type match, after an exact match and before another token of the state.
    return err.match_examples(
        _fail_like_example, EXAMPLES, use_accepts=False, token_type_match_fallback=True
    )


def _state_key(state) -> tuple:
    """The part of Lark's parser state that examples are matched on.

    Lark compares the stack's depth too, which would tie an example to one
    depth of nesting; the top two states say what was just read and where.
    """
    return tuple(state.state_stack[-2:]) if hasattr(state, "state_stack") else state


def _fail_like_example(text: str) -> None:
    """The parse function for match_examples: raise the error ``text`` fails with."""
    err = _example_error(text)
    if err is not None:
        raise err


@functools.cache
def _example_error(text: str) -> UnexpectedInput | None:
    """How an example fails (each is parsed once per process)."""
    try:
        lalr.parse_into(ToAST("<example>"), text)
    except UnexpectedInput as err:
        err.state = _state_key(err.state)
        return err
    return None
