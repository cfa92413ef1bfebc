"""The seam between the semantics (channels, ALT, PAR, barriers, timers) and
the backend that schedules processes: the primitives, the blocking protocol,
and which backend is running.

Channel, ALT, PAR and barrier code is written once, against six primitives
that each backend supplies (see ``backends/base.py``)::

    _current()                          the calling process record
    _block(cur, waitable)               cur sleeps on waitable until woken
    _block_until(cur, waitable, deadline)   ... or until the deadline passes
    _wake(proc)                         make a blocked process runnable
    _spawn(fn, name, join)              start a new process running fn()
    _reschedule(cur)                    cur, still runnable, lets the others run first

and one object, ``_direct`` (a :class:`DirectSwitch`, below), that lets the
plain channel's read and write do ``_block``'s work themselves on a backend
that switches between processes in one thread.

``run`` binds the running backend's primitives to those names in the globals
of every module that registered with :func:`hot`, so a channel operation costs
a plain global lookup per primitive.  Nothing else is rewritten: the code that
runs is the code in these files, on both backends.  Outside ``run`` the
primitives raise a CSPError saying that a running process is needed.

**No lock in the semantics.**  Only one process runs semantic code at a time,
on either backend: on greenlets because there is one OS thread and switches
happen only inside ``_block``; on threads because a process holds the
backend's run lock whenever it runs and lets go of it only while it sleeps in
``_block`` or waits for the outside world in ``external_call``.  So channel
state is read and changed with no lock calls, a refusal simply raises, and
between a check and the change it justifies nothing else can run.

**The blocking protocol** (after Trio's ``wait_task_rescheduled``: one way to
sleep, with an abort protocol).  A process that must wait

1. registers itself where a partner will find it (e.g. ``channel._reader``),
2. calls ``_block(cur, waitable)``, which sets ``cur.wait_on = waitable``.

Whoever completes the wait removes the process from ``waitable``'s queues,
leaves anything it hands over in ``proc.slot``, and calls :func:`wake`
(``proc.wait_on = None`` then ``_wake(proc)``; the hottest paths write out
those two lines).  So ``proc.wait_on is not None`` exactly while a process is
blocked, on both backends.  To unblock it any other way (a sibling failed, the
run ends) the runtime calls the :class:`Waitable` methods of ``proc.wait_on``.
If ``proc.exc`` is set when the process wakes, or when it tries to block,
``_block`` raises it (cancelling the registration first, in the second case).

**The direct switch.**  On greenlets, step 2 is short: set ``wait_on``, switch
to the next runnable process (or to the hub when none is), and on waking raise
``cur.exc`` if set.  A call of ``_block`` costs about a tenth of a whole
communication there, so ``Channel.read`` and ``Channel.write`` -- and only
they -- write those lines out, guarded by ``_direct.off``::

    if _direct.off or cur.exc is not None:
        _block(cur, self)               # the general path
    else:
        cur.wait_on = self              # what _block would do, written out
        try:
            nxt = _direct.ready.popleft()   # the next runnable process ...
        except IndexError:
            nxt = _direct.idle          # ... or, when there is none, the hub
        nxt.switch()
        if cur.exc is not None:
            _direct.raise_pending(cur)

``off`` is True whenever the short form would not be what ``_block`` does:
always on threads and outside a run (:data:`NO_DIRECT_SWITCH`), and on
greenlets while timers or the results of external calls may be waiting (which
``_block`` polls for).  A pending ``cur.exc`` also takes the general path,
which cancels the registration and raises it.  So the two paths do the same
thing; the direct one only saves the call.  Everything else (waking, the
observer, refusals) is the same code on both paths.
"""

from __future__ import annotations

from .errors import CSPError

PRIMITIVES = ("_current", "_block", "_block_until", "_wake", "_spawn", "_direct", "_reschedule")


