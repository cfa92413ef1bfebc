"""``#INCLUDE`` and ``#USE``: finding the files and splicing in their specifications.

A directive is resolved against the including file's folder, then
``include_paths``, then cspc's bundled library (``cspc/lib``);
``"x.lib"`` also finds ``x.module``, as KRoC's ``#USE "course.lib"`` names the
compiled library.  The preprocessor meets the directive first and the file is
read then, so that what it ``#DEFINE``s counts in the rest of the including file;
its specifications are spliced in where the directive stands once the
including file is parsed.

At the top level (column 1) a file is read once per compilation: a second
``#INCLUDE`` or ``#USE`` of it adds nothing, like an include guard.  An
indented directive, inside a PROC body or another block, always splices the
file in (its names are local to that block), unless the file is already
included at the top level.  A file that includes itself, directly or not, is
an error.  Errors inside an included file carry the chain of ``#INCLUDE``
sites that led there.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Iterator, Sequence

from cspc import syntax as S
from cspc.diagnostics import SOURCES, CompileError, Diagnostic, Span, read_source
from cspc.parse.builder import Include
from cspc.parse.preprocess import Origin, Preprocessor
from cspc.parse.recovery import parse_source

__all__ = ["Includer"]


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


def shown(name: str, limit: int = 120) -> str:
    """An #INCLUDE name as occam would write it (control characters as `*#XX`),
    its middle left out when it is very long."""
    text = "".join(c if c.isprintable() else f"*#{ord(c):02X}" for c in name)
    if len(text) > limit:
        text = f"{text[: limit // 2]}...({len(name)} characters)...{text[-limit // 4 :]}"
    return text


def _resolve(inc: Include, here: Path | None, include_paths) -> Path:
    name = f'{inc.directive} file "{shown(inc.path)}"'
    if not inc.path or any(not c.isprintable() for c in inc.path):
        raise CompileError.at(inc.span, f"cannot use {name}: a file name cannot hold control characters")
    for candidate in _candidates(inc.path, here, include_paths):
        try:
            if candidate.is_file():
                return candidate
        except OSError as err:  # e.g. a name longer than the system allows
            raise CompileError.at(inc.span, f"cannot use {name}: {err.strerror or err}") from None
    where = [str(here)] if here is not None else []
    where += [str(p) for p in include_paths] + ["cspc's library"]
    raise CompileError.at(inc.span, f"cannot find {name} (looked in {', '.join(where)})")


def _chained(diagnostics: list[Diagnostic], chain: tuple) -> list[Diagnostic]:
    """``diagnostics`` marked with the #INCLUDE sites that led to them (those
    from a file included further down keep their longer chain)."""
    sites = tuple(site.span for site in chain)
    return [d if d.include_chain else replace(d, include_chain=sites) for d in diagnostics]


def _with_chain(err: CompileError, chain: tuple) -> CompileError:
    return CompileError(_chained(err.diagnostics, chain))


class Includer:
    """Reads a file and every file it includes, splicing their specifications."""

    def __init__(self, include_paths, defines=None):
        self.include_paths = list(include_paths)
        self.files: list[str] = []
        self.seen: set[str] = set()  # files included at the top level (and the main file)
        self.warnings: list[Diagnostic] = []
        self.preprocessor = Preprocessor()
        if defines:
            self.preprocessor.defines.update(defines)

    def specs_of_text(self, text: str, filename: str, here: Path | None, chain: tuple) -> list[S.Spec]:
        """The specifications of one file (``chain``: the #INCLUDE sites that led to it)."""
        text = _registered(text, filename)
        included: dict[int, list[S.Spec]] = {}  # line of a top-level directive -> the file's specs

        def include(directive: str, name: str, span: Span):
            inc = Include(name, directive, span=span)
            if span.col > 1:  # inside a block: spliced in as text
                return self.splice(inc, here, chain)
            included[span.line] = self.include(inc, here, chain)
            return None

        warned = len(self.preprocessor.warnings)
        origins = None
        try:
            done = self.preprocessor.run(text, filename, include)
            origins = done.origins
            specs, warnings = parse_source(done.text, filename)
        except CompileError as err:
            if origins is not None:
                err = CompileError([_moved_diagnostic(d, origins) for d in err.diagnostics])
            raise _with_chain(err, chain) from None
        if origins is not None:
            _move_spans(specs, origins)
            warnings = [_moved_diagnostic(w, origins) for w in warnings]
        warnings = self.preprocessor.warnings[warned:] + warnings
        del self.preprocessor.warnings[warned:]
        self.warnings += _chained(warnings, chain)
        if included:
            specs = [s for spec in specs for s in (included.get(spec.span.line, []) if isinstance(spec, Include) else [spec])]
        return specs

    def include(self, inc: Include, here: Path | None, chain: tuple) -> list[S.Spec]:
        """A top-level #INCLUDE or #USE: the file's specifications, or none if
        it was included already."""
        path = self.locate(inc, here, chain)
        if os.path.realpath(path) in self.seen:
            return []
        return self.read(path, chain + (inc,))

    def splice(self, inc: Include, here: Path | None, chain: tuple) -> list[tuple[str, Origin]]:
        """An #INCLUDE or #USE inside a block: the file's lines (preprocessed,
        with their origins), to stand in place of the directive; none if the
        file is included at the top level already."""
        path = self.locate(inc, here, chain)
        if os.path.realpath(path) in self.seen:
            return []
        filename = str(path)
        chain = chain + (inc,)
        text = _registered(self.text_of(path, chain), filename)

        def include(directive: str, name: str, span: Span):
            return self.splice(Include(name, directive, span=span), path.parent, chain)

        warned = len(self.preprocessor.warnings)
        try:
            done = self.preprocessor.run(text, filename, include)
        except CompileError as err:
            raise _with_chain(err, chain) from None
        # Its #WARNINGs carry the sites that led to it.
        self.preprocessor.warnings[warned:] = _chained(self.preprocessor.warnings[warned:], chain)
        lines = done.text.split("\n")
        sites = tuple(site.span for site in chain)
        origins = done.origins or [Origin(filename, n, 0, ()) for n in range(1, len(lines) + 1)]
        return [
            (line, Origin(o.file, o.line, o.offset, sites if o.file == filename and not o.chain else o.chain))
            for line, o in zip(lines, origins)
        ]

    def locate(self, inc: Include, here: Path | None, chain: tuple) -> Path:
        """The file ``inc`` names; an error if it is missing or would include itself."""
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
        return path

    @staticmethod
    def _chain_files(chain: tuple) -> list[str]:
        return [site.span.file for site in chain]

    def text_of(self, path: Path, chain: tuple) -> str:
        filename = str(path)
        if filename not in self.files:
            self.files.append(filename)
        try:
            return read_source(filename)
        except OSError as err:
            site = chain[-1].span if chain else Span(filename, 0, 0)
            raise CompileError.at(site, f"cannot read {filename}: {err.strerror}") from None
        except CompileError as err:
            raise _with_chain(err, chain) from None

    def read(self, path: Path, chain: tuple = ()) -> list[S.Spec]:
        """The specifications of a file read at the top level (once per compilation)."""
        self.seen.add(os.path.realpath(path))
        text = self.text_of(path, chain)
        return self.specs_of_text(text, str(path), path.parent, chain)


def _registered(text: str, filename: str) -> str:
    """A file's text, kept for quoting in messages; a byte-order mark some
    editors write is left out."""
    text = text.removeprefix("\ufeff")
    SOURCES.add(filename, text)
    return text


def _moved(span: Span, origins: list[Origin]) -> tuple[Span, tuple]:
    """A span in text with spliced lines, as a span in the file it came from,
    and the #INCLUDE sites that led there."""
    if not 1 <= span.line <= len(origins):
        return span, ()
    o = origins[span.line - 1]
    end_line, end_col = span.end_line, span.end_col
    if 1 <= end_line <= len(origins) and origins[end_line - 1].file == o.file:
        e = origins[end_line - 1]
        end_line, end_col = e.line, max(end_col - e.offset, 1)
    else:
        end_line, end_col = o.line, max(span.col - o.offset, 1) + 1
    return Span(o.file, o.line, max(span.col - o.offset, 1), end_line, end_col), o.chain


def _moved_diagnostic(d: Diagnostic, origins: list[Origin]) -> Diagnostic:
    span, chain = _moved(d.span, origins)
    notes = [_moved_diagnostic(n, origins) for n in d.notes]
    return replace(d, span=span, notes=notes, include_chain=chain + d.include_chain)


def _move_spans(specs: list[S.Spec], origins: list[Origin]) -> None:
    """Give every node of ``specs`` its span in the file its text came from."""
    moved: dict[Span, Span] = {}
    stack: list[object] = list(specs)
    while stack:
        node = stack.pop()
        span = node.span
        if span.line:
            if span not in moved:
                moved[span] = _moved(span, origins)[0]
            node.span = moved[span]
        for value in vars(node).values():
            if isinstance(value, list):
                stack += [item for item in value if isinstance(item, S.Node)]
            elif isinstance(value, S.Node):
                stack.append(value)
