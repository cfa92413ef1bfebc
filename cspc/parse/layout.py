"""Layout: line breaks and indentation become tokens.

:class:`Layout` is the parser's postlexer.  It turns the scanner's line
breaks into ``_NL``, ``_INDENT`` and ``_DEDENT`` (exactly
:data:`INDENT_STEP` spaces per level) and drops the line breaks of
continued lines.  Tabs in indentation are already expanded (by the
preprocessor) when the text gets here.
"""

from __future__ import annotations

from typing import Iterator

from lark import Token

from cspc.diagnostics import Diagnostic, Span

__all__ = ["INDENT_STEP", "Layout", "LayoutError"]

INDENT_STEP = 2


class LayoutError(Exception):
    """A layout problem found by the postlexer: message, line, column (1-based)."""

    def __init__(self, message: str, line: int, col: int):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


# A line ending with one of these continues on the next line.
_CONTINUES_LINE = frozenset(""", ; := :: & IS FROM FOR + - * / \\ REM PLUS MINUS TIMES /\\ \\/ >< BITAND BITOR
    << >> AND OR = <> < > <= >= AFTER""".split())
_OPENERS = frozenset({"LPAR", "LSQB"})
# What a `(' after one of these opens is a call's or a heading's list, not an
# expression in brackets: `f (a, b)', `INT FUNCTION "+" (...)', `PROC TYPE T IS (...)'.
_CALLERS = frozenset({"NAME", "STRING", "IS"})
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
        # The open brackets, innermost last: each is [its token, the column of
        # the token after it, and its block's levels once it holds a VALOF].
        brackets: list[list] = []
        previous: Token | None = None  # the last token passed on
        last_real: Token | None = None  # the last token that is not layout
        after_bracket = False  # last_real came straight after a `['
        tokens = iter(stream)
        pushed_back: list[Token] = []
        while True:
            token = pushed_back.pop() if pushed_back else next(tokens, None)
            if token is None:
                break
            if token.type == "PRAGMA" and not brackets and previous is not None and previous.type == "_NL":
                after = next(tokens, None)
                if after is not None and after.type == "_NL" and len(_last_line(after)) < token.column - 1:
                    # The last line of its block: KRoC's programs put pragmas
                    # (`#PRAGMA DEFINED x') there, where nothing follows them.
                    _trailing_pragma(token)
                    yield from self._indentation(after, levels)
                    continue
                if after is not None:
                    pushed_back.append(after)
            inner = brackets[-1] if brackets else None
            if token.type == "_NL":
                if previous is None:  # blank lines and comments before the first token
                    continue
                if inner is not None and inner[2] is None and inner[0].type == "LPAR" and previous.value in (":", "VALOF"):
                    # `(INT r:' or `(VALOF' ends its line: the bracket holds a
                    # VALOF, laid out as a block at the column after `('.
                    inner[2] = [inner[1] - 1]
                if inner is not None and inner[2] is None or previous.value in _CONTINUES_LINE:
                    continue
                block = inner[2] if inner is not None else levels
                yield token
                previous = token
                after = next(tokens, None)
                if after is not None:
                    pushed_back.append(after)
                if inner is not None and after is not None and after.type == "RPAR":
                    yield from _close_block(block, token)  # `)' on a line of its own
                else:
                    yield from self._indentation(token, block)
                continue
            if last_real is None and token.column != 1:
                raise LayoutError(
                    "the first line is indented, but it is not inside anything (start it in column 1)",
                    token.line,
                    token.column,
                )
            if brackets and brackets[-1][1] is None:
                brackets[-1][1] = token.column
            if token.type in _OPENERS:
                brackets.append([token, None, None])
                if token.type == "LPAR" and (last_real is None or last_real.type not in _CALLERS):
                    _mark_list_commas(tokens, pushed_back)
            elif token.type in _CLOSERS and brackets:
                closed = brackets.pop()
                if closed[2] is not None and len(closed[2]) > 1:  # `RESULT x)': the VALOF's block ends
                    if previous.type != "_NL":
                        yield _layout_token("_NL", "", token, token.line, token.column)
                    yield from _close_block(closed[2], token)
            if token.type == "EQUAL" and last_real is not None and last_real.type == "NAME" and after_bracket:
                # `[i =': a constructor `[i = 0 FOR n | e]' (or a table
                # `[a = b, c]'), which the grammar cannot tell from `[a = b]'
                # at the `=' (see array_constructor in occam.lark).
                token = Token.new_borrow_pos("_REPLICATOR_EQ", token.value, token)
            after_bracket = last_real is not None and last_real.type == "LSQB"
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


def _mark_list_commas(tokens: Iterator[Token], pushed_back: list[Token]) -> None:
    """After an expression's `(': if its `)' comes on the same line, the commas
    directly inside it separate a list, `(a, b) = (e, f)', and become
    _LIST_COMMA.  (Otherwise the bracket may hold a VALOF, whose first line is
    a specification, `(INT a, b:', or it goes on over a line break: its commas
    are left alone.)  The tokens looked at go back on ``pushed_back``."""
    ahead: list[Token] = []
    commas: list[int] = []
    depth = 0
    while True:
        token = pushed_back.pop() if pushed_back else next(tokens, None)
        if token is None:
            break
        ahead.append(token)
        if token.type == "_NL":
            commas = []
            break
        if token.type in _OPENERS:
            depth += 1
        elif token.type in _CLOSERS:
            if depth == 0:
                break
            depth -= 1
        elif token.type == "COMMA" and depth == 0:
            commas.append(len(ahead) - 1)
    if token is None:
        commas = []
    for i in commas:
        ahead[i] = Token.new_borrow_pos("_LIST_COMMA", ahead[i].value, ahead[i])
    pushed_back.extend(reversed(ahead))


def _close_block(levels: list[int], at: Token) -> Iterator[Token]:
    """The ends of the blocks of a VALOF in brackets, as its `)' closes it."""
    while len(levels) > 1:
        levels.pop()
        yield _layout_token("_DEDENT", "", at, at.line, at.column)


def _trailing_pragma(token: Token) -> None:
    """A #PRAGMA that ends its block applies to nothing: it is dropped with a
    warning, unless it is one that must bind what follows it."""
    from cspc.parse import lalr
    from cspc.parse.builder import DANGLING_PYTHON, KNOWN_PRAGMAS, split_pragma, unknown_pragma

    name, _ = split_pragma(token.value)
    if name.upper() == "PYTHON":
        raise LayoutError(DANGLING_PYTHON, token.line, token.column)
    builder = lalr.current_builder()
    if builder is None:
        return
    span = Span(builder.filename, token.line, token.column, token.end_line, token.end_column)
    if name in KNOWN_PRAGMAS:
        message = f"#PRAGMA {name} at the end of a block applies to nothing; ignored"
        builder.warnings.append(Diagnostic("warning", message, span))
    else:
        builder.warnings.append(unknown_pragma(name, span))


def _last_line(nl_token: Token) -> str:
    """The indentation that an _NL token leaves behind (text after its last newline)."""
    return nl_token.value.rsplit("\n", 1)[-1]


def _layout_token(kind: str, value: str, borrow: Token, line: int, col: int) -> Token:
    # Never an empty value: Lark takes an empty token for "no token" when it
    # places the end-of-file marker.
    tok = Token.new_borrow_pos(kind, value or kind, borrow)
    tok.line, tok.column, tok.end_line, tok.end_column = line, col, line, col
    return tok
