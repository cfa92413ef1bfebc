"""Running a compiled occam program as ``cspc run`` does, and telling its
run-time errors in occam's terms: ``file:line:col: run-time error: message``,
the source line and a caret, at the innermost frame compiled from occam (a
module written by ``cspc compile`` maps its own lines and columns back with
its ``__csp_lines__`` and ``__csp_columns__``).  Part of the occam ABI:
:mod:`cspc.runtime.occam` re-exports :func:`run_program`, which a compiled
module run as a script calls.
"""

from __future__ import annotations

import linecache
import os
import sys

from cspc.runtime._source import SOURCE_SUFFIXES, is_library_file, mapped_line
from cspc.runtime.errors import EndInUse, OccamError, SystemLimit
from cspc.runtime.io import run_main


def csp_frame(tb):
    """(file, line, col, end_col) of the innermost traceback frame in a compiled
    occam source (col and end_col are 1-based, or 0 when unknown).

    A frame of code compiled from occam (``cspc run``) has occam positions; a
    frame of a module written by ``cspc compile`` has its own, which its
    ``__csp_lines__`` (and ``__csp_columns__``, when there) map to occam's."""
    places = csp_frames(tb)
    return places[-1] if places else None


def csp_frames(tb) -> list:
    """The :func:`csp_frame` of every traceback frame in compiled occam, outermost first."""
    found = []
    while tb is not None:
        code, lineno = tb.tb_frame.f_code, tb.tb_lineno
        if code.co_filename.endswith(SOURCE_SUFFIXES):
            line, end_line, start, end = _position(code, tb.tb_lasti)
            found.append((code.co_filename, lineno) + _columns(lineno, line, end_line, start, end))
        else:
            mapped = mapped_line(tb.tb_frame.f_globals, lineno)
            if mapped:
                place = mapped[:2] + (0, 0)
                span = _mapped_span(tb.tb_frame.f_globals, _position(code, tb.tb_lasti))
                if span is not None:
                    place = (mapped[0], span[0]) + _columns(span[0], *span)
                found.append(place)
        tb = tb.tb_next
    return found


