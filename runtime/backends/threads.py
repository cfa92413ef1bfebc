"""The threads backend: every process is an OS thread.

One lock, the run lock, is held by whichever process is running: a process
takes it when it starts and lets go of it only while it sleeps in ``block``
(on its own binary semaphore, a ``_thread`` lock) or waits for the outside
world in ``external_call``.  So, as on greenlets, one process at a time runs
the channel, ALT and PAR code, which therefore takes no lock of its own (see
``runtime/_core.py``).  A process busy in plain Python still holds it, as a
greenlet would; CPython's GIL allowed no more parallelism than that anyway.  Deadlock is detected the moment it happens,
not by timeouts: the backend counts running processes, processes waiting on a
timer, and processes waiting for external input, under the lock; when a
process blocks and leaves none running and none of the others waiting on
anything that will come, the run ends with a Deadlock report.
"""

from __future__ import annotations

import _thread
import sys
import threading
import time

from .._core import NO_DIRECT_SWITCH, Waitable
from ..errors import CSPError, SystemLimit
from ..process import run_branch
from ..timers import now_us
from .base import Backend, ExternalWait, Shutdown, conclude, deadlock_report

STACK_SIZE = 256 * 1024  # modest, so thousands of processes fit


def _thread_capacity() -> int:
    """How many threads this user may have, as far as the system says."""
    limits = []
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NPROC)[0]
        if soft != resource.RLIM_INFINITY:
            limits.append(soft)
    except (ImportError, ValueError, OSError):
        pass
    try:
        with open("/proc/sys/kernel/threads-max") as f:
            limits.append(int(f.read()))
    except (OSError, ValueError):
        pass
    return min(limits) if limits else sys.maxsize


def _too_many(running: int, wanted: int) -> SystemLimit:
    return SystemLimit(
        f"the threads backend cannot run {wanted:,} processes: each is an OS thread and the "
        f"system allows no more ({running:,} running); the greenlet backend runs millions "
        "(--backend greenlet)"
    )


class _NoWait(Waitable):
    """What a rescheduling process is registered in: nothing."""

    def _cancel(self, proc):
        pass


_NO_WAIT = _NoWait()


class ThreadProcess:
    __slots__ = (
        "name", "slot", "exc", "wait_on", "alt_count", "alt_sites", "mobile", "forking",
        "sem", "timed", "ident", "thread", "__weakref__",
    )

    def __init__(self, name):
        self.name = name
        self.slot = None
        self.exc = None
        self.wait_on = None
        self.alt_count = 0
        self.alt_sites = None
        self.mobile = None  # the occam-pi mobile process it belongs to (runtime/forking.py)
        self.forking = None  # the innermost occam-pi FORKING block running around it (runtime/forking.py)
        self.sem = _thread.allocate_lock()
        self.sem.acquire()  # held: acquiring it again sleeps until wake() releases it
        self.timed = False
        self.ident = None
        self.thread = None

    def __repr__(self):
        return f"<process {self.name}>"