class DirectSwitch:
    """What ``Channel.read``/``write`` need to block without calling ``_block``
    (see "The direct switch" above).  A backend that offers it keeps ``off``
    up to date; ``ready`` is its deque of runnable processes (anything with a
    ``switch()`` method), ``idle`` what to switch to when that is empty, and
    ``raise_pending(cur)`` what ``_block`` does with ``cur.exc`` on waking.
    (``ready.popleft()``, not a bound method kept here: CPython 3.11 calls a
    method of an attribute faster than a callable stored in one.)"""

    __slots__ = ("off", "ready", "idle", "raise_pending")

    def __init__(self, ready=None, idle=None, raise_pending=None, off=True):
        self.off = off
        self.ready = ready
        self.idle = idle
        self.raise_pending = raise_pending


# The direct switch of the threads backend, and of no run: always off.
NO_DIRECT_SWITCH = DirectSwitch()

_hot_modules: list[dict] = []
active = None  # the running backend, or None


def _not_running(*_args, **_kwargs):
    raise CSPError(
        "no CSP run is active: channel operations, par() and alt() must be called "
        "from a process started by run(...) or run_main(...)"
    )


_IDLE = {name: _not_running for name in PRIMITIVES}
_IDLE["_direct"] = NO_DIRECT_SWITCH  # read only after _current() has raised


def hot(module_globals: dict) -> None:
    """Register a module to have the running backend's primitives bound to its
    globals ``_current``, ``_block``, ... (and _not_running outside a run)."""
    module_globals.update(_IDLE if active is None else _primitives_of(active))
    _hot_modules.append(module_globals)


def _primitives_of(backend) -> dict:
    prims = backend.primitives()
    missing = set(PRIMITIVES) - set(prims)
    if missing:
        raise CSPError(f"backend {backend.name!r} lacks primitives {sorted(missing)}")
    return {name: prims[name] for name in PRIMITIVES}


def install(backend) -> None:
    """Make ``backend`` the running one (called by ``run``)."""
    global active
    if active is not None:
        raise CSPError("run() is already active in this program: runs do not nest")
    prims = _primitives_of(backend)
    active = backend
    for g in _hot_modules:
        g.update(prims)


def uninstall() -> None:
    global active
    active = None
    for g in _hot_modules:
        g.update(_IDLE)


def current_backend() -> str | None:
    """The name of the running backend ("greenlet", "threads"), or None outside run()."""
    return None if active is None else active.name


_wake = None  # bound by hot() below
hot(globals())


def wake(proc) -> None:
    """Make a blocked process runnable (its wait has been completed or aborted)."""
    proc.wait_on = None
    _wake(proc)


class Waitable:
    """What a blocked process waits on (``proc.wait_on``): a channel, a CLAIM, a
    barrier, an ALT, a PAR's join, a timer, STOP, a call to the outside world.

    The runtime calls these with no other process running:

    ``_cancel(proc)``
        Forget ``proc``: remove it from every queue it is registered in,
        without waking it (it is leaving some other way).  Default: nothing to do.
    ``_kill(proc, exc)``
        Unblock ``proc`` so that it raises ``exc``.  Default: cancel, set
        ``proc.exc``, wake.  (A PAR's join overrides it: the parent waits for
        its branches to unwind first.)
    ``_describe(proc) -> BlockedProcess | None``
        ``proc``'s line of a deadlock report; None if the wait takes no part
        in a deadlock (a read of stdin ahead of demand).
    ``_timeout(proc) -> bool``
        Only for waits with a deadline (``_block_until``): the deadline passed;
        return True to have the backend wake ``proc`` (a partner may have
        completed the wait first: then return False).
    """

    __slots__ = ()

    def _cancel(self, proc) -> None:
        pass

    def _kill(self, proc, exc) -> None:
        self._cancel(proc)
        proc.exc = exc
        wake(proc)

    def _describe(self, proc):
        raise NotImplementedError(f"{type(self).__name__} does not describe its waits")
