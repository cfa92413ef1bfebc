"""The front end: occam text -> :class:`cspc.syntax.Program`.

:func:`parse_file` and :func:`parse_text` are the entry points; both raise
:class:`~cspc.diagnostics.CompileError` for a program that does not parse.
The modules, in the order text flows through them:

``scanner``
    One regular expression turns text into Lark tokens (:class:`OccamLexer`).
``layout``
    The postlexer: line breaks and indentation become ``_NL``, ``_INDENT``
    and ``_DEDENT`` (exactly 2 spaces per level); continued lines are joined;
    tabs in indentation are rejected up front.
``lalr``
    The Lark LALR parser for ``grammar/occam.lark``, built once per process;
    its reduce callbacks hand each rule, with its span, to the builder.
``builder``
    :class:`ToAST`: one method per grammar rule, each returning an AST node
    (``literals`` decodes the text of strings and byte literals).
``errors``
    A failed parse in the user's words; special messages are labelled from a
    table of example bad inputs with Lark's ``match_examples``.
``recovery``
    One file's text -> its specifications, or every error in it: after a
    failure, each top-level item is parsed on its own, skipping bad lines.
``limits``
    The nesting depth every later pass can take (a positioned error beyond it).
``includes``
    ``#INCLUDE``/``#USE``: resolved against the including file's folder, then
    ``include_paths``, then cspc's bundled library, and spliced in.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from cspc import syntax as S
from cspc.diagnostics import CompileError, Span
from cspc.parse.builder import KNOWN_PRAGMAS, ToAST
from cspc.parse.includes import Includer
from cspc.parse.lalr import parser as _parser
from cspc.parse.limits import check_depth
from cspc.parse.layout import INDENT_STEP
from cspc.parse.scanner import OccamLexer, ScanError

__all__ = ["parse_text", "parse_file", "KNOWN_PRAGMAS", "INDENT_STEP"]

# Also importable from here, as before the split: _parser (bench/ times it),
# ToAST, OccamLexer and ScanError (tests/test_parse_grammar.py checks them).


def parse_text(text: str, filename: str = "<string>", include_paths: Sequence = ()) -> S.Program:
    """Parse occam source text.  Includes resolve against the current folder
    (for ``<string>``) or the file's folder, then ``include_paths``, then cspc's
    library.  Raises CompileError."""
    includer = Includer(include_paths)
    here = Path(filename).parent if filename != "<string>" else Path.cwd()
    includer.files.append(filename)
    if os.path.isfile(filename):
        includer.seen.add(os.path.realpath(filename))
    specs = includer.specs_of_text(text, filename, here, ())
    return _program(filename, specs, includer)


def parse_file(path, include_paths: Sequence = ()) -> S.Program:
    """Parse an occam file and everything it includes.  Raises CompileError."""
    path = Path(path)
    includer = Includer(include_paths)
    if not path.is_file():
        raise CompileError.at(Span(str(path), 0, 0), f"cannot read {path}: no such file")
    specs = includer.read(path)
    return _program(str(path), specs, includer)


def _program(filename: str, specs: list[S.Spec], includer: Includer) -> S.Program:
    check_depth(specs)
    program = S.Program(filename, specs, includer.files, span=Span(filename, 1, 1))
    program.warnings = includer.warnings
    program.options = set(includer.preprocessor.options)
    return program