def _position(code, lasti):
    """(line, end_line, col, end_col) of the instruction at ``lasti`` (Nones if unknown)."""
    try:
        return tuple(list(code.co_positions())[lasti // 2])
    except (AttributeError, IndexError, ValueError, TypeError):
        return (None, None, None, None)


def _columns(lineno, line, end_line, start, end):
    """(col, end_col), 1-based, of a 0-based span on ``lineno`` ((0, 0): unknown)."""
    if line != lineno or start is None or start < 0:
        return (0, 0)
    return (start + 1, end + 1 if end_line == line and end is not None and end >= 0 else 0)


def _mapped_span(frame_globals, position):
    """The occam (line, end_line, col, end_col) of the smallest node listed in
    ``__csp_columns__`` (see ``cspc compile``) that holds ``position``, or None."""
    columns = frame_globals.get("__csp_columns__")
    line, end_line, start, end = position
    if not isinstance(columns, dict) or None in position:
        return None
    best = None
    order = 0
    for first, nodes in columns.items():
        if first > line:
            continue
        for col, last, end_col, *occam in nodes:
            order += 1
            if (first, col) <= (line, start) and (end_line, end) <= (last, end_col):
                key = (first, col, -last, -end_col, order)
                if best is None or key > best[0]:
                    best = (key, occam)
    if best is None:
        return None
    occam_line, occam_col, occam_end_line, occam_end_col = best[1]
    return (occam_line, occam_end_line, occam_col, occam_end_col)


# Python exceptions that generated code can raise for an occam run-time error.
_RUNTIME_EXCEPTIONS = {
    IndexError: "array index out of range",
    ZeroDivisionError: "division by zero",
    OverflowError: "arithmetic overflow",
    RecursionError: "recursion too deep",
}


def runtime_error_text(exc):
    """The message for a run-time error, or None if ``exc`` is not one (a bug)."""
    if isinstance(exc, (OccamError, SystemLimit)):
        return str(exc)
    if isinstance(exc, EndInUse):
        return exc.occam_text
    for kind, text in _RUNTIME_EXCEPTIONS.items():
        if isinstance(exc, kind):
            return text
    return None


def root_cause(exc):
    """The exception a process died of: a PAR reports a failed branch as a
    ProcessError whose ``__cause__`` is the original exception."""
    from cspc import runtime

    wrapper = getattr(runtime, "ProcessError", ())
    seen = 0
    while isinstance(exc, wrapper) and exc.__cause__ is not None and seen < 1000:
        exc, seen = exc.__cause__, seen + 1
    return exc


def is_runtime_error(exc):
    from cspc import runtime

    exc = root_cause(exc)
    deadlock = getattr(runtime, "Deadlock", ())
    return isinstance(exc, deadlock) or runtime_error_text(exc) is not None


def format_runtime_error(exc):
    """``file:line: run-time error: message`` plus the source line, for a user."""
    from cspc import runtime

    exc = root_cause(exc)
    deadlock = getattr(runtime, "Deadlock", ())
    if getattr(exc, "remote_report", None) is not None:  # written out on the MPI rank where it happened
        return exc.remote_report
    if isinstance(exc, deadlock):
        text = str(exc)
        return f"run-time error: {text if text.startswith('deadlock') else 'deadlock: ' + text}"
    text = runtime_error_text(exc)
    places = csp_frames(exc.__traceback__)
    if not places:
        return f"run-time error: {text}"
    where, inside = places[-1], None
    if is_library_file(where[0]):  # inside a course.module PROC: the user's call first
        callers = [p for p in places if not is_library_file(p[0])]
        if callers:
            where, inside = callers[-1], places[-1]
    filename, lineno, col, end_col = where[:4]
    place = _place(filename, lineno, col)
    lines = [f"{place}: run-time error: {text}"]
    linecache.checkcache(filename)  # the file may have changed since an earlier run in this process
    source = linecache.getline(filename, lineno).rstrip("\n")
    if source:
        lines.append(f"    {source}")
        if col:
            pad = "".join("\t" if ch == "\t" else " " for ch in source[: col - 1])
            width = max(end_col - col, 1) if end_col else 1
            lines.append(f"    {pad}^" + "~" * (width - 1))
    if inside is not None:
        lines.append(f"{_place(inside[0], inside[1], inside[2])}: note: in the library, here")
    return "\n".join(lines)


def _place(filename, lineno, col) -> str:
    shown = os.path.relpath(filename) if os.path.isabs(filename) else filename
    if shown.startswith(".."):
        shown = filename
    return f"{shown}:{lineno}:{col}" if col else f"{shown}:{lineno}"


# What a run stopped by Ctrl-C (SIGINT) prints on stderr, and its exit status.
INTERRUPTED = "cspc: interrupted"
EXIT_INTERRUPTED = 130
EXIT_USAGE_ERROR = 2


def run_program(
    proc, backend=None, stdin=None, stdout=None, stderr=None, *, observer=None, policy=None
):
    """Run a compiled main PROC on the process's standard streams; return the exit status.

    As ``cspc run`` does: 0 on success; 1 (after printing the message on
    stderr) on a run-time error or deadlock; 2 for an unknown backend (in
    ``backend`` or ``$CSPC_BACKEND``), before anything runs; 130 after Ctrl-C
    (printing ``cspc: interrupted``).  Other exceptions are bugs and propagate.
    ``observer`` and ``policy`` are the run's hooks (see :mod:`cspc.runtime.hooks`).
    """
    from cspc.runtime.backends import UnknownBackend, resolve_name

    try:
        resolve_name(backend)
    except UnknownBackend as exc:
        print(f"cspc: {exc}", file=sys.stderr, flush=True)
        return EXIT_USAGE_ERROR
    try:
        run_main(
            proc,
            backend=backend,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            observer=observer,
            policy=policy,
        )
    except KeyboardInterrupt:
        _flush_stdout()
        print(INTERRUPTED, file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED
    except BaseException as exc:  # noqa: BLE001 -- sorted out just below
        if isinstance(exc, SystemExit) or not is_runtime_error(exc):
            raise
        _flush_stdout()
        print(format_runtime_error(exc), file=sys.stderr, flush=True)
        return 1
    return 0


def _flush_stdout():
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
