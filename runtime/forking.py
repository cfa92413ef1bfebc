"""occam-pi FORKING, FORK and mobile processes (MOBILE PROC, SUSPEND).

**FORKING.**  A FORKING block is a PAR whose branches arrive one at a time:
the block's own process runs the body (as a PAR's parent runs its first
branch), each FORK spawns a branch joined to the block's :class:`Forking`, and
the block ends once the body has and every forked process has.  A failure
spreads as in a PAR (``process._Join``): the other forks and the body are
killed, and the block raises :class:`ProcessError` naming the failed process.
Which block a FORK joins is found as it runs: ``proc.forking`` is the
innermost block running around a process (set for the block's body, inherited
by PAR branches, forks and mobile processes), None outside any, when the FORK
joins the program's own block, which ``io.run_main`` waits for after the
top-level PROC has returned.  So a PROC that forks outside a FORKING of its
own joins its forks to the block around its call, as KRoC does.

**Mobile processes.**  A :class:`MobileProcess` is a MOBILE PROC not yet
started, suspended, or running.  Activating it (``activate``) runs it as a
process of its own -- the same on both backends -- while the activating
process waits; the activator goes on when the mobile process has ended or
SUSPENDed.  A mobile process made of several (it runs a PAR) is suspended
once every process in it has SUSPENDed or ended: each process records the
mobile process it belongs to (``proc.mobile``, inherited by PAR branches), and
the mobile process counts those running (``running``) and those suspended.
A suspended process sleeps on the mobile process until the next activation.
Its parameters are channels (the checks see to it), given to it as
:class:`~cspc.runtime.channels.ChannelParameter`s made at its first
activation and pointed at each activation's own, so every PROC it called
before it SUSPENDed talks on the new ones.  A mobile process that has ended
starts from the beginning when activated again.
"""

from __future__ import annotations

from . import _core
from ._core import Waitable, wake
from .channels import Channel, ChannelEnd, ChannelParameter
from .errors import BlockedProcess, OccamError
from .process import Killed, _Join, kill

_current = _block = _block_until = _wake = _spawn = None
_core.hot(globals())


# --------------------------------------------------------------------------- FORKING


class Forking(_Join):
    """A FORKING block's join: its parent runs the body, forks come and go."""

    __slots__ = ("around",)

    def __init__(self, parent):
        super().__init__(parent, 0)
        self.children = {}  # the forks still running, in the order they started
        self.around = parent.forking  # the block its parent was in, again once it ends
        parent.forking = self

    def fork(self, fn, name: str) -> None:
        """Start ``fn()`` as a process joined to this block."""
        _core.active.reserve(1)
        self.remaining += 1
        children = self.children
        cur = None

        def forked():
            nonlocal cur
            cur = _current()
            try:
                fn()
            finally:
                children.pop(cur, None)

        proc = _spawn(forked, name, self)
        children[proc] = None
        proc.mobile = None  # a fork belongs to no mobile process, even one forked from inside
        proc.forking = self  # and its own free FORKs join this block too

    def kill_children(self, exc) -> None:
        for child in list(self.children):
            kill(child, exc)

    def fail(self, name, exc, failed=None) -> None:
        if self.error is not None:
            return
        self.error = (name, exc)
        killed = Killed(f"sibling {name!r} failed")
        for child in list(self.children):
            if child is not failed:
                kill(child, killed)
        if self.inline and failed is not self.parent:
            kill(self.parent, killed)

    def _describe(self, proc) -> BlockedProcess:
        return BlockedProcess(proc.name, "FORKING", detail=f"{self.remaining} forked process(es) still running")

    def abandon(self, exc: BaseException) -> None:
        """The body died of ``exc``: end the forks, wait for them, and raise
        it (or, when a fork's failure killed the body, what the fork died of)."""
        if isinstance(exc, Killed) and self.error is not None:
            self.finish()
        self.kill_children(Killed("the FORKING block around it failed"))
        self.kill_exc = exc
        self.finish()

    def finish(self) -> None:
        """The body has ended: wait for the forks, then raise what failed."""
        self.inline = False
        cur = self.parent
        cur.forking = self.around
        if self.remaining:
            self.waiting = True
            waiting_for_branches(cur)
            _block(cur, self)
        if self.kill_exc is not None:
            raise self.kill_exc
        if self.error is not None:
            name, exc = self.error
            from .errors import ProcessError

            if isinstance(exc, (ProcessError, KeyboardInterrupt, SystemExit)):
                raise exc
            raise ProcessError(name, exc) from exc


def forking() -> Forking:
    """Begin a FORKING block in the calling process."""
    return Forking(_current())


_top: list[Forking] = []  # the program's own FORKING, for a FORK outside any block


def fork(fn, name: str) -> None:
    """`FORK p (actuals)': start ``fn()`` in the innermost FORKING running
    around the calling process, or in the program's own."""
    block = _current().forking
    if block is None:
        if not _top:
            raise OccamError("a FORK outside any FORKING block needs a program run by run_main")
        block = _top[-1]
    block.fork(fn, name)


