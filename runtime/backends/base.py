"""The backend seam: what a scheduler must provide to run cspc processes.

Channel, ALT, PAR, barrier and timer semantics live outside the backends and
use only these primitives (bound by ``run`` into the modules that use them;
the blocking protocol and the no-lock rule are in ``runtime/_core.py``):

``current() -> proc``
    The running process record.  A record has the attributes ``name``,
    ``slot`` (a value handed over by a partner), ``exc`` (an exception to raise
    when it next wakes), ``wait_on`` (the Waitable it is blocked on, None
    while it is not blocked), ``alt_count`` and ``alt_sites`` (ALT fairness).
``block(proc, waitable)``
    Called by ``proc`` itself, registered in ``waitable``: raise ``proc.exc``
    at once if set (after ``waitable._cancel(proc)``); else set
    ``proc.wait_on = waitable``, let other processes run and sleep until
    ``wake(proc)``; on waking raise ``proc.exc`` if set.
``block_until(proc, waitable, deadline)``
    The same, and once the deadline (absolute microseconds, see
    ``timers.now_us``) passes, call ``waitable._timeout(proc)`` and, if it
    returns True, wake ``proc``.
``wake(proc)``
    Make a blocked process runnable; the caller has cleared ``proc.wait_on``.
``spawn(fn, name, join) -> proc``
    Start a process running ``process.run_branch(proc, fn, join)``.
``reschedule(proc)``
    Called by ``proc`` itself, which is not blocked: let every other runnable
    process (and due timers) run before ``proc`` goes on; raise ``proc.exc``
    afterwards if set.  ``runtime/fair.py`` calls it when a time slice is over.
``direct``
    A ``_core.DirectSwitch``: how ``Channel.read``/``write`` may do what
    ``block`` does without calling it (greenlets), or ``_core.NO_DIRECT_SWITCH``
    (always off: every block goes through ``block``).  See "The direct switch"
    in ``runtime/_core.py``.

plus, on the backend object, ``wake(proc)`` (clears ``wait_on`` too),
``is_blocked(proc)``, ``external_call(fn)`` (run fn outside the scheduler,
e.g. a blocking read of stdin, without freezing other processes or counting as
deadlock), ``idle_hooks`` (called when every process waits for a timer or the
outside world), ``shutdown_exceptions`` and ``run(main, args)``.

A backend must run one process at a time, switching only inside ``block``,
``block_until``, ``reschedule`` and ``external_call``: the semantics take no lock.
"""

from __future__ import annotations

import os

from .._core import Waitable
from .._source import is_library_file, is_source_file, mapped_line
from ..errors import BlockedProcess, Deadlock

_RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Shutdown(BaseException):
    """Raised in processes still alive when a run ends (deadlock, failure, or
    the main process returning while daemons such as the keyboard feeder run)."""


class ExternalWait(Waitable):
    """What a process waiting in ``external_call`` is blocked on.

    ``wanted`` (a no-argument callable, or None for "always") says whether some
    process is waiting for the call's result.  A call nobody wants does not keep
    the run alive: the keyboard feeder reading stdin ahead of demand must not
    hide a deadlock among processes that never read the keyboard.
    """

    __slots__ = ("what", "done", "wanted")

    def __init__(self, what, wanted=None):
        self.what = what
        self.done = False
        self.wanted = wanted

    def expected(self) -> bool:
        """Whether the run should wait for this call's result."""
        return self.wanted is None or bool(self.wanted())

    def _cancel(self, proc):
        self.done = True

    def _describe(self, proc):
        if not self.expected():
            return None  # reading ahead for nobody: not part of a deadlock
        return BlockedProcess(proc.name, "external", detail=self.what)


def _is_internal(filename: str) -> bool:
    if filename.startswith(_RUNTIME_DIR):
        return True
    return filename.startswith("<frozen") or os.path.basename(filename) in ("threading.py", "greenlet.py")


def source_locations(frame) -> tuple[str | None, str | None]:
    """Where a blocked process is, as ``file:line``: the innermost frame compiled
    from occam source (``.csp``, ``.occ``, ``.module``, ``.inc``), else the
    innermost frame outside the runtime.  When that frame is in cspc's bundled
    library (a course.module PROC), the user's line that called it comes first
    and the library's second; else the second is None."""
    first_user = library = None
    while frame is not None:
        filename = frame.f_code.co_filename
        place = None
        if is_source_file(filename):
            place = (filename, frame.f_lineno)
        else:
            mapped = mapped_line(frame.f_globals, frame.f_lineno)
            if mapped:
                place = mapped[:2]
        if place is not None:
            where = f"{place[0]}:{place[1]}"
            if not is_library_file(place[0]):
                return where, library
            library = library or where
        elif first_user is None and not _is_internal(filename):
            first_user = f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return (library, None) if library else (first_user, None)


def source_location(frame) -> str | None:
    """The first of :func:`source_locations`."""
    return source_locations(frame)[0]


def deadlock_report(blocked_procs, frame_of) -> Deadlock:
    """Build the Deadlock exception for processes that are all blocked."""
    records = []
    for proc in blocked_procs:
        record = proc.wait_on._describe(proc)
        if record is None:  # a wait that says it takes no part (see ExternalWait)
            continue
        try:
            record.location, inside = source_locations(frame_of(proc))
            if inside:
                where = f"in the library at {inside}"
                record.detail = f"{record.detail}; {where}" if record.detail else where
        except Exception:  # a report must never fail for want of a location
            record.location = None
        records.append(record)
    records.sort(key=_report_order)
    return Deadlock(records)


def conclude(outcome: dict, deadlock: Deadlock | None):
    """What a backend's run() gives once its processes are unwound: the Deadlock,
    else the main process's exception, else its result."""
    if deadlock is not None:
        raise deadlock
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


def _report_order(record):
    """Source order (file, then line number), PAR waits last."""
    file, _, line = (record.location or "").rpartition(":")
    return (record.waiting_for == "PAR", file, int(line) if line.isdigit() else 0, record.process)


class Backend:
    name = "?"
    shutdown_exceptions: tuple = (Shutdown,)

    def primitives(self) -> dict:
        raise NotImplementedError

    def run(self, main, args):
        raise NotImplementedError

    def wake(self, proc) -> None:
        """Make a blocked process runnable (for code outside the hot modules)."""
        proc.wait_on = None
        self.primitives()["_wake"](proc)

    def is_blocked(self, proc) -> bool:
        return proc.wait_on is not None

    def frame_of(self, proc):
        """The innermost Python frame of ``proc`` (the calling process's own
        frame when it asks about itself), or None if it has none."""
        raise NotImplementedError

    def reserve(self, n: int) -> None:
        """Called by PAR before it starts ``n`` processes: a backend that can run
        only so many refuses at once, rather than after starting most of them."""

    def external_call(self, fn, what="external input", wanted=None):
        """Run fn() (e.g. a read of stdin) without blocking other processes;
        while it runs, the caller counts as waiting for the outside world, not
        as deadlocked -- as long as ``wanted()`` is true (see ExternalWait)."""
        raise NotImplementedError
