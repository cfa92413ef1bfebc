"""Fair scheduling at loop ends: no process keeps the others waiting for long.

Both backends switch processes only where one blocks (see ``_core.py``), so a
process that never blocks -- a ``WHILE`` computing, or polling with a ``PRI
ALT`` whose ``SKIP`` guard is always ready -- would keep every other process,
and every timer, waiting for as long as it runs: a program that runs under
KRoC, which deschedules a process at the end of a loop once its time slice
is over, would livelock.

So compiled code calls :func:`tick` at the end of every iteration of a loop
(``WHILE``, replicated ``SEQ``) that may go round without blocking; the checks
decide which (``cspc/check/loops.py``: a loop whose every iteration
communicates needs no tick).  Every
:data:`TICKS` calls it looks at the clock, and once :data:`SLICE_US` have
passed since the last such switch, the running process lets every other
runnable process, and every process whose timer is due, run before it goes on
(the backends' ``reschedule``).  The guarantee, on both backends: a process
that runs without blocking is set aside at its next loop end after about
``SLICE_US`` (plus at most ``TICKS`` loop iterations); a process that
communicates is never set aside by this.  A tick costs one call and one
decrement, and only loops that do not communicate pay it.
"""

from __future__ import annotations

from . import _core
from .timers import now_us

TICKS = 256  # loop ends between looks at the clock
SLICE_US = 2_000  # the time slice, in microseconds

_current = _reschedule = None  # bound to the running backend's primitives (see _core)
_core.hot(globals())

_ticks = TICKS
_slice_start = 0
# Called when a time slice is over, before the others run: a run over MPI receives
# its messages there (runtime/distributed/engine.py), not only when its pump's turn
# comes round; None otherwise.
_on_slice = None


def tick() -> None:
    """A loop end: after a time slice of running, let the others run."""
    global _ticks
    _ticks -= 1
    if _ticks < 0:
        _slice_over()


def _slice_over() -> None:
    global _ticks, _slice_start
    _ticks = TICKS
    now = now_us()
    if now - _slice_start >= SLICE_US and _core.active is not None:  # (a PROC called
        if _on_slice is not None:  # from plain Python, outside a run, has no one to let in)
            _on_slice()
        _reschedule(_current())
        _slice_start = now_us()
