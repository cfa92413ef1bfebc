"""ALT: wait for the first of several guards to become ready.

Guards: :class:`InputGuard`, :class:`OutputGuard`, :class:`SkipGuard` and
:class:`TimeoutGuard`, each with a boolean precondition.  ``alt(guards)``
returns ``(index, value)``: the chosen guard's index and, for an input guard,
the value read (else None).

Choice: when several guards are ready at once, the *choice policy* decides
(``set_alt_policy``).  The default, :class:`FairPolicy`, takes the first ready
guard for PRI ALT; for plain ALT it takes the first ready guard at or after a
starting index that rotates by one on every ALT (per Alt object, per ``site``
passed to ``alt``, or else per process), so a guard that stays ready is chosen
at least once every n ALTs of n guards -- never starved.  When nothing is
ready, the ALT waits and the first guard to become ready wins.  An ALT with no
enabled guard behaves as STOP.
"""

from __future__ import annotations

from . import _core
from ._core import Waitable
from .channels import as_channel
from .errors import BlockedProcess, CSPError
from .timers import deadline_us, now_us

_current = _block = _block_until = _wake = _spawn = None
_core.hot(globals())

_INPUT, _OUTPUT, _SKIP, _TIMEOUT = range(4)


class Guard:
    __slots__ = ("precondition",)
    kind = -1
    extended = False  # an ExtendedInputGuard


class InputGuard(Guard):
    """Ready when a writer waits on the channel (occam ``cond & c ? x``)."""

    __slots__ = ("channel",)
    kind = _INPUT

    def __init__(self, channel, precondition=True):
        self.channel = as_channel(channel, "input")
        self.precondition = precondition

    def __repr__(self):
        return f"InputGuard({self.channel.name})"


class ExtendedInputGuard(InputGuard):
    """An input guard of occam-pi's extended rendezvous (``c ?? x``): chosen,
    it takes the value and keeps the writer waiting until the chooser calls
    ``channel.release_extended()`` (see ``Channel.read_extended``)."""

    __slots__ = ()
    extended = True

    def __repr__(self):
        return f"ExtendedInputGuard({self.channel.name})"


class OutputGuard(Guard):
    """Ready when a reader waits on the channel; chosen, it writes ``value``."""

    __slots__ = ("channel", "value")
    kind = _OUTPUT

    def __init__(self, channel, value, precondition=True):
        self.channel = as_channel(channel, "output")
        self.value = value
        self.precondition = precondition

    def __repr__(self):
        return f"OutputGuard({self.channel.name}, {self.value!r})"


class SkipGuard(Guard):
    """Always ready (occam ``cond & SKIP``)."""

    __slots__ = ()
    kind = _SKIP

    def __init__(self, precondition=True):
        self.precondition = precondition

    def __repr__(self):
        return "SkipGuard()"


class TimeoutGuard(Guard):
    """Ready once the timer clock is AFTER ``deadline`` (occam ``tim ? AFTER t``;
    ``deadline`` is a value of the wrapping Timer clock), or, given as
    ``TimeoutGuard(seconds=s)``, once ``s`` seconds have passed since the ALT
    started waiting."""

    __slots__ = ("deadline", "seconds")
    kind = _TIMEOUT

    def __init__(self, deadline=None, precondition=True, *, seconds=None):
        if (deadline is None) == (seconds is None):
            raise CSPError("TimeoutGuard needs exactly one of a deadline or seconds=")
        if seconds is not None and not isinstance(seconds, (int, float)):
            raise TypeError(f"TimeoutGuard: seconds must be a number, got {seconds!r}")
        self.deadline = deadline
        self.seconds = seconds
        self.precondition = precondition

    def _deadline_us(self, now: int) -> int:
        """The absolute deadline (see timers.now_us) for an ALT starting ``now``."""
        if self.seconds is not None:
            return now + round(self.seconds * 1_000_000)
        return deadline_us(self.deadline, now)

    def __repr__(self):
        if self.seconds is not None:
            return f"TimeoutGuard(seconds={self.seconds})"
        return f"TimeoutGuard({self.deadline})"


# -- choice policies -------------------------------------------------------------


class FairPolicy:
    """PRI ALT: the first ready guard.  ALT: the first ready guard at or after a
    starting index that rotates by one on every ALT of the same site."""

    def choose(self, process, guards, ready, pri, site) -> int:
        if pri or len(ready) == 1:
            return ready[0]
        start = _next_start(process, site, len(guards))
        for i in ready:
            if i >= start:
                return i
        return ready[0]


def _next_start(process, site, n) -> int:
    if site is None:
        count = process.alt_count
        process.alt_count = count + 1
    else:
        counts = process.alt_sites
        if counts is None:
            counts = process.alt_sites = {}
        count = counts.get(site, 0)
        counts[site] = count + 1
    return count % n


_policy = FairPolicy()

# Called as ``_before_alt(process, guards)`` at the start of every ALT while a
# controlled scheduler runs (runtime/backends/controlled.py: it parks the ALT
# until the explorer decides which guard it takes); None otherwise.
_before_alt = None


