"""The greenlet backend: every process is a greenlet on one OS thread.

A process that blocks switches straight to the next runnable one (no hub
round trip); the hub greenlet only runs when nothing is runnable, to wait for
timers and external input, or to declare deadlock.  No lock is needed: only
one process runs at a time and switches happen only inside ``block``.
"""

from __future__ import annotations

import heapq
import itertools
import sys
import threading
import time
from collections import deque

import greenlet

from .._core import DirectSwitch
from ..process import run_branch
from ..timers import now_us
from .base import Backend, ExternalWait, Shutdown, conclude, deadlock_report

_getcurrent = greenlet.getcurrent


def _nothing():
    pass


class _Start:
    """Stands in the ready queue for a process not started yet.  A greenlet
    inherits the C stack depth of whoever first switches to it, so a new process
    is started from the shallow hub: switching to a _Start puts the process at
    the front of the queue and goes to the hub (a no-op switch if already there)."""

    __slots__ = ("proc", "backend")

    def __init__(self, proc, backend):
        self.proc = proc
        self.backend = backend

    def switch(self):
        self.backend.ready.appendleft(self.proc)
        self.backend.hub.switch()


class GreenletProcess(greenlet.greenlet):
    __slots__ = ("backend", "fn", "join", "name", "slot", "exc", "wait_on", "alt_count", "alt_sites", "mobile", "forking")

    def __init__(self, backend, fn, name, join):
        greenlet.greenlet.__init__(self, parent=backend.hub)
        self.backend = backend
        self.fn = fn
        self.join = join
        self.name = name
        self.slot = None
        self.exc = None
        self.wait_on = None
        self.alt_count = 0
        self.alt_sites = None
        self.mobile = None  # the occam-pi mobile process it belongs to (runtime/forking.py)
        self.forking = None  # the innermost occam-pi FORKING block running around it (runtime/forking.py)

    def run(self):
        try:
            if self.join is None:
                self.fn()
            else:
                run_branch(self, self.fn, self.join)
        finally:
            self.backend.live.discard(self)

    def __repr__(self):
        return f"<process {self.name}>"


