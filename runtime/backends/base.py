"""The backend seam: what a scheduler must provide to run cspc processes.

Channel, ALT, PAR, barrier and timer semantics live outside the backends and
use only these primitives (installed by ``run`` into the modules that use
them; see ``runtime/_core.py``):

``current() -> proc``
    The running process record.  A record has the attributes ``name``,
    ``slot`` (a value handed over by a partner), ``exc`` (an exception to raise
    when it next wakes), ``wait_on`` (what it is blocked on), ``alt_count`` and
    ``alt_sites`` (ALT fairness state).
``acquire()`` / ``release()``
    The runtime lock guarding all channel state (a no-op on greenlets).
``block(proc, deadline=None)``
    Called with the lock held by ``proc`` itself after it set ``proc.wait_on``:
    release the lock and sleep until ``wake(proc)``; raise ``proc.exc`` if set
    on waking.  With a deadline (absolute microseconds, see ``timers.now_us``),
    when it passes first call ``proc.wait_on._timeout(proc)`` under the lock
    and, if that returns True, wake ``proc``.
``wake(proc)``
    Lock held: make a blocked process runnable.
``spawn(fn, name, join) -> proc``
    Start a process running ``process.run_branch(proc, fn, join)``.

plus, on the backend object, ``is_blocked(proc)``, ``external_call(fn)``
(run fn outside the scheduler, e.g. a blocking read of stdin, without freezing
other processes or counting as deadlock), ``idle_hooks`` (called when every
process waits for a timer or the outside world), ``shutdown_exceptions`` and
``run(main, args)``.

What a blocked process waits on (``wait_on``) implements ``_cancel(proc)``,
``_kill(proc, exc)`` and ``_describe(proc) -> BlockedProcess`` (and
``_timeout(proc) -> bool`` if the wait has a deadline).
"""

from __future__ import annotations

import os
import sys

from ..errors import BlockedProcess, Deadlock

_RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SOURCE_SUFFIXES = (".csp", ".occ", ".module", ".inc")


class Shutdown(BaseException):
    """Raised in processes still alive when a run ends (deadlock, failure, or
    the main process returning while daemons such as the keyboard feeder run)."""


class ExternalWait:
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

    def _kill(self, proc, exc):
        from .. import _core

        self.done = True
        proc.exc = exc
        _core.active.wake(proc)

    def _describe(self, proc):
        if not self.expected():
            return None  # reading ahead for nobody: not part of a deadlock
        return BlockedProcess(proc.name, "external", detail=self.what)


def _is_internal(filename: str) -> bool:
    if filename.startswith(_RUNTIME_DIR):
        return True
    return filename.startswith("<frozen") or os.path.basename(filename) in ("threading.py", "greenlet.py")


def source_location(frame) -> str | None:
    """Where a blocked process is: the innermost frame compiled from occam source
    (``.csp``, ``.occ``, ``.module``, ``.inc``), else the innermost frame outside
    the runtime, as ``file:line``."""
    first_user = None
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.endswith(_SOURCE_SUFFIXES):
            return f"{filename}:{frame.f_lineno}"
        # A module written by `cspc compile` maps its own lines back to occam's.
        mapped = frame.f_globals.get("__csp_lines__")
        if mapped and frame.f_lineno in mapped:
            source_file, source_line = mapped[frame.f_lineno][:2]
            return f"{source_file}:{source_line}"
        if first_user is None and not _is_internal(filename):
            first_user = f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return first_user


def deadlock_report(blocked_procs, frame_of) -> Deadlock:
    """Build the Deadlock exception for processes that are all blocked."""
    records = []
    for proc in blocked_procs:
        record = proc.wait_on._describe(proc)
        if record is None:  # a wait that says it takes no part (see ExternalWait)
            continue
        try:
            record.location = source_location(frame_of(proc))
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

    def is_blocked(self, proc) -> bool:
        raise NotImplementedError

    def external_call(self, fn, what="external input", wanted=None):
        """Run fn() (e.g. a read of stdin) without blocking other processes;
        while it runs, the caller counts as waiting for the outside world, not
        as deadlocked -- as long as ``wanted()`` is true (see ExternalWait)."""
        raise NotImplementedError


def frames_of_threads():
    return sys._current_frames()
