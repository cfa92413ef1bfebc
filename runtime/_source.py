"""Where a running frame is in the occam source: shared by deadlock reports
(``backends/base.py``) and run-time error reports (``occam.py``)."""

from __future__ import annotations

import functools
import importlib.util
import os

# Files compiled from occam source: their frames' lines are occam lines.
SOURCE_SUFFIXES = (".csp", ".occ", ".module", ".inc")


def is_source_file(filename: str) -> bool:
    return filename.endswith(SOURCE_SUFFIXES)


@functools.cache
def _library_folder() -> str | None:
    """cspc's bundled occam library (course.module, ...), the folder of the
    package cspc.lib, found without importing it (the runtime imports nothing
    of the compiler)."""
    try:
        spec = importlib.util.find_spec("cspc.lib")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.abspath(list(spec.submodule_search_locations)[0]) + os.sep


def is_library_file(filename: str) -> bool:
    """Is ``filename`` part of cspc's bundled occam library?  A report names the
    user's own line that called into it first, the library's line after."""
    folder = _library_folder()
    return folder is not None and os.path.abspath(filename).startswith(folder)


def mapped_line(frame_globals: dict, lineno: int):
    """``(source file, source line, ...)`` for line ``lineno`` of a module written
    by ``cspc compile`` (which maps its own lines to occam's in ``__csp_lines__``),
    or None."""
    mapped = frame_globals.get("__csp_lines__")
    if mapped and lineno in mapped:
        return tuple(mapped[lineno])
    return None