class GreenletBackend(Backend):
    name = "greenlet"
    shutdown_exceptions = (Shutdown, greenlet.GreenletExit)

    def __init__(self):
        self.ready = deque()
        self.hub = greenlet.greenlet(self._hub_loop)
        self.timers = []  # heap of (deadline_us, seq, proc, wait_object)
        self._seq = itertools.count()
        self.inbox = deque()  # (proc, wait, (ok, value)) from external_call threads
        self.inbox_event = threading.Event()
        self.calls = set()  # ExternalWaits of the external calls in flight
        # What Channel.read/write need to switch away themselves (see _core,
        # "The direct switch").  Its ``off`` is True while timers or results of
        # external calls may be waiting, so a blocking process tests one
        # attribute rather than two containers before it polls them.
        self.direct = DirectSwitch(self.ready, self.hub, self._raise_pending, off=False)
        self.live = set()
        self.finished = False
        self.stopping = False
        self.idle_hooks = []
        self.block, self.block_until = self._make_block()

    def primitives(self) -> dict:
        return {
            "_current": _getcurrent,
            "_block": self.block,
            "_block_until": self.block_until,
            "_wake": self.ready.append,
            "_spawn": self.spawn,
            "_direct": self.direct,
            "_reschedule": self.reschedule,
        }

    def frame_of(self, proc):
        if proc is _getcurrent():
            return sys._getframe(1)
        return getattr(proc, "gr_frame", None)

    def reschedule(self, cur):
        """``cur`` goes to the back of the ready queue, behind every process
        runnable now and those whose timers are due."""
        self.poll()
        if self.ready:
            self.ready.append(cur)
            self.ready.popleft().switch()
        if cur.exc is not None:
            self._raise_pending(cur)

    # -- the primitives ------------------------------------------------------

    def _make_block(self):
        """block() and block_until(): closures, so that what they use is in
        cells rather than behind ``self.`` (block runs once per blocking
        operation; Channel.read/write write out its common case themselves)."""
        refuse_to_block = self._refuse_to_block
        raise_pending = self._raise_pending
        direct = self.direct
        poll = self.poll
        next_ready = self.ready.popleft
        hub = self.hub
        timers = self.timers
        seq = self._seq

        def block(cur, waitable):
            if cur.exc is not None:
                refuse_to_block(cur, waitable)
            cur.wait_on = waitable
            if direct.off:  # timers or external results may be waiting
                poll()
            try:
                nxt = next_ready()  # a started process, or a _Start
            except IndexError:  # nothing runnable: the hub waits for events, or reports deadlock
                nxt = hub
            nxt.switch()
            if cur.exc is not None:
                raise_pending(cur)

        def block_until(cur, waitable, deadline):
            if cur.exc is not None:
                refuse_to_block(cur, waitable)
            heapq.heappush(timers, (deadline, next(seq), cur, waitable))
            direct.off = True
            block(cur, waitable)

        return block, block_until

    def _refuse_to_block(self, cur, waitable):
        waitable._cancel(cur)
        self._raise_pending(cur)

    @staticmethod
    def _raise_pending(cur):
        exc = cur.exc
        if not isinstance(exc, Shutdown):  # once the run is ending, it stays ending
            cur.exc = None
        raise exc

    def spawn(self, fn, name, join):
        proc = GreenletProcess(self, fn, name, join)
        if self.stopping:
            proc.exc = Shutdown("the run is ending")
        self.live.add(proc)
        self.ready.append(_Start(proc, self))
        return proc

    def external_call(self, fn, what="external input", wanted=None):
        """Run fn() on a helper thread; the calling process waits without
        blocking the others, and does not count as deadlocked meanwhile
        (while ``wanted()`` holds: see ExternalWait)."""
        cur = _getcurrent()
        wait = ExternalWait(what, wanted)
        self.calls.add(wait)

        def work():
            try:
                result = (True, fn())
            except BaseException as exc:  # handed to the waiting process
                result = (False, exc)
            self.inbox.append((cur, wait, result))
            self.direct.off = True
            self.inbox_event.set()

        threading.Thread(target=work, name=f"cspc {what}", daemon=True).start()
        self.block(cur, wait)
        ok, value = cur.slot
        cur.slot = None
        if not ok:
            raise value
        return value

    # -- timers and external events -----------------------------------------

    def poll(self):
        # Cleared first: an external call finishing meanwhile sets it again.
        self.direct.off = False
        timers = self.timers
        if timers:
            now = now_us()
            while timers and timers[0][0] <= now:
                _, _, proc, wait = heapq.heappop(timers)
                if proc.wait_on is wait and wait._timeout(proc):
                    proc.wait_on = None
                    self.ready.append(proc)
            if timers:
                self.direct.off = True
        inbox = self.inbox
        while inbox:
            proc, wait, result = inbox.popleft()
            self.calls.discard(wait)
            if not wait.done:
                wait.done = True
                proc.slot = result
                proc.wait_on = None
                self.ready.append(proc)

    def _wait_for_events(self):
        for hook in self.idle_hooks:
            hook()
        timeout = None
        if self.timers:
            timeout = max(0.0, (self.timers[0][0] - now_us()) / 1e6)
        if self.calls or self.inbox:
            self.inbox_event.wait(timeout)
            self.inbox_event.clear()
        elif timeout:
            time.sleep(timeout)
        self.poll()

    # -- the run ----------------------------------------------------------------

    def _hub_loop(self):
        ready = self.ready
        while not self.finished:
            if ready:
                ready.popleft().switch()
            elif self.timers or self.inbox or any(w.expected() for w in self.calls):
                self._wait_for_events()
            else:
                return  # deadlock: nothing runnable, nothing to wait for

    def run(self, main, args, name="main"):
        outcome = {}

        def root():
            try:
                outcome["result"] = main(*args)
            except BaseException as exc:
                outcome["error"] = exc
            finally:
                self.finished = True

        root_proc = GreenletProcess(self, root, name, None)
        self.live.add(root_proc)
        self.ready.append(root_proc)
        try:
            self.hub.switch()
        except BaseException:  # e.g. KeyboardInterrupt while the hub waited
            self._shutdown()
            raise
        deadlock = None
        if not self.finished:
            blocked = [p for p in self.live if p.wait_on is not None and not p.dead]
            deadlock = deadlock_report(blocked, lambda p: p.gr_frame)
        self._shutdown()
        return conclude(outcome, deadlock)

    def _shutdown(self):
        """Unwind every process still alive, so its finally blocks run now."""
        self.stopping = True
        me = _getcurrent()
        shutdown = Shutdown("the run is ending")
        for proc in self.live:
            proc.exc = shutdown  # any later attempt to block raises it again
        for proc in list(self.live):
            if not proc.dead:
                proc.parent = me
                try:
                    proc.throw(shutdown)
                except Shutdown:
                    pass
        self.live.clear()
        self.ready.clear()
