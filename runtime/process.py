"""Processes: PAR, SEQ, the @process decorator, STOP, and how failures spread.

PAR runs its first branch in the calling process and spawns the rest; it
returns when all have ended.  If a branch dies of an exception, the PAR's
other branches are killed (they see an internal exception at their next
blocking point, which unwinds them) and, once all have ended, the PAR raises
:class:`ProcessError` in its caller, naming the failing process, with the
original exception as ``__cause__``.  A ProcessError passing through an outer
PAR is re-raised as it is, so the innermost failing process is named.

Poison is a clean way to end: a branch that dies of PoisonError does not fail
its PAR; if it was a :func:`process` (a ProcessSpec), the channels it was given
are poisoned first, so the poison spreads through the network.  Retiring is
the same, gentler: a branch that dies of RetireError retires the channels and
ends it was given (see ``Channel.retire``).
"""

from __future__ import annotations

import functools

from . import _core
from ._core import Waitable, wake
from .channels import Channel, ChannelEnd
from .errors import BlockedProcess, PoisonError, ProcessError, RetireError

_current = _block = _block_until = _wake = _spawn = None
_core.hot(globals())


class Killed(BaseException):
    """Raised inside a process that is being unwound because a sibling failed or
    the run is ending.  A BaseException, so ``except Exception`` lets it pass."""


class _Join(Waitable):
    """A PAR waiting for its spawned branches."""

    __slots__ = ("parent", "remaining", "children", "error", "waiting", "inline", "kill_exc")

    def __init__(self, parent, spawned):
        self.parent = parent
        self.remaining = spawned
        self.children = []
        self.error = None  # (process name, exception) of the first failure
        self.waiting = False  # the parent is blocked in the join
        self.inline = True  # the parent is running the first branch
        self.kill_exc = None  # the parent itself was killed while running the first branch

    def child_done(self) -> None:
        self.remaining -= 1
        if self.remaining == 0 and self.waiting:
            self.waiting = False
            mp = self.parent.mobile
            if mp is not None:  # the parent runs again inside its mobile process
                mp.running += 1
            wake(self.parent)

    def fail(self, name, exc, failed=None) -> None:
        if self.error is not None:
            return
        self.error = (name, exc)
        killed = Killed(f"sibling {name!r} failed")
        for child in self.children:
            if child is not failed:
                kill(child, killed)
        if self.inline and failed is not self.parent:
            kill(self.parent, killed)

    def kill_children(self, exc) -> None:
        for child in self.children:
            kill(child, exc)

    # -- as what the parent is blocked on --

    def _kill(self, proc, exc) -> None:
        # Unwind the branches first; the parent raises once they have ended.
        self.kill_exc = exc
        self.kill_children(exc)

    def _describe(self, proc) -> BlockedProcess:
        return BlockedProcess(proc.name, "PAR", detail=f"{self.remaining} branch(es) still running")


def kill(proc, exc) -> None:
    """Make ``proc`` raise ``exc`` at its next (or current) blocking point."""
    if proc.wait_on is not None:  # blocked (see the blocking protocol in _core)
        proc.wait_on._kill(proc, exc)
    else:
        proc.exc = exc


def branch_name(fn, index: int) -> str:
    name = getattr(fn, "process_name", None)
    if name:
        return name
    name = getattr(fn, "__name__", None)
    if name and name != "<lambda>":
        return name
    return f"PAR branch {index + 1}"


def run_branch(proc, fn, join) -> None:
    """The body of a spawned process: run fn, report how it ended to its PAR."""
    try:
        if proc.exc is not None:
            exc, proc.exc = proc.exc, None
            raise exc
        fn()
    except BaseException as exc:
        _branch_died(proc, fn, exc, join)
    finally:
        join.child_done()
        if proc.mobile is not None:
            branch_ended(proc)


def _branch_died(proc, fn, exc, join) -> None:
    if _ended_cleanly(fn, exc):
        pass
    elif isinstance(exc, Killed) or _is_shutdown(exc):
        pass
    else:
        join.fail(proc.name, exc, proc)


def _ended_cleanly(fn, exc) -> bool:
    """A branch that died of poison or retirement passes it on to the channels
    it was given, and does not fail its PAR."""
    if isinstance(exc, PoisonError):
        poison_arguments(fn)
        return True
    if isinstance(exc, RetireError):
        retire_arguments(fn)
        return True
    return False


def _is_shutdown(exc) -> bool:
    backend = _core.active
    return backend is not None and isinstance(exc, backend.shutdown_exceptions)


