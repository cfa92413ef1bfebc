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
from cspc.parse.preprocess import Preprocessor
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


def _with_chain(err: CompileError, chain: tuple) -> CompileError:
    """``err`` again, its diagnostics marked with the #INCLUDE sites that led to
    them (those from a file included further down keep their longer chain)."""
    sites = tuple(site.span for site in chain)
    return CompileError([d if d.include_chain else replace(d, include_chain=sites) for d in err.diagnostics])


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
        text = text.removeprefix("\ufeff")  # a byte-order mark some editors write
        SOURCES.add(filename, text)
        included: dict[int, list[S.Spec]] = {}  # line of a directive -> the file's specs
        nested_cols: list[int] = []

        def include(directive: str, name: str, span: Span) -> None:
            nested_cols.append(span.col)
            included[span.line] = self.include(Include(name, directive, span=span), here, chain)

        warned = len(self.preprocessor.warnings)
        try:
            text = self.preprocessor.run(text, filename, include)
            specs, warnings = parse_source(text, filename)
        except CompileError as err:
            raise _with_chain(err, chain) from None
        warnings = self.preprocessor.warnings[warned:] + warnings
        del self.preprocessor.warnings[warned:]
        for w in warnings:
            w.include_chain = tuple(site.span for site in chain)
        self.warnings += warnings
        if included:
            nested = any(col > 1 for col in nested_cols)
            specs = _splice(specs, included, deep=nested)
        return specs

    def include(self, inc: Include, here: Path | None, chain: tuple) -> list[S.Spec]:
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
        top_level = all(site.span.col == 1 for site in chain + (inc,))
        return self.read(path, chain + (inc,), top_level=top_level)

    @staticmethod
    def _chain_files(chain: tuple) -> list[str]:
        return [site.span.file for site in chain]

    def read(self, path: Path, chain: tuple = (), top_level: bool = True) -> list[S.Spec]:
        if top_level:
            self.seen.add(os.path.realpath(path))
        filename = str(path)
        if filename not in self.files:
            self.files.append(filename)
        try:
            text = read_source(filename)
        except OSError as err:
            site = chain[-1].span if chain else Span(filename, 0, 0)
            raise CompileError.at(site, f"cannot read {filename}: {err.strerror}") from None
        except CompileError as err:
            raise _with_chain(err, chain) from None
        return self.specs_of_text(text, filename, path.parent, chain)


def _splice(specs: list[S.Spec], included: dict[int, list[S.Spec]], deep: bool) -> list[S.Spec]:
    """``specs`` with each :class:`Include` placeholder replaced by the
    specifications of its file (read already; ``included`` maps the
    directive's line to them); ``deep``: look inside every block too."""

    def spliced(items: list) -> list:
        out = []
        for item in items:
            if isinstance(item, Include):
                out += included.get(item.span.line, [])
            else:
                out.append(item)
        return out

    specs = spliced(specs)
    stack: list[object] = list(specs) if deep else []
    while stack:
        node = stack.pop()
        for name, value in vars(node).items():
            if isinstance(value, list):
                if any(isinstance(item, Include) for item in value):
                    value = spliced(value)
                    setattr(node, name, value)
                stack += [item for item in value if isinstance(item, S.Node)]
            elif isinstance(value, S.Node):
                stack.append(value)
    return specs
