"""Source spans, diagnostics, and the two exception classes of the compiler.

Every problem in a user's program is a :class:`Diagnostic` carried by a
:class:`CompileError`; anything else escaping the compiler is a bug and is
raised (or wrapped) as :class:`InternalError`.  The rendering is the same
everywhere::

    prog.csp:3:5: error: undeclared name `x'
        x := 1
        ^
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable


@dataclass(frozen=True)
class Span:
    """Where a node came from: 1-based lines and columns, end exclusive."""

    file: str
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def to(self, other: "Span") -> "Span":
        """The span from the start of this one to the end of ``other``."""
        return Span(self.file, self.line, self.col, other.end_line, other.end_col)


UNKNOWN = Span("<unknown>", 0, 0)


@dataclass
class Diagnostic:
    severity: str  # "error" | "warning" | "note"
    message: str
    span: Span
    notes: list["Diagnostic"] = field(default_factory=list)
    include_chain: tuple[Span, ...] = ()  # where the file holding `span` was included from

    def render(self, sources: "SourceCache | None" = None, colour: bool = False) -> str:
        sources = sources or SOURCES
        head = f"{self.span}: {self.severity}: {self.message}"
        if colour:
            code = {"error": "31", "warning": "35", "note": "36"}.get(self.severity, "0")
            head = f"\x1b[1m{self.span}: \x1b[{code}m{self.severity}:\x1b[0m\x1b[1m {self.message}\x1b[0m"
        lines = []
        for site in self.include_chain:
            lines.append(f"{site}: note: included from here")
        lines.append(head)
        text = sources.line(self.span.file, self.span.line)
        if text is not None:
            text, span = window(printable(text), self.span)
            lines.append(f"    {text}")
            lines.append("    " + caret_line(text, span))
        for note in self.notes:
            lines.append(note.render(sources, colour))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def printable(text: str) -> str:
    """A source line fit for a terminal: each control character (a binary file's
    bytes, an escape sequence) shown as one replacement character, so the caret
    below still lines up."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\t" else "\ufffd" for c in text)


QUOTE_WIDTH = 200  # the most of a source line a message quotes


def window(text: str, span: Span) -> tuple[str, Span]:
    """At most QUOTE_WIDTH characters of a long line around the spot, with
    `...' where it was cut, and the span moved to match: a message about a
    machine-made line of megabytes quotes a line, not the file."""
    if len(text) <= QUOTE_WIDTH:
        return text, span
    start = max(0, min(span.col - 1 - QUOTE_WIDTH // 2, len(text) - QUOTE_WIDTH))
    end = start + QUOTE_WIDTH
    head = "..." if start > 0 else ""
    tail = "..." if end < len(text) else ""
    shift = len(head) - start
    end_col = span.end_col + shift if span.end_line == span.line else span.end_col
    moved = Span(span.file, span.line, span.col + shift, span.end_line, end_col)
    return head + text[start:end] + tail, moved


def read_source(path: str) -> str:
    """The text of a source file.  occam source is UTF-8 (so ASCII, the usual
    case, too); a byte that is not is a positioned error, never a crash.
    Raises OSError when the file cannot be read."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        start = data.rfind(b"\n", 0, err.start) + 1
        col = len(data[start : err.start].decode("utf-8", errors="replace")) + 1
        byte = data[err.start]
        raise CompileError.at(
            Span(path, line, col),
            f"this file is not UTF-8 text: byte #{byte:02X} cannot be read "
            f"(save the file as UTF-8; in a string, write the byte as *#{byte:02X})",
        ) from None


def caret_line(text: str, span: Span) -> str:
    """A caret under the spot, widened with ``~`` to the end of a one-line span."""
    start = max(span.col - 1, 0)
    width = 1
    if span.end_line == span.line and span.end_col > span.col:
        width = min(span.end_col - span.col, max(len(text) - start, 1))
    pad = "".join("\t" if ch == "\t" else " " for ch in text[:start])
    return pad + "^" + "~" * (width - 1)


class CompileError(Exception):
    """A problem in the user's program (one or more diagnostics)."""

    def __init__(self, diagnostics: Diagnostic | Iterable[Diagnostic]):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.render() for d in self.diagnostics))

    @classmethod
    def at(cls, span: Span, message: str) -> "CompileError":
        return cls(Diagnostic("error", message, span))


class InternalError(Exception):
    """A bug in cspc itself; never the user's fault."""


TAB_SIZE = 8  # a tab in indentation reaches the next multiple of 8 columns, as in occ21


def expand_indentation(line: str) -> str:
    """``line`` with the tabs in its indentation expanded: the columns that
    the scanner and every message count in."""
    if "\t" not in line:
        return line
    body = line.lstrip(" \t")
    return line[: len(line) - len(body)].expandtabs(TAB_SIZE) + body


class SourceCache:
    """The text of every file the compiler has read, for quoting lines in messages."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}
        self._tabbed: dict[str, set[int]] = {}  # lines whose indentation held a tab

    def add(self, filename: str, text: str) -> None:
        lines = text.splitlines()
        self._tabbed[filename] = {n for n, line in enumerate(lines, 1) if expand_indentation(line) != line}
        self._lines[filename] = [expand_indentation(line) for line in lines]

    def indented_with_tab(self, filename: str, lineno: int) -> bool:
        return lineno in self._tabbed.get(filename, ())

    def line(self, filename: str, lineno: int) -> str | None:
        lines = self._lines.get(filename)
        if lines is None and os.path.isfile(filename):
            try:
                with open(filename, encoding="utf-8", errors="replace") as f:
                    lines = [expand_indentation(line) for line in f.read().splitlines()]
            except OSError:
                return None
            self._lines[filename] = lines
        if lines is None or not 1 <= lineno <= len(lines):
            return None
        return lines[lineno - 1]


SOURCES = SourceCache()


class Reporter:
    """Collects diagnostics so a pass can report everything it finds, not just the first."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def error(self, span: Span, message: str, *notes: tuple[Span, str]) -> None:
        self._add("error", span, message, notes)

    def warning(self, span: Span, message: str, *notes: tuple[Span, str]) -> None:
        self._add("warning", span, message, notes)

    def _add(self, severity: str, span: Span, message: str, notes) -> None:
        # A note at the diagnostic's own spot would only quote the same line again.
        kept = [Diagnostic("note", m, s) for s, m in notes if s != span]
        self.diagnostics.append(Diagnostic(severity, message, span, kept))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise CompileError(self.errors)