class ThreadsBackend(Backend):
    name = "threads"

    def __init__(self):
        self.lock = threading.Lock()
        self.local = threading.local()
        self.running = 0  # processes neither blocked nor finished
        self.timed = 0  # blocked with a deadline
        self.live = set()
        self.done = threading.Event()
        self.deadlocked = False
        self.stopping = False
        self.idle_hooks = []
        self.in_external = {}  # process -> its ExternalWait, while inside external_call

    def frame_of(self, proc):
        if getattr(self.local, "proc", None) is proc:
            return sys._getframe(1)
        return sys._current_frames().get(proc.ident)

    def primitives(self) -> dict:
        local = self.local

        def current():
            try:
                return local.proc
            except AttributeError:
                raise CSPError("this thread is not a process of the running CSP run") from None

        return {
            "_current": current,
            "_block": self.block,
            "_block_until": self.block_until,
            "_wake": self._wake,
            "_spawn": self.spawn,
            "_direct": NO_DIRECT_SWITCH,  # every block goes through block()
            "_reschedule": self.reschedule,
        }

    # -- the primitives (called with the run lock held) ---------------------------

    def _refuse_to_block(self, cur, waitable):
        if cur.exc is not None or self.stopping:
            waitable._cancel(cur)
            exc = cur.exc or Shutdown("the run is ending")
            cur.exc = None
            raise exc

    def block(self, cur, waitable):
        self._refuse_to_block(cur, waitable)
        cur.wait_on = waitable
        self.running -= 1
        if self._stuck():
            self._deadlock()
        self.lock.release()
        cur.sem.acquire()
        self.lock.acquire()
        self._raise_pending(cur)

    def block_until(self, cur, waitable, deadline):
        self._refuse_to_block(cur, waitable)
        cur.wait_on = waitable
        self.running -= 1
        self.timed += 1
        cur.timed = True
        lock = self.lock
        lock.release()
        woken = cur.sem.acquire(True, max(0.0, (deadline - now_us()) / 1e6))
        lock.acquire()
        if not woken:
            if cur.wait_on is waitable and waitable._timeout(cur):
                self.wake(cur)
            cur.sem.acquire()  # taken at once: whoever woke us released it
        self._raise_pending(cur)

    def reschedule(self, cur):
        """Let go of the run lock so that a process waiting for it (one woken,
        or whose timer expired) runs; ``sleep(0)`` hands the GIL over too."""
        self._refuse_to_block(cur, _NO_WAIT)
        self.lock.release()
        time.sleep(0)
        self.lock.acquire()
        self._raise_pending(cur)

    @staticmethod
    def _raise_pending(cur):
        exc = cur.exc
        if exc is not None:
            cur.exc = None
            raise exc

    def _wake(self, proc):
        self.running += 1
        if proc.timed:
            proc.timed = False
            self.timed -= 1
        proc.sem.release()

    def _stuck(self) -> bool:
        """No process running, none waiting on a timer, no wanted outside input (lock held)."""
        return (
            self.running == 0
            and not self.timed
            and not any(w.expected() for w in self.in_external.values())
        )

    def _deadlock(self):
        self.deadlocked = True
        self.done.set()

    def reserve(self, n):
        """Refuse at once a PAR that would need more threads than the system gives
        this user (``RLIMIT_NPROC``, the kernel's ``threads-max``)."""
        wanted = len(self.live) + n
        if wanted > _thread_capacity():
            raise _too_many(len(self.live), wanted)

    def spawn(self, fn, name, join):
        proc = ThreadProcess(name)
        self.running += 1
        self.live.add(proc)
        self._start(proc, lambda: run_branch(proc, fn, join))
        return proc

    def _start(self, proc, body):
        def thread_main():
            self.local.proc = proc
            proc.ident = threading.get_ident()
            self.lock.acquire()
            try:
                body()
            except BaseException:
                # A straggler -- a process that was inside external_call (reading
                # stdin) when the run ended and came back afterwards -- finds the
                # runtime gone: it has nobody to report to and just ends.
                if not self.stopping:
                    raise
            finally:
                self.live.discard(proc)
                self.running -= 1
                if self._stuck() and not self.done.is_set():
                    self._deadlock()
                self.lock.release()

        old = threading.stack_size()
        try:
            threading.stack_size(STACK_SIZE)
            thread = threading.Thread(target=thread_main, name=f"cspc {proc.name}", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # "can't start new thread": the system has no more
                self.live.discard(proc)
                self.running -= 1
                raise _too_many(len(self.live), len(self.live) + 1) from None
        finally:
            threading.stack_size(old)
        proc.thread = thread

    def external_call(self, fn, what="external input", wanted=None):
        """Run fn() in this process's own thread, counted as waiting for the
        outside world (so not deadlocked), not as running.  The process is not
        "blocked" meanwhile: killing it takes effect at its next block."""
        cur = self.local.proc
        if self.stopping:
            raise Shutdown("the run is ending")
        self.running -= 1
        self.in_external[cur] = ExternalWait(what, wanted)
        idle = self.running == 0
        if self._stuck():  # the caller was the last runner, and nobody wants this input
            self._deadlock()
        self.lock.release()
        try:
            if idle:
                for hook in self.idle_hooks:
                    hook()
            return fn()
        finally:
            self.lock.acquire()
            del self.in_external[cur]
            self.running += 1

    # -- the run ----------------------------------------------------------------

    def run(self, main, args, name="main"):
        outcome = {}
        root = ThreadProcess(name)

        def body():
            try:
                outcome["result"] = main(*args)
            except BaseException as exc:
                outcome["error"] = exc
            finally:
                self.done.set()

        with self.lock:
            self.running = 1
            self.live.add(root)
        self._start(root, body)
        try:
            self.done.wait()
        except BaseException:  # e.g. KeyboardInterrupt
            self._shutdown()
            raise
        deadlock = None
        with self.lock:
            if self.deadlocked and "error" not in outcome and "result" not in outcome:
                frames = sys._current_frames()
                blocked = [p for p in self.live if p.wait_on is not None]
                deadlock = deadlock_report(blocked, lambda p: frames.get(p.ident))
        self._shutdown()
        return conclude(outcome, deadlock)

    def _shutdown(self):
        with self.lock:
            self.stopping = True
            exc = Shutdown("the run is ending")
            for proc in list(self.live):
                if proc.wait_on is not None:
                    proc.wait_on._cancel(proc)
                    proc.wait_on = None
                    proc.exc = exc
                    proc.sem.release()
            # Those inside external_call (e.g. reading stdin) may never return:
            # they are daemon threads, left to finish or die with the program.
            threads = [p.thread for p in self.live if p.thread is not None and p not in self.in_external]
        for t in threads:
            t.join(0.5)
