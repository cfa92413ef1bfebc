"""The Lark LALR parser, built once per process, reducing straight into a builder.

:func:`parser` loads ``grammar/occam.lark`` with the scanner
(:mod:`cspc.parse.scanner`) and the layout postlexer
(:mod:`cspc.parse.layout`).  The parser calls :class:`_Callbacks` as it
reduces each rule; they filter the rule's children as Lark would, compute
its span and hand both to the :class:`~cspc.parse.builder.ToAST` method of
the same name.  :func:`parse_into` runs it on one text: a failure comes out
as the raw exception (``LayoutError``, ``ScanError``, Lark's
``UnexpectedToken``, or the builder's ``CompileError``), which
:mod:`cspc.parse.errors` puts into words.
"""

from __future__ import annotations

import os
import threading

from lark import Lark, Token, Tree

from cspc import syntax as S
from cspc.diagnostics import InternalError, Span
from cspc.parse.builder import ToAST
from cspc.parse.layout import Layout
from cspc.parse.scanner import OccamLexer

__all__ = ["parse_into", "parser"]

_PARSER: Lark | None = None


def parser() -> Lark:
    """The Lark parser, built once per process."""
    global _PARSER
    if _PARSER is None:
        from cspc.grammar import grammar_text

        _PARSER = Lark(
            grammar_text(),
            parser="lalr",
            lexer=OccamLexer,
            postlex=Layout(),
            maybe_placeholders=False,
            keep_all_tokens=True,  # keywords' positions go into spans; _Callbacks filters
            transformer=_Callbacks(),
            cache=_cache_file(),
        )
    return _PARSER


def _cache_file() -> str | bool:
    """A per-user cache for the parse tables (lark checks the grammar's hash)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "cspc")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    return os.path.join(folder, "occam-grammar.lark-cache")


# Tokens that carry a value into the AST; every other token (keywords,
# punctuation, layout) only contributes its position to the rule's span.
_VALUE_TOKENS = frozenset({"NAME", "INTEGER", "HEX", "REAL", "STRING", "BYTE_LIT", "PRAGMA", "PRI", "PACKED", "MOBILE", "RETYPES", "RESHAPES", "WORKSPACE", "VECSPACE", "SHARED", "END_MARK"})
# Rules written `!rule' in the grammar: their keyword tokens are their value.
_TOKEN_RULES = frozenset({"primitive_type", "size_element", "monadic_op", "dyadic_op", "direction", "round_mode",
                          "extended_tagged_guard", "extended_case_guard"})
_LAYOUT = frozenset({"_NL", "_INDENT", "_DEDENT"})


def _start_of(item):
    """(line, column) where a child of a rule starts, or None (layout, empty)."""
    if isinstance(item, Token):
        return None if item.type in _LAYOUT else (item.line, item.column)
    if isinstance(item, S.Node):
        span = item.span
        return (span.line, span.col) if span.line else None
    if isinstance(item, list):
        for x in item:
            found = _start_of(x)
            if found:
                return found
    return None


def _end_of(item):
    """(line, column) just after a child of a rule, or None (layout, empty)."""
    if isinstance(item, Token):
        return None if item.type in _LAYOUT else (item.end_line, item.end_column)
    if isinstance(item, S.Node):
        span = item.span
        return (span.end_line, span.end_col) if span.line else None
    if isinstance(item, list):
        for x in reversed(item):
            found = _end_of(x)
            if found:
                return found
    return None


def _span_of(children: list, filename: str) -> Span:
    start = end = None
    for child in children:
        start = _start_of(child)
        if start:
            break
    else:
        return Span(filename, 0, 0)  # nothing but layout: an empty rule
    for child in reversed(children):
        end = _end_of(child)
        if end:
            break
    return Span(filename, start[0], start[1], end[0], end[1])


class _Callbacks:
    """The parser's reduce callbacks: each filters a rule's children the way Lark
    would, computes the rule's span, and calls the :class:`ToAST` method of the
    builder for the file being parsed (``_CURRENT.builder``)."""

    def __getattr__(self, rule: str):
        method = getattr(ToAST, rule, None)
        if method is None or rule.startswith("_"):
            raise AttributeError(rule)
        keep_all = rule in _TOKEN_RULES

        def reduce(children):
            builder = _CURRENT.builder
            span = _span_of(children, builder.filename)
            if not keep_all:
                children = [c for c in children if type(c) is not Token or c.type in _VALUE_TOKENS]
            return method(builder, span, children)

        return reduce

    def __default__(self, data, children, meta):
        if data.startswith("_"):  # an inlined rule: Lark splices its children into the parent
            return Tree(data, children)
        raise InternalError(f"parser: no AST rule for grammar rule {data!r}")


_CURRENT = threading.local()



def current_builder() -> ToAST | None:
    """The builder of the file being parsed on this thread (None outside a parse)."""
    return getattr(_CURRENT, "builder", None)


def parse_into(builder: ToAST, text: str) -> list:
    """Parse ``text`` straight into AST nodes built by ``builder``."""
    saved = getattr(_CURRENT, "builder", None)  # parsing can nest (an include read while parsing)
    _CURRENT.builder = builder
    try:
        return parser().parse(text)
    finally:
        _CURRENT.builder = saved
