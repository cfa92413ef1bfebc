"""An opt-in import hook: ``import prog`` loads ``prog.csp`` (or ``prog.occ``) from sys.path.

Usage::

    import cspc.importer          # installs the hook (or call cspc.importer.install())
    import prog                   # finds prog.csp on sys.path and compiles it
    from cspc.runtime import Channel, Par, run
    ...                           # each PROC of prog is a function: prog.my_proc(...)

The finder is appended to ``sys.meta_path``, so an ordinary ``prog.py`` still
wins -- except a ``prog.py`` that ``cspc compile`` wrote from a ``prog.csp``
beside it which has changed since: that module is stale, and importing it
would run the old program, so the newer ``prog.csp`` is imported instead,
with a :class:`StaleModuleWarning` saying so.  Compiled code is cached by :mod:`cspc.compiler`'s cache, whose key
holds the text of the source and of every file it includes plus the cspc and
Python versions: a changed source, include or compiler recompiles.  Loading
``-m prog`` (runpy) runs the program's main PROC as ``cspc run`` would.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import warnings

SUFFIXES = (".csp", ".occ")


class OccamLoader(importlib.abc.SourceLoader):
    """Loads one occam source file as a Python module."""

    def __init__(self, fullname: str, path: str, include_paths=()) -> None:
        self.name = fullname
        self.path = path
        self.include_paths = tuple(include_paths)

    def get_filename(self, fullname: str | None = None) -> str:
        return self.path

    def get_data(self, path: str) -> bytes:
        with open(path, "rb") as f:
            return f.read()

    def source_to_code(self, data, path, *, _optimize=-1):
        """Compile occam source (bytes or str) to a Python code object."""
        from cspc.compiler import compile_text

        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return compile_text(text, path, self.include_paths + (os.path.dirname(path),)).code

    def get_code(self, fullname: str):
        """The code object, from cspc's compile cache when the sources are unchanged."""
        from cspc.compiler import compile_file

        return compile_file(self.path, self.include_paths + (os.path.dirname(self.path),)).code

    def exec_module(self, module) -> None:
        code = self.get_code(module.__name__)
        exec(code, module.__dict__)


class OccamFinder(importlib.abc.MetaPathFinder):
    """Finds ``name.csp`` / ``name.occ`` in the directories of sys.path (or a package's path)."""

    def find_spec(self, fullname, path=None, target=None):
        name = fullname.rpartition(".")[2]
        for entry in path if path is not None else sys.path:
            if not isinstance(entry, str):
                continue
            for suffix in SUFFIXES:
                candidate = os.path.join(entry or os.getcwd(), name + suffix)
                if os.path.isfile(candidate):
                    loader = OccamLoader(fullname, candidate)
                    return importlib.util.spec_from_file_location(
                        fullname, candidate, loader=loader
                    )
        return None


class StaleModuleWarning(UserWarning):
    """A module written by ``cspc compile`` is older than its occam source."""


class StaleModuleFinder(importlib.abc.MetaPathFinder):
    """Just before Python's own path finder: what it finds, unless that is a
    module ``cspc compile`` wrote from an occam source beside it that is newer
    -- then the source."""

    def find_spec(self, fullname, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        module = getattr(spec, "origin", None)
        if module is None or not module.endswith(".py"):
            return spec
        stem = module[: -len(".py")]
        for suffix in SUFFIXES:
            source = stem + suffix
            if _newer(source, module) and _written_by_cspc(module, os.path.basename(source)):
                warnings.warn(
                    f"{module} is older than {source}, from which cspc compiled it: importing "
                    f"{source} instead (compile it again, or delete {os.path.basename(module)})",
                    StaleModuleWarning,
                    stacklevel=2,
                )
                loader = OccamLoader(fullname, source)
                return importlib.util.spec_from_file_location(fullname, source, loader=loader)
        return spec


def _newer(source: str, module: str) -> bool:
    try:
        return os.stat(source).st_mtime_ns > os.stat(module).st_mtime_ns
    except OSError:
        return False


def _written_by_cspc(module: str, source_name: str) -> bool:
    from cspc.compiler import GENERATED_BY

    try:
        with open(module, encoding="utf-8", errors="replace") as f:
            first = f.readline()
    except OSError:
        return False
    return first.startswith(GENERATED_BY) and first.rstrip().endswith(f" from {source_name}.")


_FINDER = OccamFinder()
_STALE = StaleModuleFinder()


def install() -> None:
    """Let ``import`` find occam sources (idempotent)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.append(_FINDER)
    if _STALE not in sys.meta_path:
        # Right before PathFinder, so that builtin and frozen modules keep their place.
        where = next(
            (i for i, f in enumerate(sys.meta_path) if f is importlib.machinery.PathFinder),
            len(sys.meta_path) - 1,
        )
        sys.meta_path.insert(where, _STALE)


def uninstall() -> None:
    """Remove the hook (modules already imported stay imported)."""
    for finder in (_FINDER, _STALE):
        while finder in sys.meta_path:
            sys.meta_path.remove(finder)


install()
