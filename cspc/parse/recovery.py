"""One file's text -> its top-level specifications, or every error in it.

:func:`parse_source` parses a whole file.  When that fails, the file is
split at its top-level items (:func:`_chunks`) and each is parsed on its
own, so one run reports the first error of every PROC; within an item, the
line in error is skipped (a process becomes SKIP, a declaration disappears,
with its nested block) and the item parsed again, while each new error is
on a later line and is not one the skipping may have caused.
"""

from __future__ import annotations

import re
from typing import Sequence

from cspc import syntax as S
from cspc.diagnostics import CompileError, Diagnostic
from cspc.parse.builder import ToAST
from cspc.parse.errors import ParseFailed, parse_or_fail

__all__ = ["MAX_ERRORS", "parse_source"]

MAX_ERRORS = 20


def parse_source(text: str, filename: str) -> tuple[list[S.Spec], list[Diagnostic]]:
    """Parse one file's preprocessed text into its specs (includes unresolved)
    and warnings."""
    if not text.endswith("\n"):
        text += "\n"
    builder = ToAST(filename)
    try:
        specs = parse_or_fail(builder, text)
    except ParseFailed as first:
        found = _errors_per_chunk(text, filename) or first.diagnostics
        raise CompileError(_dedupe(found)) from None
    return specs, builder.warnings


_TOP_LEVEL_START = re.compile(r"^(?![ \t]|--|:|\r?$)", re.M)


def _chunks(text: str) -> list[str]:
    """Split ``text`` at the start of each top-level item, each piece padded in
    front with blank lines so that its line numbers stay right."""
    starts = [m.start() for m in _TOP_LEVEL_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    pieces = []
    for begin, end in zip(starts, starts[1:] + [len(text)]):
        pieces.append("\n" * text.count("\n", 0, begin) + text[begin:end])
    return pieces


def _errors_per_chunk(text: str, filename: str) -> list[Diagnostic]:
    """After a failed parse: errors of every top-level item (at most MAX_ERRORS)."""
    found: list[Diagnostic] = []
    for chunk in _chunks(text):
        if len(found) >= MAX_ERRORS:
            break
        found += _errors_in_chunk(chunk, filename)
    return found[:MAX_ERRORS]


def _errors_in_chunk(chunk: str, filename: str) -> list[Diagnostic]:
    """The first error of one top-level item, then more found by skipping the
    line in error and parsing again, as long as each error is a later line's.

    Errors about layout say little about what follows them, so parsing does
    not go on past one; nor is one reported that was found after skipping a
    line, as the skipping may have caused it (so may a missing block)."""
    found: list[Diagnostic] = []
    lines = chunk.split("\n")
    done_to = 0  # the last line (1-based) that skipping has touched
    while len(found) < MAX_ERRORS:
        failure = _failure(filename, "\n".join(lines))
        if failure is None:
            return found
        error = failure.diagnostic
        if found and (error.span.line <= done_to or failure.about_layout or failure.wants_block):
            return found  # no progress, or perhaps caused by the skipping
        found.append(error)
        skipped = None if failure.about_layout else _skip_statement(lines, error.span.line - 1)
        if skipped is None:
            return found
        done_to = skipped
    return found


def _failure(filename: str, text: str) -> ParseFailed | None:
    """How ``text`` fails to parse, or None if it parses."""
    try:
        parse_or_fail(ToAST(filename), text)
    except ParseFailed as failed:
        return failed
    return None


# A line ending like this continues on the next one (see cspc.parse.layout).
_CONTINUED = re.compile(
    r"(,|;|:=|::|&|[-+*/\\<>=(\[~]|\b(IS|FROM|FOR|AND|OR|REM|PLUS|MINUS|TIMES|AFTER|BITAND|BITOR))\s*(--.*)?$"
)
_DECLARATION_START = re.compile(
    r"\s*(VAL|INITIAL|PROC|PROTOCOL|DATA|CHAN|TIMER|BARRIER|INT|INT16|INT32|"
    r"INT64|BYTE|BOOL|REAL32|REAL64|\[)\b|.*:\s*(--.*)?$"
)


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



def _dedupe(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    seen, unique = set(), []
    for d in diagnostics:
        key = (d.span.file, d.span.line, d.span.col, d.message)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return unique

