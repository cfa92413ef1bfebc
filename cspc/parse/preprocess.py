"""The preprocessor: occ21's ``#`` directives, a line at a time, before scanning.

Each file's text goes through :meth:`Preprocessor.run` before it is scanned:

* ``#IF`` / ``#ELIF`` / ``#ELSE`` / ``#ENDIF`` keep or drop the lines between
  them, on a condition made of ``DEFINED (NAME)``, ``NOT``, ``AND``, ``OR``,
  ``TRUE``, ``FALSE``, names given a value by ``#DEFINE``, integers, strings,
  ``=``, ``<>``, ``<``, ``>``, ``<=``, ``>=`` and parentheses.  As in occam,
  operators have no precedence: a condition mixing them needs parentheses.
* ``#DEFINE NAME [value]`` and ``#UNDEF NAME``; a value is an integer, a
  string, ``TRUE`` or ``FALSE``.  Definitions hold for the rest of the
  compilation, in every file included after them (one :class:`Preprocessor`
  serves a whole compilation).
* ``#COMMENT``, ``#RELAX`` and ``#OPTION`` are accepted; ``#WARNING "text"``
  adds a warning and ``#ERROR "text"`` stops the compilation.
* ``#INCLUDE`` / ``#USE``: the file is read at once (through the ``include``
  callback), so that what it defines counts in the rest of this file, as in
  occ21.  Inside a block, its lines are spliced in at the directive's
  indentation, so that it may hold processes as well as specifications; each
  line keeps its :class:`Origin` for messages.  At the top level the
  directive stays for the parser.

A dropped line or a directive becomes an empty line, so line numbers stay
right.  Tabs in a line's indentation are expanded to the next multiple of 8
columns, as occ21 reads them (:func:`cspc.diagnostics.expand_indentation`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

from cspc.diagnostics import CompileError, Diagnostic, Span, expand_indentation
from cspc.parse.literals import BadEscape, decode_occam_text

__all__ = ["PREDEFINED", "Origin", "Preprocessed", "Preprocessor"]

Value = Union[bool, int, str, None]  # None: defined, with no value

# The names cspc defines before a compilation starts.  occ21 also defines
# TARGET.CANONICAL, TARGET.CPU, TARGET.OS, VERSION, OCCAM2.5, MOBILES and the
# like, which describe its own build; cspc leaves them undefined.
PREDEFINED: dict[str, Value] = {
    "COMPILER.CSPC": None,
    "TARGET.BITS.PER.WORD": 32,
    "TARGET.BYTES.PER.WORD": 4,
    "INITIAL.DECL": None,
}

@dataclass(frozen=True)
class Origin:
    """Where a line of the text the parser sees came from: a file's own line,
    or one spliced in by an #INCLUDE inside a block."""

    file: str
    line: int
    offset: int  # columns added in front of it (the indentation of the #INCLUDE)
    chain: tuple  # the spans of the #INCLUDE sites that led to it, outermost first


@dataclass
class Preprocessed:
    """A file's text after the directives; ``origins`` (one per line) when
    another file's lines were spliced in, else None (every line is its own)."""

    text: str
    origins: Optional[list[Origin]]


# Called for each #INCLUDE or #USE met (directive, file name, where): the lines
# to splice in place of the directive, each with its origin, or None to leave
# the directive for the parser.
IncludeHook = Callable[[str, str, Span], Optional[list[tuple[str, Origin]]]]

