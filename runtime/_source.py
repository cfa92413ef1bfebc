"""Where a running frame is in the occam source: shared by deadlock reports
(``backends/base.py``) and run-time error reports (``occam.py``)."""

from __future__ import annotations

# Files compiled from occam source: their frames' lines are occam lines.
SOURCE_SUFFIXES = (".csp", ".occ", ".module", ".inc")


def is_source_file(filename: str) -> bool:
    return filename.endswith(SOURCE_SUFFIXES)


def mapped_line(frame_globals: dict, lineno: int):
    """``(source file, source line, ...)`` for line ``lineno`` of a module written
    by ``cspc compile`` (which maps its own lines to occam's in ``__csp_lines__``),
    or None."""
    mapped = frame_globals.get("__csp_lines__")
    if mapped and lineno in mapped:
        return tuple(mapped[lineno])
    return None