def set_alt_policy(policy) -> None:
    """Replace the choice policy: ``policy.choose(process, guards, ready, pri,
    site) -> index``, called (under the runtime lock) with the indices of the
    ready guards in order, whenever an ALT finds at least one ready guard.
    None restores the default FairPolicy."""
    global _policy
    _policy = FairPolicy() if policy is None else policy


def get_alt_policy():
    return _policy


# -- the ALT itself ----------------------------------------------------------------


class _AltState(Waitable):
    """A waiting ALT: the process, its guards, and where it is registered."""

    __slots__ = ("proc", "guards", "registered", "timeout_index", "done")

    def __init__(self, proc, guards):
        self.proc = proc
        self.guards = guards
        self.registered = []
        self.timeout_index = -1
        self.done = False  # resolved, failed, timed out or cancelled

    def _unregister(self) -> None:
        self.done = True
        for g in self.registered:
            if g.kind == _INPUT:
                g.channel._in_unregister(self)
            else:
                g.channel._out_unregister(self)
        self.registered = []

    def resolve(self, index, value) -> None:
        """A partner completed guard ``index``: wake the ALT with it.  (For an
        extended input guard the partner, a writer, then waits to be released.)"""
        self._unregister()
        proc = self.proc
        proc.slot = (index, value)
        proc.wait_on = None  # wake(proc), written out: this is the ALT's hot path
        _wake(proc)
        guard = self.guards[index]
        if guard.extended:
            guard.channel._hold_writer()

    def fail(self, exc) -> None:
        self._kill(self.proc, exc)

    def _timeout(self, proc) -> bool:
        """The earliest timeout guard's deadline passed: choose it, unless a
        partner got here first."""
        if self.done:
            return False
        self._unregister()
        proc.slot = (self.timeout_index, None)
        return True

    def _cancel(self, proc) -> None:
        self._unregister()

    def _describe(self, proc) -> BlockedProcess:
        names = []
        for g in self.registered:
            mark = "?" if g.kind == _INPUT else "!"
            names.append(g.channel.name + mark)
        return BlockedProcess(proc.name, "ALT", ", ".join(names) or None,
                              channels=tuple(g.channel.name for g in self.registered))


def alt(guards, pri=False, site=None):
    """Wait for one of ``guards``; return ``(index, value_read_or_None)``.

    ``pri=True`` is PRI ALT.  ``site`` (any hashable, e.g. a constant per ALT in
    the source) keys the fairness rotation of plain ALT."""
    cur = _current()
    if _before_alt is not None:
        _before_alt(cur, guards)
    ready = []
    enabled = False
    earliest = None
    now = None
    for i, g in enumerate(guards):
        if not g.precondition:
            continue
        enabled = True
        kind = g.kind
        if kind == _INPUT:
            if g.channel._in_ready():
                ready.append(i)
        elif kind == _OUTPUT:
            if g.channel._out_ready():
                ready.append(i)
        elif kind == _SKIP:
            ready.append(i)
        elif kind == _TIMEOUT:
            if now is None:
                now = now_us()
            deadline = g._deadline_us(now)
            if deadline <= now:
                ready.append(i)
            elif earliest is None or deadline < earliest[0]:
                earliest = (deadline, i)
        else:
            raise CSPError(f"alt: not a guard: {g!r}")
    if ready:
        i = _policy.choose(cur, guards, ready, pri, site)
        g = guards[i]
        if g.kind == _INPUT:
            if g.extended:
                return i, g.channel._take_extended()
            return i, g.channel._take()  # ready: the channel's own read, which cannot block now
        if g.kind == _OUTPUT:
            g.channel._give(g.value)
        return i, None
    if not enabled:
        from .process import stop

        stop()
    return _wait(cur, guards, earliest)


def _wait(cur, guards, earliest):
    """No guard is ready: register with every guarded channel and sleep until a
    partner resolves the ALT (or the earliest timeout passes)."""
    state = _AltState(cur, guards)
    try:
        for i, g in enumerate(guards):
            if g.precondition and g.kind <= _OUTPUT:
                if g.kind == _INPUT:
                    g.channel._in_register(state, i)
                else:
                    g.channel._out_register(state, i)
                state.registered.append(g)
    except BaseException:
        state._unregister()
        raise
    if earliest is None:
        _block(cur, state)
    else:
        state.timeout_index = earliest[1]
        _block_until(cur, state, earliest[0])
    result = cur.slot
    cur.slot = None
    return result


class Alt:
    """``Alt(*guards).select()`` -> (index, value).  Keeps its own fairness
    rotation, so reusing one Alt object in a loop is fair."""

    pri = False

    def __init__(self, *guards):
        self.guards = list(guards)

    def select(self):
        return alt(self.guards, self.pri, self)

    def __call__(self):
        return self.select()


class PriAlt(Alt):
    """PRI ALT: the first ready guard in order wins."""

    pri = True
