"""occam TIMERs: a wrapping signed 32-bit microsecond clock, and waiting on it.

The clock is ``time.monotonic_ns() // 1000`` wrapped to INT32, so values wrap
about every 71.6 minutes; compare them with :func:`after`, never with ``<``.
Backends keep deadlines as absolute (unwrapped) microseconds from
:func:`now_us`; :func:`deadline_us` converts an occam time to one.
"""

from __future__ import annotations

import time

from . import _core
from ._core import Waitable
from .errors import BlockedProcess

_current = _block = _block_until = _wake = _spawn = None
_core.hot(globals())

_monotonic_ns = time.monotonic_ns


def now_us() -> int:
    """Absolute (unwrapped) microseconds on the monotonic clock."""
    return _monotonic_ns() // 1000


def wrap32(n: int) -> int:
    """n wrapped to a signed 32-bit integer."""
    return ((n + 0x80000000) & 0xFFFFFFFF) - 0x80000000


def after(a: int, b: int) -> bool:
    """occam's ``a AFTER b``: true when a is later than b on the wrapping clock,
    i.e. when (a - b) wrapped to INT32 is positive."""
    return ((a - b + 0x80000000) & 0xFFFFFFFF) - 0x80000000 > 0


def deadline_us(t: int, now: int | None = None) -> int:
    """The absolute deadline for occam time ``t`` (a wrapped clock value): the
    nearest moment, within half a wrap either side of now, that reads as t."""
    if now is None:
        now = now_us()
    return now + wrap32(t - now)


class _TimerWait(Waitable):
    """What a process waiting in Timer.after is blocked on (one per wait)."""

    __slots__ = ("done",)

    def __init__(self):
        self.done = False

    def _timeout(self, proc) -> bool:
        if self.done:
            return False
        self.done = True
        return True

    def _cancel(self, proc) -> None:
        self.done = True

    def _describe(self, proc) -> BlockedProcess:
        return BlockedProcess(proc.name, "timer")


class Timer:
    """An occam TIMER.  ``read()`` gives the clock; ``after(t)`` waits until the
    clock is AFTER t (occam ``tim ? AFTER t``); ``sleep(us)`` waits a while."""

    __slots__ = ("name",)

    def __init__(self, name=None):
        self.name = name or "timer"

    @staticmethod
    def read() -> int:
        return wrap32(_monotonic_ns() // 1000)

    def after(self, t: int) -> None:
        now = now_us()
        deadline = deadline_us(t, now)
        if deadline > now:
            _wait_until(deadline)

    def sleep(self, microseconds: int) -> None:
        if microseconds > 0:
            _wait_until(now_us() + microseconds)

    def __repr__(self):
        return f"<Timer {self.name}>"


def _wait_until(deadline: int) -> None:
    cur = _current()
    _block_until(cur, _TimerWait(), deadline)
