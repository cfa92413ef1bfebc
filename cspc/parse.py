"""The front end: occam text -> :class:`cspc.syntax.Program`.

Pipeline, one small step each:

1. :func:`_check_tabs` rejects tab characters in indentation (every line, so
   one run reports them all).
2. Lark's LALR parser reads ``grammar/occam.lark``; :class:`Layout`, the
   postlexer, turns line breaks into ``_NL``/``_INDENT``/``_DEDENT`` (exactly
   2 spaces per level) and joins continued lines.
3. :class:`ToAST` builds the AST as the parser reduces (one method per rule,
   no Lark tree in between; :class:`_Callbacks` is the glue).
4. :class:`_Includer` splices in ``#INCLUDE``/``#USE`` files: resolved
   against the including file's folder, then ``include_paths``, then cspc's
   bundled library (``cspc/lib``); ``"x.lib"`` also finds ``x.module``.

Errors are :class:`~cspc.diagnostics.CompileError`.  When a parse fails, the
file is split at its top-level declarations and each part is parsed on its
own, so one run reports the first error of every PROC (see
:func:`_parse_errors_per_chunk`).

Decisions about the AST (see also ``cspc/syntax.py``):

* Hex literals keep their raw unsigned value (``#FFFFFFFF`` is 4294967295)
  with ``Literal.hex = True``; the checks wrap it into the target type.
* Strings are ``Literal("string", bytes)`` with escapes decoded (UTF-8 for
  non-ASCII characters); byte literals are ``Literal("byte", int)``; reals
  keep their decimal text; ``TRUE``/``FALSE`` are ``Literal("bool", bool)``.
* ``-1`` is ``Unary("-", Literal(1))``.
* A shared formal type (``VAL INT a, b``) gives each Param the same Type node,
  as a declaration ``INT a, b:`` shares one type between its names.
* ``#PRAGMA`` lines become :class:`~cspc.syntax.Pragma` specifications; an
  unknown pragma adds a warning to ``Program.warnings``.
* An included file is read once per compilation: a second ``#INCLUDE`` or
  ``#USE`` of the same file adds nothing (like an include guard).
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Sequence

from lark import Lark, Token, Tree
from lark.lexer import Lexer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from cspc import syntax as S
from cspc.diagnostics import SOURCES, CompileError, Diagnostic, InternalError, Span

__all__ = ["parse_text", "parse_file", "KNOWN_PRAGMAS", "INDENT_STEP"]

INDENT_STEP = 2

# Pragmas cspc acts on (or knowingly accepts); any other is ignored with a warning.
# PYTHON "module:function" binds the next PROC/FUNCTION to Python (see cspc/codegen.py).
KNOWN_PRAGMAS = frozenset({"PYTHON"})


# --------------------------------------------------------------------------- grammar


_PARSER: Lark | None = None


def _parser() -> Lark:
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


# --------------------------------------------------------------------------- tokens


# The grammar's terminals as one regular expression.  This hand-made scanner
# does what Lark's general lexer would do with occam.lark, in about half the
# time; tests/test_parse_grammar.py checks that the two agree.
_SCANNER = re.compile(
    r"""
      (?P<_NL>(?:--[^\n]*)?(?:\r?\n[ \t]*(?:--[^\n]*)?)+)
    | (?P<SPACE>[ \t]+)
    | (?P<WORD>[A-Za-z][A-Za-z0-9._]*)
    | (?P<REAL>[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?)
    | (?P<INTEGER>[0-9]+)
    | (?P<PRAGMA>\#PRAGMA[^\n]*)
    | (?P<DIRECTIVE>\#INCLUDE|\#USE)
    | (?P<HEX>\#[0-9A-Fa-f]+)
    | (?P<STRING>"(?:[^"*\n]|\*\#[0-9A-Fa-f]{2}|\*[^\n]|\*[ \t]*\r?\n[ \t]*\*)*")
    | (?P<BYTE_LIT>'(?:[^'*\n]|\*\#[0-9A-Fa-f]{2}|\*[^\n])')
    | (?P<SYMBOL>:=|::|<>|<=|>=|<<|>>|><|/\\|\\/|[-+*/\\<>=:;,!?&()\[\]~])
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
        words, symbols, scan = self.words, self.symbols, _SCANNER.match
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


# --------------------------------------------------------------------------- layout


class LayoutError(Exception):
    """A layout problem found by the postlexer: message, line, column (1-based)."""

    def __init__(self, message: str, line: int, col: int):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


# A line ending with one of these continues on the next line.
_CONTINUES_LINE = frozenset(""", ; := :: & IS FROM FOR + - * / \\ REM PLUS MINUS TIMES /\\ \\/ >< BITAND BITOR
    << >> AND OR = <> < > <= >= AFTER""".split())
_OPENERS = frozenset({"LPAR", "LSQB"})
_CLOSERS = frozenset({"RPAR", "RSQB"})


class Layout:
    """Postlexer: line breaks and indentation become _NL, _INDENT and _DEDENT.

    occam's rule is strict: a nested block is indented by exactly two spaces,
    and a line that goes back out must land on an enclosing block's column.
    A line break inside brackets, or after an operator, comma, `;', `:=' or
    IS, is a continuation: it produces no tokens at all.
    """

    always_accept = ("_NL",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        levels = [0]
        depth = 0
        previous: Token | None = None  # the last token passed on
        last_real: Token | None = None  # the last token that is not layout
        for token in stream:
            if token.type == "_NL":
                if previous is None:  # blank lines and comments before the first token
                    continue
                if depth > 0 or previous.value in _CONTINUES_LINE:
                    continue
                yield token
                yield from self._indentation(token, levels)
                previous = token
                continue
            if last_real is None and token.column != 1:
                raise LayoutError(
                    "the first line is indented, but it is not inside anything (start it in column 1)",
                    token.line,
                    token.column,
                )
            if token.type in _OPENERS:
                depth += 1
            elif token.type in _CLOSERS:
                depth = max(depth - 1, 0)
            previous = last_real = token
            yield token
        if last_real is None:
            return
        # End of file: close the last line and every open block, at the end of
        # the last token (so an "unexpected end of file" points there).
        line, col = last_real.end_line, last_real.end_column
        if previous.type != "_NL":
            yield _layout_token("_NL", "", last_real, line, col)
        while len(levels) > 1:
            levels.pop()
            yield _layout_token("_DEDENT", "", last_real, line, col)

    @staticmethod
    def _indentation(token: Token, levels: list[int]) -> Iterator[Token]:
        indent = len(_last_line(token))
        line = token.end_line
        col = indent + 1
        if indent > levels[-1]:
            if indent != levels[-1] + INDENT_STEP:
                raise LayoutError(
                    f"indentation must grow by exactly {INDENT_STEP} spaces "
                    f"(this line is indented {indent - levels[-1]} more than the block it is in)",
                    line,
                    col,
                )
            levels.append(indent)
            yield _layout_token("_INDENT", "", token, line, col)
            return
        while indent < levels[-1]:
            levels.pop()
            yield _layout_token("_DEDENT", "", token, line, col)
        if indent != levels[-1]:
            raise LayoutError(
                f"this line's indentation ({indent} spaces) matches no enclosing block "
                f"(indent by {INDENT_STEP} spaces per level)",
                line,
                col,
            )


def _last_line(nl_token: Token) -> str:
    """The indentation that an _NL token leaves behind (text after its last newline)."""
    return nl_token.value.rsplit("\n", 1)[-1]


def _layout_token(kind: str, value: str, borrow: Token, line: int, col: int) -> Token:
    # Never an empty value: Lark takes an empty token for "no token" when it
    # places the end-of-file marker.
    tok = Token.new_borrow_pos(kind, value or kind, borrow)
    tok.line, tok.column, tok.end_line, tok.end_column = line, col, line, col
    return tok


_TAB_IN_INDENT = re.compile(r"^[ ]*\t", re.M)


def _check_tabs(text: str, filename: str) -> list[Diagnostic]:
    problems = []
    for match in _TAB_IN_INDENT.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        col = match.end() - match.start()
        problems.append(
            Diagnostic(
                "error",
                "tab character in indentation: occam indents with 2 spaces per level",
                Span(filename, line, col, line, col + 1),
            )
        )
    return problems


# --------------------------------------------------------------------------- literals


_ESCAPES = {"n": 10, "c": 13, "t": 9, "s": 32, "*": 42, '"': 34, "'": 39}
_STRING_PIECE = re.compile(r"\*[ \t]*\r?\n[ \t]*\*|\*#[0-9A-Fa-f]{2}|\*.|[^*]+", re.S)


class _BadEscape(Exception):
    def __init__(self, escape: str, offset: int):
        self.escape, self.offset = escape, offset


def decode_occam_text(body: str) -> bytes:
    """Decode the inside of a string or byte literal (escapes, continuations)."""
    out = bytearray()
    for match in _STRING_PIECE.finditer(body):
        piece = match.group()
        if piece.startswith("*") and len(piece) > 1:
            if "\n" in piece:
                continue  # a string continued on the next line
            if piece[1] == "#" and len(piece) == 4:  # *#hh; a bare *# is a bad escape
                out.append(int(piece[2:], 16))
            elif piece[1] in _ESCAPES:
                out.append(_ESCAPES[piece[1]])
            elif piece[1].lower() in _ESCAPES:  # *N, *C, *T, *S are accepted too
                out.append(_ESCAPES[piece[1].lower()])
            else:
                raise _BadEscape(piece, match.start())
        elif piece == "*":
            raise _BadEscape(piece, match.start())
        else:
            out += piece.encode("utf-8")
    return bytes(out)


# --------------------------------------------------------------------------- tree -> AST


@dataclass(eq=False)
class _Include(S.Spec):
    """An #INCLUDE/#USE directive before it is resolved (never leaves this module)."""

    path: str
    directive: str  # "#INCLUDE" or "#USE"


def _is_spec(x) -> bool:
    return isinstance(x, S.Spec)


class ToAST:
    """One method per grammar rule (or alias): ``method(span, children)`` returns
    an AST node or a list.  ``children`` are the rule's values (sub-results and
    named tokens, as Lark would pass them); ``span`` covers all of the rule's
    text, keywords included.  Called by the parser as it reduces (see
    :class:`_Callbacks`), so no parse tree is ever built."""

    def __init__(self, filename: str):
        self.filename = filename
        self.warnings: list[Diagnostic] = []

    # ---- helpers
    def _tok_span(self, tok: Token) -> Span:
        return Span(self.filename, tok.line, tok.column, tok.end_line, tok.end_column)

    # ---- program
    def start(self, span, children):
        return list(children)

    def include(self, span, children):
        return _Include(self._string_path(children[0]), "#INCLUDE", span=span)

    def use(self, span, children):
        return _Include(self._string_path(children[0]), "#USE", span=span)

    def _string_path(self, tok: Token) -> str:
        return self._decode(tok, tok.value[1:-1]).decode("utf-8", errors="replace")

    def pragma(self, span, children):
        text = children[0].value[len("#PRAGMA") :].strip()
        name, _, args = text.partition(" ")
        if not name:
            raise CompileError.at(span, "#PRAGMA needs a name")
        if name not in KNOWN_PRAGMAS:
            self.warnings.append(Diagnostic("warning", f"#PRAGMA {name} is not known to cspc; ignored", span))
        return S.Pragma(name, args.strip(), span=span)

    # ---- specifications
    def declaration(self, span, children):
        type_, names = children
        return S.VarDecl(type_, names, span=span)

    def name_list(self, span, children):
        return list(children)

    def val_abbreviation(self, span, children):
        return self._abbreviation("VAL", span, children)

    def ref_abbreviation(self, span, children):
        return self._abbreviation("REF", span, children)

    def initial_abbreviation(self, span, children):
        return self._abbreviation("INITIAL", span, children)

    def _abbreviation(self, mode, span, children):
        *type_, name, value = children
        return S.Abbreviation(mode, type_[0] if type_ else None, name, value, span=span)

    def recursive(self, span, children):
        return True

    def operand(self, span, children):
        (inner,) = children  # `( expression )': the parentheses belong to its span
        inner.span = span
        return inner

    def proc_decl(self, span, children):
        recursive = children[0] is True
        if recursive:
            children = children[1:]
        name, *rest = children
        body = rest[-1]
        params = rest[0] if len(rest) == 2 else []
        return S.ProcDecl(name, params, body, recursive=recursive, span=span)

    def formals(self, span, children):
        params = []
        for param in children:
            if param.type is None:  # a name sharing the type of the formal before it
                if not params:
                    raise CompileError.at(param.span, f"parameter `{param.name.name}' needs a type")
                param.mode, param.type = params[-1].mode, params[-1].type
            params.append(param)
        return params

    def val_formal(self, span, children):
        type_, name = children
        return S.Param("VAL", type_, name, span=span)

    def ref_formal(self, span, children):
        type_, name, *direction = children
        return S.Param("REF", type_, name, direction[0] if direction else None, span=span)

    def shared_formal(self, span, children):
        name, *direction = children
        return S.Param(None, None, name, direction[0] if direction else None, span=span)

    def direction(self, span, children):
        return children[0].value

    def function_is(self, span, children):
        results, name, *rest = children
        params = rest[0] if len(rest) == 2 else []
        return S.FunctionDecl(results, name, params, rest[-1], span=span)

    def function_valof(self, span, children):
        return self.function_is(span, children)

    def result_types(self, span, children):
        return list(children)

    def valof(self, span, children):
        *specs, body, results = children
        return S.Valof(specs, body, results, span=span)

    def protocol_sequential(self, span, children):
        name, items = children
        return S.ProtocolDecl(name, items=items, span=span)

    def sequential_protocol(self, span, children):
        return list(children)

    def counted_protocol(self, span, children):
        count, elem = children
        return S.CountedArray(count, elem, span=span)

    def protocol_variant(self, span, children):
        name, *tags = children
        return S.ProtocolDecl(name, tags=tags[0] if tags else [], span=span)

    def tag_block(self, span, children):
        return list(children)

    def tag(self, span, children):
        name, *items = children
        return S.Tag(name, items, span=span)

    def data_type_alias(self, span, children):
        name, alias = children
        return S.DataTypeDecl(name, alias=alias, span=span)

    def data_type_record(self, span, children):
        name, *rest = children
        packed = bool(rest) and isinstance(rest[0], Token)
        if packed:
            rest = rest[1:]
        fields = [f for group in rest for f in group]
        return S.DataTypeDecl(name, fields=fields, packed=packed, span=span)

    def field_decl(self, span, children):
        type_, names = children
        return [S.Field(type_, name, span=name.span) for name in names]

    # ---- types
    def primitive_type(self, span, children):
        return S.PrimType(children[0].value, span=span)

    def named_type(self, span, children):
        return S.NamedType(children[0], span=span)

    def array_type(self, span, children):
        size, elem = children
        return S.ArrayType(size, elem, span=span)

    def open_array_type(self, span, children):
        return S.ArrayType(None, children[0], span=span)

    def chan_type(self, span, children):
        return S.ChanType(children[0], span=span)

    def timer_type(self, span, children):
        return S.TimerType(span=span)

    def barrier_type(self, span, children):
        return S.BarrierType(span=span)

    def any_protocol(self, span, children):
        return S.AnyProtocol(span=span)

    # ---- processes
    def specified(self, span, children):
        *specs, body = children
        return S.Specified(specs, body, span=span)

    def skip(self, span, children):
        return S.Skip(span=span)

    def stop(self, span, children):
        return S.Stop(span=span)

    def assignment(self, span, children):
        *targets, values = children
        return S.Assign(targets, values, span=span)

    def output(self, span, children):
        chan, *items = children
        return S.Output(chan, items, span=span)

    def input(self, span, children):
        chan, *items = children
        return S.Input(chan, items, span=span)

    input_guard = input

    def counted_item(self, span, children):
        count, array = children
        return S.CountedItem(count, array, span=span)

    def delay(self, span, children):
        timer, time = children
        return S.Delay(timer, time, span=span)

    delay_guard = delay

    def case_input(self, span, children):
        chan, *variants = children
        return S.CaseInput(chan, variants, span=span)

    def tagged_input(self, span, children):
        chan, tag, *items = children
        variant = S.Variant([], tag, items, S.Skip(span=span), span=span)
        return S.CaseInput(chan, [variant], span=span)

    def variant(self, span, children):
        specs = [c for c in children if _is_spec(c)]
        tag, *items, body = children[len(specs) :]
        return S.Variant(specs, tag, items, body, span=span)

    def proc_call(self, span, children):
        name, *args = children
        return S.ProcCall(name, args[0] if args else [], span=span)

    def actuals(self, span, children):
        return list(children)

    def chan_end_in(self, span, children):
        return S.ChanEnd(children[0], "?", span=span)

    def chan_end_out(self, span, children):
        return S.ChanEnd(children[0], "!", span=span)

    def sync(self, span, children):
        return S.Sync(children[0], span=span)

    # ---- constructions
    def _pri(self, children):
        if children and isinstance(children[0], Token) and children[0].type == "PRI":
            return True, children[1:]
        return False, children

    def _body(self, children):
        """(replicator, components) from a construction's children."""
        if children and isinstance(children[0], S.Replicator):
            return children[0], [children[1]]
        return None, (children[0] if children else [])

    def seq(self, span, children):
        replicator, body = self._body(children)
        return S.Seq(body, replicator, span=span)

    def par(self, span, children):
        pri, children = self._pri(children)
        replicator, body = self._body(children)
        return S.Par(body, replicator, pri, span=span)

    def process_block(self, span, children):
        return list(children)

    choice_block = option_block = alternative_block = process_block

    def replicator(self, span, children):
        name, base, count, *step = children
        return S.Replicator(name, base, count, step[0] if step else None, span=span)

    def if_(self, span, children):
        replicator, choices = self._body(children)
        return S.If(choices, replicator, span=span)

    def guarded_choice(self, span, children):
        *specs, condition, body = children
        return S.Choice(specs, condition, body, span=span)

    def nested_choice(self, span, children):
        *specs, nested = children
        return S.Choice(specs, None, None, nested, span=span)

    def while_(self, span, children):
        condition, body = children
        return S.While(condition, body, span=span)

    def case(self, span, children):
        selector, *options = children
        return S.Case(selector, options[0] if options else [], span=span)

    def option(self, span, children):
        specs = [c for c in children if _is_spec(c)]
        *values, body = children[len(specs) :]
        return S.Option(specs, values, body, span=span)

    def else_option(self, span, children):
        *specs, body = children
        return S.Option(specs, [], body, is_else=True, span=span)

    def alt(self, span, children):
        pri, children = self._pri(children)
        replicator, alternatives = self._body(children)
        return S.Alt(alternatives, replicator, pri, span=span)

    def guarded_alternative(self, span, children):
        *specs, guard, body = children
        return S.Alternative(specs, guard, body, span=span)

    def case_alternative(self, span, children):
        specs = [c for c in children if _is_spec(c)]
        guard, *variants = children[len(specs) :]
        guard.guard.variants = variants
        guard.guard.span = guard.guard.span.to(variants[-1].span)
        return S.Alternative(specs, guard, None, span=span)

    def nested_alternative(self, span, children):
        *specs, nested = children
        return S.Alternative(specs, None, None, nested, span=span)

    def guard(self, span, children):
        *precondition, guard = children
        return S.Guard(precondition[0] if precondition else None, guard, span=span)

    def skip_guard(self, span, children):
        return S.Guard(children[0] if children else None, None, span=span)

    def case_guard(self, span, children):
        *precondition, chan = children
        span = span
        case_input = S.CaseInput(chan, [], span=chan.span.to(span))
        return S.Guard(precondition[0] if precondition else None, case_input, span=span)

    # ---- expressions
    def expression_list(self, span, children):
        return list(children)

    def monadic(self, span, children):
        op, operand = children
        return S.Unary(op, operand, span=span)

    def dyadic(self, span, children):
        left, op, right = children
        return S.Binary(op, left, right, span=span)

    def monadic_op(self, span, children):
        return children[0].value

    dyadic_op = round_mode = monadic_op

    def most_pos(self, span, children):
        return S.MostPos(children[0], span=span)

    def most_neg(self, span, children):
        return S.MostNeg(children[0], span=span)

    def conversion(self, span, children):
        target, *mode, operand = children
        return S.Conversion(target, mode[0] if mode else None, operand, span=span)

    def function_call(self, span, children):
        name, *args = children
        return S.Call(name, args[0] if args else [], span=span)

    def table(self, span, children):
        return S.ArrayLit(list(children), span=span)

    def subscript(self, span, children):
        base, index = children
        return S.Subscript(base, index, span=span)

    def table_subscript(self, span, children):
        """`[1, 2, 4][i]`: a table of two or more items, subscripted."""
        *items, index = children
        last = items[-1].span
        table_span = Span(span.file, span.line, span.col, last.end_line, last.end_col + 1)
        return S.Subscript(S.ArrayLit(items, span=table_span), index, span=span)

    def slice_from_for(self, span, children):
        base, start, count = children
        return S.Slice(base, start, count, span=span)

    def slice_from(self, span, children):
        base, start = children
        return S.Slice(base, start, None, span=span)

    def slice_for(self, span, children):
        base, count = children
        return S.Slice(base, None, count, span=span)

    def name(self, span, children):
        return S.Name(children[0].value, span=self._tok_span(children[0]))

    # ---- literals
    def literal_type(self, span, children):
        return children[0]

    def _typed(self, kind, value, span, children, **extra):
        explicit = children[1] if len(children) > 1 else None
        return S.Literal(kind, value, explicit, span=span, **extra)

    def int_literal(self, span, children):
        return self._typed("int", int(children[0].value), span, children)

    def hex_literal(self, span, children):
        return self._typed("int", int(children[0].value[1:], 16), span, children, hex=True)

    def real_literal(self, span, children):
        return self._typed("real", children[0].value, span, children)

    def byte_literal(self, span, children):
        tok = children[0]
        data = self._decode(tok, tok.value[1:-1])
        if len(data) != 1:
            raise CompileError.at(self._tok_span(tok), "a byte literal holds exactly one byte")
        return self._typed("byte", data[0], span, children)

    def string_literal(self, span, children):
        tok = children[0]
        return S.Literal("string", self._decode(tok, tok.value[1:-1]), span=span)

    def true_literal(self, span, children):
        return S.Literal("bool", True, span=span)

    def false_literal(self, span, children):
        return S.Literal("bool", False, span=span)

    def _decode(self, tok: Token, body: str) -> bytes:
        try:
            return decode_occam_text(body)
        except _BadEscape as bad:
            before = body[: bad.offset]
            line = tok.line + before.count("\n")
            col = (len(before) - before.rfind("\n")) if "\n" in before else tok.column + 1 + len(before)
            raise CompileError.at(
                Span(self.filename, line, col, line, col + len(bad.escape)),
                f"unknown escape `{bad.escape}' (use *n *c *t *s ** *\" *' or *#hh)",
            ) from None


# Tokens that carry a value into the AST; every other token (keywords,
# punctuation, layout) only contributes its position to the rule's span.
_VALUE_TOKENS = frozenset({"NAME", "INTEGER", "HEX", "REAL", "STRING", "BYTE_LIT", "PRAGMA", "PRI", "PACKED"})
# Rules written `!rule' in the grammar: their keyword tokens are their value.
_TOKEN_RULES = frozenset({"primitive_type", "monadic_op", "dyadic_op", "direction", "round_mode"})
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


# --------------------------------------------------------------------------- errors


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
)
_TYPE_WORDS = frozenset("INT INT16 INT32 INT64 BYTE BOOL REAL32 REAL64 CHAN TIMER BARRIER [ NAME".split())
_EXPRESSION_WORDS = _TYPE_WORDS | frozenset(
    "INTEGER HEX REAL STRING BYTE_LIT ( TRUE FALSE MOSTPOS MOSTNEG NOT SIZE BITNOT ~ - MINUS".split()
)
_SPEC_WORDS = _TYPE_WORDS | frozenset(
    "PROC VAL PROTOCOL DATA INITIAL RECURSIVE REC PRAGMA #INCLUDE #USE FUNCTION".split()
)
_PROCESS_WORDS = (
    _SPEC_WORDS | _EXPRESSION_WORDS | frozenset("SKIP STOP SEQ PAR PRI IF WHILE CASE ALT SYNC".split())
)
_GROUPS = [
    ("a process", {"SKIP", "SEQ", "WHILE"}, _PROCESS_WORDS),
    ("a declaration", {"PROC", "VAL", "PROTOCOL"}, _SPEC_WORDS),
    ("an operator", {"+", "REM", "AND", "<>"}, _DYADIC_OPERATORS),
    ("an expression", {"INTEGER", "NAME", "(", "NOT"}, _EXPRESSION_WORDS),
    ("a type", {"INT", "CHAN", "TIMER"}, _TYPE_WORDS),
]
_PROCESS_STARTS = frozenset({"SKIP", "STOP", "SEQ", "PAR", "IF", "WHILE", "ALT", "CASE"})


def _token_key(parser: Lark, name: str) -> str:
    """A terminal's text for keywords and punctuation, else its name."""
    try:
        term = parser.get_terminal(name)
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


def _describe_expected(keys: set[str]) -> str:
    """`expected a process or end of block' from the expected tokens' keys."""
    words = []
    for word, trigger, members in _GROUPS:
        if trigger <= keys:
            words.append(word)
            keys = keys - members
    words += sorted({_EXPECTED_WORDS.get(k, f"`{k}'") for k in keys})
    if not words:
        return ""
    if len(words) > 6:
        return "expected " + ", ".join(words[:6]) + ", ..."
    if len(words) == 1:
        return "expected " + words[0]
    return "expected " + ", ".join(words[:-1]) + " or " + words[-1]


def _unexpected_token_message(parser: Lark, err: UnexpectedToken) -> str:
    token = err.token
    if token.value in _DYADIC_OPERATORS and token.type not in ("_NL", "$END") and _after_operand(err):
        return "occam has no operator precedence: add parentheses to show which operator applies first"
    message = f"unexpected {_describe_token(token)}"
    keys = {_token_key(parser, name) for name in (err.accepts or err.expected)}
    expected = _describe_expected(keys)
    if expected:
        message = f"{message}; {expected}"
    if token.value in _PROCESS_STARTS and "PROC" in keys and "SKIP" not in keys:
        message += " (a process must be inside a PROC)"
    return message


def _after_operand(err: UnexpectedToken) -> bool:
    """Did the parser just finish a monadic/dyadic expression or a conversion?"""
    try:
        stack = err.interactive_parser.parser_state.value_stack
    except AttributeError:
        return False
    last = stack[-3:]
    if any(type(value) is str for value in last):  # an operator reduced by dyadic_op/monadic_op
        return True
    if any(isinstance(v, Token) and v.value in ("MOSTPOS", "MOSTNEG") for v in last[-2:]):
        return True
    return len(last) >= 2 and isinstance(last[-2], S.PrimType) and isinstance(last[-1], S.Expr)


def _bad_character(char: str, filename: str, line: int, col: int) -> Diagnostic:
    if char == '"':
        message = "unterminated string (a string ends on its line unless continued with `*')"
    elif char == "'":
        message = "bad byte literal: write one character or escape in quotes, like 'a' or '*n'"
    elif char == "#":
        message = "unknown directive or bad hex number after `#'"
    else:
        message = f"unexpected character `{char}'"
    return Diagnostic("error", message, Span(filename, line, col, line, col + 1))


def _end_of_text(text: str) -> tuple[int, int]:
    """Line and column just after the last non-blank character of ``text``."""
    body = text.rstrip()
    line = body.count("\n") + 1
    return line, len(body) - (body.rfind("\n") + 1) + 1


def _diagnostic_from_lark(parser: Lark, err: UnexpectedInput, filename: str, text: str) -> Diagnostic:
    if isinstance(err, UnexpectedToken):
        tok = err.token
        if tok.type == "$END":
            line, col = _end_of_text(text)
        else:
            line = tok.line if isinstance(tok.line, int) else 1
            col = tok.column if isinstance(tok.column, int) else 1
        end_col = tok.end_column if tok.end_line == line and tok.type not in ("_NL",) else col + 1
        return Diagnostic(
            "error", _unexpected_token_message(parser, err), Span(filename, line, col, line, end_col)
        )
    if isinstance(err, UnexpectedCharacters):
        return _bad_character(err.char, filename, err.line, err.column)
    return Diagnostic(
        "error", "syntax error", Span(filename, getattr(err, "line", 1), getattr(err, "column", 1))
    )


# --------------------------------------------------------------------------- parsing one text


def _parse_with(builder: ToAST, text: str) -> list:
    """Parse ``text`` straight into AST nodes, or raise CompileError with the first problem."""
    parser = _parser()
    filename = builder.filename
    saved = getattr(_CURRENT, "builder", None)  # parsing can nest (an include read while parsing)
    _CURRENT.builder = builder
    try:
        return parser.parse(text)
    except LayoutError as err:
        raise CompileError.at(Span(filename, err.line, err.col, err.line, err.col + 1), err.message) from None
    except ScanError as err:
        raise CompileError(_bad_character(err.char, filename, err.line, err.col)) from None
    except UnexpectedInput as err:
        raise CompileError(_diagnostic_from_lark(parser, err, filename, text)) from None
    finally:
        _CURRENT.builder = saved


_TOP_LEVEL_START = re.compile(r"^(?![ \t]|--|:|\r?$)", re.M)


def _chunks(text: str) -> list[tuple[int, str]]:
    """Split ``text`` at the start of each top-level item: (first line, text padded
    with blank lines so that line numbers stay right)."""
    starts = [m.start() for m in _TOP_LEVEL_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    pieces = []
    for begin, end in zip(starts, starts[1:] + [len(text)]):
        first_line = text.count("\n", 0, begin)
        pieces.append((first_line + 1, "\n" * first_line + text[begin:end]))
    return pieces


MAX_ERRORS = 20

# Errors about layout say little about what follows them, so parsing does not
# go on past one (nor report one found after skipping a line: it may be caused
# by the skipping).
_LAYOUT_ERRORS = (
    "unexpected end of block",
    "unexpected indentation",
    "unexpected end of file",
    "indentation must",
    "this line's indentation",
    "the first line",
)
# A line ending like this continues on the next one (see Layout).
_CONTINUED = re.compile(
    r"(,|;|:=|::|&|[-+*/\\<>=(\[~]|\b(IS|FROM|FOR|AND|OR|REM|PLUS|MINUS|TIMES|AFTER|BITAND|BITOR))\s*(--.*)?$"
)
_DECLARATION_START = re.compile(
    r"\s*(VAL|INITIAL|PROC|PROTOCOL|DATA|CHAN|TIMER|BARRIER|INT|INT16|INT32|"
    r"INT64|BYTE|BOOL|REAL32|REAL64|\[)\b|.*:\s*(--.*)?$"
)


def _parse_errors_per_chunk(text: str, filename: str) -> list[Diagnostic]:
    """After a failed parse: errors of every top-level item (at most MAX_ERRORS)."""
    found: list[Diagnostic] = []
    for _, chunk in _chunks(text):
        if len(found) >= MAX_ERRORS:
            break
        found += _errors_in_chunk(chunk, filename)
    return found[:MAX_ERRORS]


def _errors_in_chunk(chunk: str, filename: str) -> list[Diagnostic]:
    """The first error of one top-level item, then more found by skipping the
    line in error (a process becomes SKIP, a declaration disappears, with its
    nested block) and parsing again, as long as each error is a later line's."""
    found: list[Diagnostic] = []
    lines = chunk.split("\n")
    done_to = 0  # the last line (1-based) that skipping has touched
    while len(found) < MAX_ERRORS:
        try:
            _parse_with(ToAST(filename), "\n".join(lines))
            return found
        except CompileError as err:
            error = err.diagnostics[0]
        is_layout = error.message.startswith(_LAYOUT_ERRORS)
        if found and (error.span.line <= done_to or is_layout or "indented block" in error.message):
            return found  # no progress, or perhaps caused by the skipping
        found.append(error)
        skipped = None if is_layout else _skip_statement(lines, error.span.line - 1)
        if skipped is None:
            return found
        done_to = skipped
    return found


def _skip_statement(lines: list[str], index: int) -> int | None:
    """Neutralize the statement on ``lines[index]`` and its nested block, in place.
    Returns the last line number touched, or None when that is not safe."""
    if not 0 <= index < len(lines):
        return None
    line = lines[index]
    indent = len(line) - len(line.lstrip(" "))
    if indent == 0 or not line.strip() or line.lstrip().startswith("--"):
        return None  # a top-level line, or the error is not on a statement
    previous = next((l for l in reversed(lines[:index]) if l.strip() and not l.lstrip().startswith("--")), "")
    if _CONTINUED.search(previous):
        return None  # the statement began on an earlier line
    end = index + 1
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > indent
    ):
        end += 1
    while end > index + 1 and not lines[end - 1].strip():
        end -= 1  # trailing blank lines are not part of it
    replacement = "" if _DECLARATION_START.match(line) else " " * indent + "SKIP"
    lines[index:end] = [replacement] + [""] * (end - index - 1)
    return end


def _parse_specs(text: str, filename: str) -> tuple[list[S.Spec], list[Diagnostic]]:
    """Parse one file's text into its top-level specs (includes unresolved) and warnings."""
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors write
    SOURCES.add(filename, text)
    if not text.endswith("\n"):
        text += "\n"
    problems = _check_tabs(text, filename)
    if problems:
        raise CompileError(problems)
    builder = ToAST(filename)
    try:
        specs = _parse_with(builder, text)
    except CompileError as first:
        found = _parse_errors_per_chunk(text, filename) or first.diagnostics
        raise CompileError(_dedupe(found)) from None
    return specs, builder.warnings


def _dedupe(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    seen, unique = set(), []
    for d in diagnostics:
        key = (d.span.file, d.span.line, d.span.col, d.message)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return unique


# --------------------------------------------------------------------------- includes


def _library_folder() -> Path:
    import cspc.lib

    return Path(cspc.lib.__file__).parent


def _candidates(name: str, here: Path | None, include_paths: Sequence[os.PathLike | str]) -> Iterator[Path]:
    folders = ([here] if here is not None else []) + [Path(p) for p in include_paths] + [_library_folder()]
    names = [name]
    if name.endswith(".lib"):  # KRoC's `#USE "course.lib"` names the compiled library
        names.append(name[: -len(".lib")] + ".module")
    elif "." not in os.path.basename(name):
        names.append(name + ".module")
    for spelling in names:
        for folder in folders:
            yield folder / spelling


def _resolve(inc: _Include, here: Path | None, include_paths) -> Path:
    for candidate in _candidates(inc.path, here, include_paths):
        if candidate.is_file():
            return candidate
    where = [str(here)] if here is not None else []
    where += [str(p) for p in include_paths] + ["cspc's library"]
    raise CompileError.at(
        inc.span, f"cannot find {inc.directive} file \"{inc.path}\" (looked in {', '.join(where)})"
    )


def _with_chain(err: CompileError, chain: tuple) -> CompileError:
    """``err`` again, its diagnostics marked with the #INCLUDE sites that led to them."""
    sites = tuple(site.span for site in chain)
    return CompileError([replace(d, include_chain=sites) for d in err.diagnostics])


class _Includer:
    """Reads a file and every file it includes, splicing their specifications."""

    def __init__(self, include_paths):
        self.include_paths = list(include_paths)
        self.files: list[str] = []
        self.seen: set[str] = set()
        self.warnings: list[Diagnostic] = []

    def specs_of_text(self, text: str, filename: str, here: Path | None, chain: tuple) -> list[S.Spec]:
        try:
            specs, warnings = _parse_specs(text, filename)
        except CompileError as err:
            raise _with_chain(err, chain) from None
        for w in warnings:
            w.include_chain = tuple(site.span for site in chain)
        self.warnings += warnings
        out = []
        for spec in specs:
            if isinstance(spec, _Include):
                out += self.include(spec, here, chain)
            else:
                out.append(spec)
        return out

    def include(self, inc: _Include, here: Path | None, chain: tuple) -> list[S.Spec]:
        try:
            path = _resolve(inc, here, self.include_paths)
        except CompileError as err:
            raise _with_chain(err, chain) from None
        key = os.path.realpath(path)
        active = [os.path.realpath(site_file) for site_file in self._chain_files(chain)]
        if key in active or key == os.path.realpath(inc.span.file):
            cycle = " -> ".join([*(str(p) for p in self._chain_files(chain)), inc.span.file, str(path)])
            raise CompileError(
                Diagnostic(
                    "error",
                    f"include cycle: {cycle}",
                    inc.span,
                    include_chain=tuple(site.span for site in chain),
                )
            )
        if key in self.seen:
            return []
        return self.read(path, chain + (inc,))

    @staticmethod
    def _chain_files(chain: tuple) -> list[str]:
        return [site.span.file for site in chain]

    def read(self, path: Path, chain: tuple = ()) -> list[S.Spec]:
        key = os.path.realpath(path)
        self.seen.add(key)
        filename = str(path)
        self.files.append(filename)
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as err:
            site = chain[-1].span if chain else Span(filename, 0, 0)
            raise CompileError.at(site, f"cannot read {filename}: {err.strerror}") from None
        return self.specs_of_text(text, filename, path.parent, chain)


# --------------------------------------------------------------------------- public API


def parse_text(text: str, filename: str = "<string>", include_paths: Sequence = ()) -> S.Program:
    """Parse occam source text.  Includes resolve against the current folder
    (for ``<string>``) or the file's folder, then ``include_paths``, then cspc's
    library.  Raises CompileError."""
    includer = _Includer(include_paths)
    here = Path(filename).parent if filename != "<string>" else Path.cwd()
    includer.files.append(filename)
    if os.path.isfile(filename):
        includer.seen.add(os.path.realpath(filename))
    specs = includer.specs_of_text(text, filename, here, ())
    return _program(filename, specs, includer)


def parse_file(path, include_paths: Sequence = ()) -> S.Program:
    """Parse an occam file and everything it includes.  Raises CompileError."""
    path = Path(path)
    includer = _Includer(include_paths)
    if not path.is_file():
        raise CompileError.at(Span(str(path), 0, 0), f"cannot read {path}: no such file")
    specs = includer.read(path)
    return _program(str(path), specs, includer)


def _program(filename: str, specs: list[S.Spec], includer: _Includer) -> S.Program:
    program = S.Program(filename, specs, includer.files, span=Span(filename, 1, 1))
    program.warnings = includer.warnings
    return program