def par(*fns, names=None) -> None:
    """Run the no-argument callables ``fns`` concurrently; return when all have
    ended.  ``names`` names the branches (for deadlock reports and errors)."""
    n = len(fns)
    if n == 0:
        return
    cur = _current()
    if names is None:
        names = [branch_name(fn, i) for i, fn in enumerate(fns)]
    _core.active.reserve(n - 1)
    join = _Join(cur, n - 1)
    mp = cur.mobile
    for i in range(1, n):
        child = _spawn(fns[i], names[i], join)
        join.children.append(child)
        child.mobile = mp  # the branches of a mobile process's PAR are its processes too
        child.forking = cur.forking  # and FORK into the FORKING around the PAR
    if mp is not None:
        mp.running += n - 1
    outer_name = cur.name
    cur.name = names[0]
    try:
        fns[0]()
    except BaseException as exc:
        _first_branch_died(cur, fns[0], exc, join)
    finally:
        cur.name = outer_name
    join.inline = False
    if join.remaining:
        join.waiting = True
        if mp is not None:
            waiting_for_branches(cur)
        _block(cur, join)
    if join.kill_exc is not None:
        raise join.kill_exc
    if join.error is not None:
        name, exc = join.error
        if isinstance(exc, (ProcessError, KeyboardInterrupt, SystemExit)):
            raise exc  # already names its process / is meant for the program itself
        raise ProcessError(name, exc) from exc


def waiting_for_branches(cur) -> None:
    from .forking import waiting_for_branches as wait

    wait(cur)


def branch_ended(proc) -> None:
    from .forking import branch_ended as ended

    ended(proc)


def _first_branch_died(cur, fn, exc, join) -> None:
    if _ended_cleanly(fn, exc):
        return
    if isinstance(exc, Killed) and join.error is not None:
        return  # a sibling failed: this branch was unwound on purpose
    if isinstance(exc, Killed) or _is_shutdown(exc):
        # The PAR itself is being killed from outside: unwind the branches too.
        join.kill_exc = exc
        join.kill_children(exc)
        return
    join.fail(cur.name, exc, cur)


class _DaemonJoin:
    """Stands in for a PAR around a daemon process: nobody waits for it."""

    __slots__ = ("error",)

    def __init__(self):
        self.error = None

    def child_done(self) -> None:
        pass

    def fail(self, name, exc, failed=None) -> None:
        self.error = (name, exc)


def spawn_daemon(fn, name):
    """Start a process that nobody joins (e.g. the keyboard feeder); the run
    ends without waiting for it."""
    return _spawn(fn, name, _DaemonJoin())


class Par:
    """``Par(*processes).run()``: PAR over no-argument callables (for example
    :func:`process` instances)."""

    def __init__(self, *processes, names=None):
        self.processes = processes
        self.names = names

    def run(self) -> None:
        par(*self.processes, names=self.names)

    __call__ = run


class Seq:
    """``Seq(*processes).run()``: run them one after another."""

    def __init__(self, *processes):
        self.processes = processes

    def run(self) -> None:
        for p in self.processes:
            p()

    __call__ = run


def seq(*fns) -> None:
    for fn in fns:
        fn()


class ProcessSpec:
    """A process ready to run: a function with its arguments bound.  Calling it
    runs the function in the calling process."""

    __slots__ = ("fn", "args", "kwargs", "process_name")

    def __init__(self, fn, args, kwargs, name=None):
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.process_name = name or fn.__name__

    def __call__(self):
        return self.fn(*self.args, **self.kwargs)

    def channels(self):
        """The channels and ends among the arguments (also inside lists/tuples)."""
        found = []
        for a in list(self.args) + list(self.kwargs.values()):
            stack = [a]
            while stack:
                x = stack.pop()
                if isinstance(x, (Channel, ChannelEnd)):
                    found.append(x)
                elif isinstance(x, (list, tuple)):
                    stack.extend(x)
        return found

    def __repr__(self):
        return f"<process {self.process_name}>"


def process(fn=None, *, name=None):
    """Decorator: calling the function gives a ProcessSpec to hand to Par/par.

        @process
        def producer(out):
            for i in range(10):
                out.write(i)

        Par(producer(c.writer()), consumer(c.reader())).run()
    """

    def wrap(f):
        @functools.wraps(f)
        def make(*args, **kwargs):
            return ProcessSpec(f, args, kwargs, name or f.__name__)

        make.process_function = f
        return make

    return wrap(fn) if fn is not None else wrap


def poison_arguments(fn) -> None:
    """A process died of poison: poison the channels it was given."""
    if isinstance(fn, ProcessSpec):
        for ch in fn.channels():
            ch.poison()


def retire_arguments(fn) -> None:
    """A process died of RetireError: retire the channels and ends it was given."""
    if isinstance(fn, ProcessSpec):
        for ch in fn.channels():
            ch.retire()


class _Stopped(Waitable):
    """What a STOPped process is blocked on: nothing ever wakes it."""

    __slots__ = ()

    def _describe(self, proc) -> BlockedProcess:
        return BlockedProcess(proc.name, "STOP")


_STOPPED = _Stopped()


def stop() -> None:
    """occam STOP: the calling process never proceeds (the others carry on)."""
    cur = _current()
    _block(cur, _STOPPED)