_DIRECTIVE = re.compile(r"#([A-Za-z]+)")
_HEX_ONLY = re.compile(r"[0-9A-Fa-f]+")
# A string's runs of plain characters are matched atomically (the lookahead and
# back-reference), so a line of millions of them costs no backtracking state.
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"[^"*\n]*(?:\*.[^"*\n]*)*")  # runs between escapes: linear, as in scanner.py
      | (?P<hex>\#[0-9A-Fa-f]+)
      | (?P<int>[0-9]+)
      | (?P<name>[A-Za-z][A-Za-z0-9._]*)
      | (?P<op><>|<=|>=|[=<>()])
      | (?P<comment>--.*)
      | (?P<bad>\S)
    )""",
    re.X,
)
_RELATIONS = {"=", "<>", "<", ">", "<=", ">="}
_KNOWN = {"IF", "ELIF", "ELSE", "ENDIF", "DEFINE", "UNDEF", "COMMENT", "RELAX", "OPTION", "WARNING", "ERROR",
          "INCLUDE", "USE", "PRAGMA"}
_NOT_SUPPORTED = {"IMPORT": "#IMPORT", "SC": "#SC", "NETWORK": "#NETWORK"}


# occ21's #OPTION letters that cspc honours: A, no alias checks; N, no
# parallel-usage checks (what a program gives up by asking is its own business).
HONOURED_OPTIONS = {"A": "alias checks off", "N": "parallel-usage checks off"}


@dataclass
class _Branch:
    """One open #IF: is the current part kept, was some part kept, where it began."""

    keeping: bool
    kept_one: bool
    span: Span
    after_else: bool = False
    outer_active: bool = True


@dataclass
class _Token:
    kind: str
    text: str
    col: int  # 1-based, in the line


@dataclass
class Preprocessor:
    """Runs every file of one compilation through the directives, sharing its definitions."""

    defines: dict[str, Value] = field(default_factory=lambda: dict(PREDEFINED))
    warnings: list[Diagnostic] = field(default_factory=list)
    options: set[str] = field(default_factory=set)  # the HONOURED_OPTIONS an #OPTION gave

    def run(self, text: str, filename: str, include: Optional[IncludeHook] = None) -> Preprocessed:
        """``text`` with its directives done: kept lines as they were (tabs in
        their indentation expanded), other lines emptied, and the lines of any
        file ``include`` splices in put in place of its directive."""
        if "#" not in text and "\t" not in text:
            return Preprocessed(text, None)
        out: list[str] = []
        origins: Optional[list[Origin]] = None  # made at the first splice
        branches: list[_Branch] = []
        for number, line in enumerate(text.split("\n"), start=1):
            line = expand_indentation(line)
            body = line.lstrip(" \t")
            indent = line[: len(line) - len(body)]
            active = not branches or (branches[-1].keeping and branches[-1].outer_active)
            directive = _DIRECTIVE.match(body) if body.startswith("#") else None
            word = directive.group(1) if directive is not None else None
            kept = ""
            if word is None or _HEX_ONLY.fullmatch(word):
                kept = line if active else ""
            elif word in ("IF", "ELIF", "ELSE", "ENDIF") or active:
                where = _Where(filename, number, len(indent) + 1, body)
                if word in ("IF", "ELIF", "ELSE", "ENDIF"):
                    self._conditional(word, where, branches, active)
                elif word not in ("INCLUDE", "USE", "PRAGMA"):
                    self._directive(word, where)
                else:
                    kept = line
                    found = _include_name(where, len(word) + 1) if word != "PRAGMA" and include else None
                    spliced = include("#" + word, found[0], where.span(0, found[1])) if found else None
                    if spliced is not None:
                        if origins is None:
                            origins = [Origin(filename, n, 0, ()) for n in range(1, len(out) + 1)]
                        for spliced_line, origin in spliced:
                            out.append(indent + spliced_line if spliced_line else "")
                            origins.append(Origin(origin.file, origin.line, origin.offset + len(indent), origin.chain))
                        continue
            out.append(kept)
            if origins is not None:
                origins.append(Origin(filename, number, 0, ()))
        if branches:
            raise CompileError.at(branches[-1].span, "this #IF has no #ENDIF")
        return Preprocessed("\n".join(out), origins)

    # ---- #IF and friends
    def _conditional(self, word: str, where: "_Where", branches: list[_Branch], active: bool) -> None:
        span = where.span(0, len(word) + 1)
        if word == "IF":
            keep = self._condition(where, len("#IF")) if active else False
            branches.append(_Branch(keep, keep, span, outer_active=active))
            return
        if not branches:
            raise CompileError.at(span, f"#{word} without #IF")
        top = branches[-1]
        if top.after_else and word != "ENDIF":
            raise CompileError.at(span, f"#{word} after #ELSE (an #IF has one #ELSE, at its end)")
        if word == "ENDIF":
            where.no_more(len("#ENDIF"))
            branches.pop()
        elif word == "ELSE":
            where.no_more(len("#ELSE"))
            top.keeping, top.after_else = not top.kept_one, True
        else:  # ELIF
            keep = not top.kept_one and top.outer_active and self._condition(where, len("#ELIF"))
            top.keeping = keep
            top.kept_one = top.kept_one or keep

    def _condition(self, where: "_Where", start: int) -> bool:
        tokens = where.tokens(start)
        if not tokens:
            raise CompileError.at(where.span(0, start), f"{where.body[:start]} needs a condition")
        value, rest = _Condition(self.defines, where, tokens).parse()
        if not isinstance(value, bool):
            raise CompileError.at(where.span(tokens[0].col - 1, len(where.body)),
                                  "this condition is not TRUE or FALSE (compare it, or use DEFINED (NAME))")
        return value

    # ---- the other directives
    def _directive(self, word: str, where: "_Where") -> None:
        span = where.span(0, len(word) + 1)
        if word in ("DEFINE", "UNDEF"):
            tokens = where.tokens(len(word) + 1)
            if not tokens or tokens[0].kind != "name":
                raise CompileError.at(span, f"#{word} needs a name")
            name = tokens[0].text
            if word == "UNDEF":
                if len(tokens) > 1:
                    raise where.unexpected(tokens[1])
                self.defines.pop(name, None)
                return
            value = _define_value(where, tokens[1:])
            if name in self.defines and self.defines[name] != value:
                raise CompileError.at(span, f"`{name}' is already defined, as {_shown(self.defines[name])} "
                                            f"(#UNDEF it first)")
            self.defines[name] = value
        elif word == "OPTION":
            self._option(where, span)
        elif word in ("COMMENT", "RELAX"):
            return  # no effect in cspc; see docs/language.md
        elif word in ("WARNING", "ERROR"):
            message = _message(where, len(word) + 1)
            if word == "ERROR":
                raise CompileError.at(span, f"#ERROR {message}")
            self.warnings.append(Diagnostic("warning", f"#WARNING {message}", span))
        elif word in _NOT_SUPPORTED:
            raise CompileError.at(span, f"`{_NOT_SUPPORTED[word]}' is not supported")
        else:
            raise CompileError.at(span, f"unknown directive `#{word}' (cspc knows "
                                        f"{', '.join('#' + k for k in sorted(_KNOWN))})")


    def _option(self, where: "_Where", span: Span) -> None:
        """`#OPTION "AN"': occ21's command-line letters.  A turns the alias
        checks off and N the parallel-usage checks; the others have no
        meaning for cspc and are ignored with a warning."""
        letters = _message(where, len("OPTION") + 1)
        for letter in letters.upper():
            if letter in HONOURED_OPTIONS:
                self.options.add(letter)
            elif not letter.isspace():
                self.warnings.append(Diagnostic("warning", f"#OPTION \"{letter}\" means nothing to cspc; ignored", span))


@dataclass
class _Where:
    """A directive line: its file, number, first column and text (from the `#')."""

    filename: str
    line: int
    col: int
    body: str

    def span(self, start: int, end: int) -> Span:
        return Span(self.filename, self.line, self.col + start, self.line, self.col + max(end, start + 1))

    def tokens(self, start: int) -> list[_Token]:
        found = []
        pos = start
        while pos < len(self.body):
            m = _TOKEN.match(self.body, pos)
            if m is None or m.end() == pos:
                break
            kind = m.lastgroup
            if kind == "comment":
                break
            found.append(_Token(kind, m.group(kind), self.col + m.start(kind)))
            pos = m.end()
        return found

    def no_more(self, start: int) -> None:
        rest = self.tokens(start)
        if rest:
            raise self.unexpected(rest[0])

    def unexpected(self, token: _Token) -> CompileError:
        col = token.col - self.col
        return CompileError.at(self.span(col, col + len(token.text)), f"unexpected `{token.text}' in a directive")


def _include_name(where: _Where, start: int) -> Optional[tuple[str, int]]:
    """The file an #INCLUDE or #USE names, and where its string ends (an
    offset in the directive), or None: the parser says what is wrong."""
    tokens = where.tokens(start)
    if len(tokens) != 1 or tokens[0].kind != "string":
        return None
    string = tokens[0]
    try:
        name = decode_occam_text(string.text[1:-1]).decode("utf-8", errors="replace")
    except BadEscape:
        return None
    return name, string.col - where.col + len(string.text)


def _string_value(where: _Where, token: _Token) -> str:
    try:
        return decode_occam_text(token.text[1:-1]).decode("utf-8", errors="replace")
    except BadEscape as bad:
        col = token.col - where.col + 1 + bad.offset
        raise CompileError.at(where.span(col, col + len(bad.escape)),
                              bad.message or f"unknown escape `{bad.escape}' in a string") from None


def _define_value(where: _Where, tokens: list[_Token]) -> Value:
    if not tokens:
        return None
    if len(tokens) > 1:
        raise where.unexpected(tokens[1])
    token = tokens[0]
    if token.kind == "int":
        return int(token.text)
    if token.kind == "hex":
        return int(token.text[1:], 16)
    if token.kind == "string":
        return _string_value(where, token)
    if token.text in ("TRUE", "FALSE"):
        return token.text == "TRUE"
    col = token.col - where.col
    raise CompileError.at(where.span(col, col + len(token.text)),
                          "a #DEFINE value is an integer, a string, TRUE or FALSE")


def _message(where: _Where, start: int) -> str:
    tokens = where.tokens(start)
    if len(tokens) == 1 and tokens[0].kind == "string":
        return _string_value(where, tokens[0])
    return where.body[start:].strip()


def _shown(value: Value) -> str:
    if value is None:
        return "a name with no value"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


class _Condition:
    """A recursive-descent reader of one #IF condition, evaluating as it reads."""

    def __init__(self, defines: dict[str, Value], where: _Where, tokens: list[_Token]):
        self.defines, self.where, self.tokens, self.pos = defines, where, tokens, 0

    def parse(self) -> tuple[Value, int]:
        value = self.expression()
        if self.pos < len(self.tokens):
            raise self.where.unexpected(self.tokens[self.pos])
        return value, self.pos

    def peek(self) -> Optional[_Token]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, text: Optional[str] = None) -> _Token:
        token = self.peek()
        if token is None:
            end = len(self.where.body)
            raise CompileError.at(self.where.span(end, end + 1), "this condition ends too soon")
        if text is not None and token.text != text:
            raise CompileError.at(self.token_span(token), f"expected `{text}' here")
        self.pos += 1
        return token

    def token_span(self, token: _Token) -> Span:
        col = token.col - self.where.col
        return self.where.span(col, col + len(token.text))

    def expression(self) -> Value:
        first = self.peek()
        if first is not None and first.text == "NOT":
            self.take()
            return not self.boolean(self.operand(), first)
        left = self.operand()
        op = self.peek()
        if op is None or op.text == ")":
            return left
        if op.text in ("AND", "OR"):
            value = self.boolean(left, first)
            while self.peek() is not None and self.peek().text in ("AND", "OR"):
                if self.peek().text != op.text:
                    raise CompileError.at(self.token_span(self.peek()),
                                          "AND and OR mixed: put parentheses round one of them")
                self.take()
                right_token = self.peek()
                right = self.boolean(self.operand(), right_token)
                value = (value and right) if op.text == "AND" else (value or right)
            return value
        if op.text in _RELATIONS:
            self.take()
            right_token = self.peek()
            right = self.operand()
            return self.compare(op, left, right, first, right_token)
        raise self.where.unexpected(op)

    def boolean(self, value: Value, token: Optional[_Token]) -> bool:
        if not isinstance(value, bool):
            span = self.token_span(token) if token is not None else self.where.span(0, 1)
            raise CompileError.at(span, "AND, OR and NOT take TRUE or FALSE")
        return value

    def compare(self, op: _Token, left: Value, right: Value, left_token, right_token) -> bool:
        kinds = {type(left), type(right)}
        if len(kinds) != 1 or None in (left, right) or (op.text not in ("=", "<>") and kinds != {int}):
            raise CompileError.at(self.token_span(op),
                                  f"cannot compare {_shown(left)} with {_shown(right)} using `{op.text}'")
        return {
            "=": left == right, "<>": left != right, "<": left < right,
            ">": left > right, "<=": left <= right, ">=": left >= right,
        }[op.text]

    def operand(self) -> Value:
        token = self.take()
        if token.text == "(":
            value = self.expression()
            self.take(")")
            return value
        if token.text in ("TRUE", "FALSE"):
            return token.text == "TRUE"
        if token.text == "DEFINED":
            self.take("(")
            name = self.take()
            if name.kind != "name":
                raise CompileError.at(self.token_span(name), "DEFINED takes a name")
            self.take(")")
            return name.text in self.defines
        if token.kind == "int":
            return int(token.text)
        if token.kind == "hex":
            return int(token.text[1:], 16)
        if token.kind == "string":
            return _string_value(self.where, token)
        if token.kind == "name":
            if token.text not in self.defines:
                raise CompileError.at(self.token_span(token),
                                      f"`{token.text}' is not defined (DEFINED ({token.text}) tests whether it is)")
            value = self.defines[token.text]
            if value is None:
                raise CompileError.at(self.token_span(token),
                                      f"`{token.text}' is defined with no value (DEFINED ({token.text}) tests it)")
            return value
        raise self.where.unexpected(token)
