"""The greenlet backend: every process is a greenlet on one OS thread.

A process that blocks switches straight to the next runnable one (no hub
round trip); the hub greenlet only runs when nothing is runnable, to wait for
timers and external input, or to declare deadlock.  No lock is needed: only
one process runs at a time and switches happen only inside ``block``.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque

import greenlet

from ..process import run_branch
from ..timers import now_us
from .base import Backend, ExternalWait, Shutdown, deadlock_report

_getcurrent = greenlet.getcurrent


def _nothing():
    pass


class GreenletProcess(greenlet.greenlet):
    __slots__ = ("backend", "fn", "join", "name", "slot", "exc", "wait_on", "alt_count", "alt_sites")

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
    needs_lock = False

    def __init__(self):
        self.ready = deque()
        self.timers = []  # heap of (deadline_us, seq, proc, wait_object)
        self._seq = itertools.count()
        self.inbox = deque()  # (proc, wait, (ok, value)) from external_call threads
        self.inbox_event = threading.Event()
        self.external = 0  # external calls in flight
        self.live = set()
        self.hub = None
        self.finished = False
        self.stopping = False
        self.idle_hooks = []
        self.block = self._make_block()

    def primitives(self) -> dict:
        return {
            "_current": _getcurrent,
            "_block": self.block,
            "_wake": self.ready.append,
            "_acquire": _nothing,
            "_release": _nothing,
            "_spawn": self.spawn,
        }

    # -- the primitives ------------------------------------------------------

    def _make_block(self):
        """block() as a closure: the hottest function of the backend, so its
        state is in cells rather than behind ``self.``."""
        ready = self.ready
        timers = self.timers
        inbox = self.inbox
        popleft = ready.popleft
        backend = self

        def block(cur, deadline=None):
            if cur.exc is not None:
                backend._refuse_to_block(cur)
            if deadline is not None:
                heapq.heappush(timers, (deadline, next(backend._seq), cur, cur.wait_on))
            if timers or inbox:
                backend.poll()
            if ready:
                nxt = popleft()
                if nxt:  # started: switch straight to it
                    nxt.switch()
                else:
                    # A greenlet inherits the recursion depth of whoever starts
                    # it, so new processes are started from the shallow hub.
                    ready.appendleft(nxt)
                    backend.hub.switch()
            else:
                backend.hub.switch()
            if cur.exc is not None:
                backend._raise_pending(cur)

        return block

    def _refuse_to_block(self, cur):
        cur.wait_on._cancel(cur)
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
        self.ready.append(proc)
        return proc

    def is_blocked(self, proc) -> bool:
        return (
            proc.wait_on is not None
            and proc is not _getcurrent()
            and not proc.dead
            and proc not in self.ready
        )

    def wake(self, proc):
        self.ready.append(proc)

    def external_call(self, fn, what="external input"):
        """Run fn() on a helper thread; the calling process waits without
        blocking the others, and does not count as deadlocked meanwhile."""
        cur = _getcurrent()
        wait = ExternalWait(what)
        self.external += 1

        def work():
            try:
                result = (True, fn())
            except BaseException as exc:  # handed to the waiting process
                result = (False, exc)
            self.inbox.append((cur, wait, result))
            self.inbox_event.set()

        threading.Thread(target=work, name=f"cspc {what}", daemon=True).start()
        cur.wait_on = wait
        self.block(cur)
        ok, value = cur.slot
        cur.slot = None
        if not ok:
            raise value
        return value

    # -- timers and external events -----------------------------------------

    def poll(self):
        timers = self.timers
        if timers:
            now = now_us()
            while timers and timers[0][0] <= now:
                _, _, proc, wait = heapq.heappop(timers)
                if proc.wait_on is wait and wait._timeout(proc):
                    self.ready.append(proc)
        inbox = self.inbox
        while inbox:
            proc, wait, result = inbox.popleft()
            self.external -= 1
            if not wait.done:
                wait.done = True
                proc.slot = result
                self.ready.append(proc)

    def _wait_for_events(self):
        for hook in self.idle_hooks:
            hook()
        timeout = None
        if self.timers:
            timeout = max(0.0, (self.timers[0][0] - now_us()) / 1e6)
        if self.external or self.inbox:
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
            elif self.timers or self.external or self.inbox:
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

        self.hub = greenlet.greenlet(self._hub_loop)
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
        if deadlock is not None:
            raise deadlock
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("result")

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