def run_forking(body) -> None:
    """Run ``body()`` as the program's own FORKING block (``io.run_main``):
    the FORKs outside any block join it."""
    cur = _current()
    block = forking()
    cur.forking = None  # its body is in no FORKING block of the program's
    _top.append(block)
    try:
        try:
            body()
        except BaseException as exc:
            block.abandon(exc)
        block.finish()
    finally:
        _top.remove(block)


# --------------------------------------------------------------------------- mobile processes


class MobileProcess(Waitable):
    """A mobile process: the MOBILE PROC ``body`` (a Python function of its
    actuals) and where it is.  ``state`` is "new", "running" or "suspended"
    ("new" again once it has ended)."""

    __slots__ = ("body", "name", "state", "args", "activator", "running", "suspended", "error", "channels")

    def __init__(self, body, name: str):
        self.body = body
        self.name = name
        self.state = "new"
        self.args = ()
        self.activator = None
        self.running = 0  # its processes running (not suspended, not waiting for a PAR's branches)
        self.suspended = []  # its processes waiting for the next activation
        self.error = None
        self.channels = []  # per parameter: the ChannelParameter that stands for a channel actual

    def __repr__(self):
        return f"<mobile process {self.name} ({self.state})>"

    # -- the activator waits on the mobile process while it runs

    def _kill(self, proc, exc) -> None:
        if proc is self.activator:  # its own processes run on until they block
            self.activator = None
        else:  # a suspended process of it: it unwinds as if running
            self.suspended.remove(proc)
            self.running += 1
        proc.exc = exc
        wake(proc)

    def _describe(self, proc) -> BlockedProcess | None:
        if proc is self.activator:
            return BlockedProcess(proc.name, "mobile process", detail=f"{self.name} is running")
        return None  # suspended: waiting for an activation takes no part in a deadlock

    def _return(self) -> None:
        """Give control back to the activator."""
        activator, self.activator = self.activator, None
        if activator is not None and activator.wait_on is self:
            wake(activator)

    def _check_suspended(self) -> None:
        if self.state == "running" and self.running == 0 and self.suspended:
            self.state = "suspended"
            self._return()

    def _ended(self, exc) -> None:
        self.state = "new"
        self.running = 0
        self.error = exc
        self._return()


def mobile_process(body, name: str) -> MobileProcess:
    """`MOBILE p`: a new mobile process of the MOBILE PROC ``body``."""
    return MobileProcess(body, name)


def activate(mp: MobileProcess | None, *args) -> None:
    """`p (args)`: run the mobile process until it SUSPENDs or ends."""
    if mp is None:
        raise OccamError("activation of an undefined mobile process")
    if mp.state == "running":
        raise OccamError(f"mobile process {mp.name} is activated while it is running")
    cur = _current()
    mp.activator = cur
    mp.error = None
    args = _parameters(mp, args)
    mp.args = args
    if mp.state == "new":
        mp.state = "running"
        mp.running = 1
        proc = _spawn(lambda: _run_mobile(mp, args), mp.name, _MobileEnd(mp))
        proc.mobile = mp
        proc.forking = cur.forking  # its free FORKs join the block its first activator was in
    else:
        mp.state = "running"
        waiting, mp.suspended = mp.suspended, []
        mp.running += len(waiting)
        for proc in waiting:
            wake(proc)
    _block(cur, mp)
    if mp.error is not None:
        exc, mp.error = mp.error, None
        raise exc


def _parameters(mp: MobileProcess, args) -> tuple:
    """The actuals the mobile process sees: a channel is given as a
    ChannelParameter made at its first activation and pointed at each
    activation's channel, so that the PROCs it called before it SUSPENDed
    (which hold the parameter) use the new channel when it goes on."""
    if mp.state == "new":
        mp.channels = [ChannelParameter(a) if isinstance(a, (Channel, ChannelEnd)) else None for a in args]
    else:
        for param, a in zip(mp.channels, args):
            if param is not None:
                param.retarget(a)
    return tuple(a if param is None else param for param, a in zip(mp.channels, args))


def _run_mobile(mp: MobileProcess, args) -> None:
    mp.body(*args)


class _MobileEnd:
    """Stands in for a PAR around a mobile process's own process."""

    __slots__ = ("mp",)

    def __init__(self, mp):
        self.mp = mp

    def child_done(self) -> None:
        if self.mp.state == "running" and self.mp.error is None:
            self.mp._ended(None)

    def fail(self, name, exc, failed=None) -> None:
        self.mp._ended(exc)


def suspend() -> None:
    """`SUSPEND`: wait, keeping state, until the mobile process is activated
    again (its channel parameters then stand for that activation's)."""
    cur = _current()
    mp = getattr(cur, "mobile", None)
    if mp is None:
        raise OccamError("SUSPEND outside a mobile process")
    mp.running -= 1
    mp.suspended.append(cur)
    mp._check_suspended()
    _block(cur, mp)


def waiting_for_branches(cur) -> None:
    """``cur`` waits for the branches of a PAR (or for forks): it is not
    running.  (``process._Join.child_done`` counts it again as it wakes it.)"""
    mp = cur.mobile
    if mp is not None:
        mp.running -= 1
        mp._check_suspended()


def branch_ended(proc) -> None:
    """A PAR branch of a mobile process has ended."""
    mp = proc.mobile
    mp.running -= 1
    mp._check_suspended()
