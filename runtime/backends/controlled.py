"""The controlled scheduler: the greenlet backend, run so that a tool decides
every choice a run could make differently (``cspc explore``, and the replay of
a schedule it found).

occam's usage rules forbid shared variables, so a run can differ from another
only where an ALT chooses, where a timeout fires, and in what comes from the
outside world.  This backend makes those points explicit:

* Processes run one at a time, from a first-in first-out queue, until every
  one of them is blocked: a *stable point*.  A communication that involves no
  ALT completes as soon as both sides arrive, whatever the order they ran in,
  so nothing is decided before a stable point.
* An ALT does not choose when it starts: it is *parked* (``alt._before_alt``)
  until the next stable point.  There the backend lists the *choices*: every
  guard of a parked ALT that is ready (a partner waits, or SKIP), and, when
  there is none at all, every timeout that is pending (a ``tim ? AFTER t``, or
  an ALT's timeout guard): "any timeout may fire once every other step is
  done".  The ``chooser`` the backend was made with picks one; the parked
  process resumes and its ALT takes that guard (through :class:`ChosenPolicy`).
* Time is virtual: the clock starts at 0 and moves only when a timeout fires,
  to that timeout's deadline.  A run is therefore the same every time it is
  given the same choices -- which is what lets the explorer replay a run from
  its start instead of copying processes.
* Keyboard input comes from the stream given to the run, read as it is asked
  for (no helper thread).

PRI ALT is parked like ALT: which of its guards is ready first depends on
the schedule, so each of its ready guards is a choice.  A CLAIM is parked too
(``_shared._before_claim``): at a stable point, every process waiting to
CLAIM an end that nobody holds is a choice, since any of them could have come
first.  Not covered: an output guard (the runtime's, not occam's) waiting on
an ALT's input guard is not seen as ready.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .. import _shared as shared_module
from .. import alt as alt_module
from .. import timers as timers_module
from ..errors import BlockedProcess
from .._core import Waitable
from .base import Shutdown, conclude, deadlock_report
from .greenlets import GreenletBackend, GreenletProcess, _Start

_INPUT, _OUTPUT, _SKIP, _TIMEOUT = range(4)


class Abandoned(BaseException):
    """The chooser ended the run early (a state seen before, a bound, a
    partial deadlock): the run's result is what the chooser recorded."""


@dataclass
class Choice:
    """One thing that may happen next at a stable point.

    ``kind`` is "guard" (a parked ALT takes the ready guard ``index``),
    "claim" (the process gets the free claim ``wait``), "timeout" (the ALT's
    timeout guard ``index`` fires) or "timer" (a ``tim ? AFTER t`` wait
    ends); ``deadline`` is the virtual time it fires at."""

    kind: str
    process: object
    index: int = -1
    guard: object = None
    deadline: int = 0
    wait: object = None

    def describe(self) -> str:
        """The choice in a report's words: ``c?``, ``SKIP``, ``timeout``."""
        if self.kind == "timer":
            return "timer"
        if self.kind == "claim":
            return f"CLAIM {self.wait.channel.name}"
        g = self.guard
        if self.kind == "timeout" or g.kind == _TIMEOUT:
            return "timeout"
        if g.kind == _SKIP:
            return "SKIP"
        return g.channel.name + ("?" if g.kind == _INPUT else "!")


class ControlledProcess(GreenletProcess):
    """A greenlet process that remembers when it was started, so that every
    listing of processes is in the same order on every replay."""

    __slots__ = ("order",)


class ParkedAlt(Waitable):
    """What a process is blocked on while its ALT waits for the next stable point."""

    __slots__ = ("backend", "guards")

    def __init__(self, backend, guards):
        self.backend = backend
        self.guards = guards

    def channels(self):
        return [g for g in self.guards if g.precondition and g.kind in (_INPUT, _OUTPUT)]

    def _cancel(self, proc) -> None:
        self.backend.parked.pop(proc, None)

    def _describe(self, proc) -> BlockedProcess:
        names = [g.channel.name + ("?" if g.kind == _INPUT else "!") for g in self.channels()]
        return BlockedProcess(proc.name, "ALT", ", ".join(names) or None)


class ParkedClaim(Waitable):
    """What a process is blocked on while its CLAIM waits for the next stable point."""

    __slots__ = ("backend", "claim")

    def __init__(self, backend, claim):
        self.backend = backend
        self.claim = claim

    def _cancel(self, proc) -> None:
        self.backend.claimants.pop(proc, None)

    def _describe(self, proc) -> BlockedProcess:
        return self.claim._describe(proc)


class ChosenPolicy:
    """The ALT policy of a controlled run: the guard the chooser picked for
    the process, else (an ALT that found a guard ready without parking) the
    first ready one."""

    def __init__(self, backend):
        self.backend = backend

    def choose(self, process, guards, ready, pri, site) -> int:
        chosen = self.backend.decisions.pop(process, None)
        return chosen if chosen in ready else ready[0]


class ControlledBackend(GreenletBackend):
    """The greenlet backend with stable points, parked ALTs and a virtual clock.

    ``chooser(backend, choices)`` is called at every stable point with the
    list of :class:`Choice` (possibly empty) and returns the index of the one
    to take, or None when there is none; it may raise :class:`Abandoned`.
    ``keyboard`` is the bytes the program's keyboard channel delivers."""

    name = "controlled"

    def __init__(self, chooser):
        super().__init__()
        self.chooser = chooser
        self.policy = ChosenPolicy(self)
        self.clock = 0  # virtual microseconds
        self.parked: dict = {}  # process -> its ALT's guards, in the order they parked
        self.claimants: dict = {}  # process -> the claim it waits for, in the order they came
        self.decisions: dict = {}  # process -> the guard index its ALT is to take
        self.pending: list = []  # (deadline, process, wait) of `tim ? AFTER t' waits
        self.order = 0
        self.releasing = False  # no choice is left: parked ALTs go and wait as usual
        self.block, self.block_until = self._make_controlled_block()

    # -- the primitives ----------------------------------------------------

    def _make_controlled_block(self):
        block, _ = self._make_block()

        def block_until(cur, waitable, deadline):
            if cur.exc is not None:
                self._refuse_to_block(cur, waitable)
            self.pending.append((deadline, cur, waitable))
            block(cur, waitable)

        return block, block_until

    def spawn(self, fn, name, join):
        proc = ControlledProcess(self, fn, name, join)
        proc.order = self.order
        self.order += 1
        if self.stopping:
            proc.exc = Shutdown("the run is ending")
        self.live.add(proc)
        self.ready.append(_Start(proc, self))
        return proc

    def reschedule(self, cur):
        if self.ready:
            self.ready.append(cur)
            self.ready.popleft().switch()
        if cur.exc is not None:
            self._raise_pending(cur)

    def poll(self):
        """Nothing to poll: time moves only when a timeout is chosen."""

    def external_call(self, fn, what="external input", wanted=None):
        """Keyboard input is a stream in memory: read it in this process."""
        return fn()

    # -- parking ALTs ------------------------------------------------------

    def park(self, cur, guards) -> None:
        """``alt._before_alt``: wait for the next stable point, where the
        chooser decides which guard this ALT takes."""
        if self.releasing or not any(g.precondition for g in guards):
            return  # nothing left to decide, or an ALT that stops
        self.parked[cur] = guards
        self.block(cur, ParkedAlt(self, guards))

    def park_claim(self, cur, claim) -> bool:
        """``_shared._before_claim``: wait for the next stable point, where
        the chooser decides which claimant of a free claim gets it.  True once
        ``cur`` holds the claim; False (claim as usual) when nothing is left
        to decide."""
        if self.releasing:
            return False
        self.claimants[cur] = claim
        self.block(cur, ParkedClaim(self, claim))
        return True

    def processes(self) -> list:
        """The live processes, in the order they started."""
        return sorted((p for p in self.live if not p.dead), key=lambda p: p.order)

    def choices(self) -> list[Choice]:
        """What may happen next, at a stable point (see the module's doc)."""
        found = []
        for proc, guards in self.parked.items():
            for i, g in enumerate(guards):
                if not g.precondition:
                    continue
                if g.kind == _INPUT and g.channel._in_ready() or g.kind == _OUTPUT and g.channel._out_ready():
                    found.append(Choice("guard", proc, i, g))
                elif g.kind == _SKIP:
                    found.append(Choice("guard", proc, i, g))
                elif g.kind == _TIMEOUT and g._deadline_us(self.clock) <= self.clock:
                    found.append(Choice("guard", proc, i, g))  # its time has come already
        for proc, claim in self.claimants.items():
            if claim.holder is None:
                found.append(Choice("claim", proc, wait=claim))
        if found:
            return found
        return self.timeouts()

    def timeouts(self) -> list[Choice]:
        found = []
        for proc, guards in self.parked.items():
            for i, g in enumerate(guards):
                if g.precondition and g.kind == _TIMEOUT:
                    found.append(Choice("timeout", proc, i, g, deadline=g._deadline_us(self.clock)))
        for deadline, proc, wait in self.pending:
            if proc.wait_on is wait:
                found.append(Choice("timer", proc, deadline=deadline, wait=wait))
        return found

    def take(self, choice: Choice) -> None:
        proc = choice.process
        self.clock = max(self.clock, choice.deadline)
        if choice.kind == "timer":
            self.pending = [p for p in self.pending if p[2] is not choice.wait]
            if choice.wait._timeout(proc):
                proc.wait_on = None
                self.ready.append(proc)
            return
        if choice.kind == "claim":
            del self.claimants[proc]
            choice.wait.holder, choice.wait.depth = proc, 1
            proc.wait_on = None
            self.ready.append(proc)
            return
        del self.parked[proc]
        self.decisions[proc] = choice.index
        proc.wait_on = None
        self.ready.append(proc)

    def release(self) -> None:
        """No choice is left: let every parked ALT go and wait in the usual way,
        and every claimant queue for its claim (all held: a free one would be a
        choice), so that the run ends as it would (a deadlock report names them)."""
        self.releasing = True
        for proc in list(self.parked):
            del self.parked[proc]
            proc.wait_on = None
            self.ready.append(proc)
        for proc, claim in list(self.claimants.items()):
            del self.claimants[proc]
            claim.waiting.append(proc)  # claim.release() hands it over and wakes proc
            proc.wait_on = claim

    # -- the run -------------------------------------------------------------

    def _hub_loop(self):
        ready = self.ready
        while not self.finished:
            if ready:
                ready.popleft().switch()
                continue
            self.pending = [p for p in self.pending if p[1].wait_on is p[2]]
            choices = self.choices()
            index = self.chooser(self, choices)
            if index is not None:
                self.take(choices[index])
            elif self.parked or self.claimants:
                self.release()
            else:
                return  # deadlock: nothing can happen

    def run(self, main, args, name="main"):
        outcome = {}

        def root():
            try:
                outcome["result"] = main(*args)
            except BaseException as exc:
                outcome["error"] = exc
            finally:
                self.finished = True

        root_proc = ControlledProcess(self, root, name, None)
        root_proc.order = -1
        self.live.add(root_proc)
        self.ready.append(root_proc)
        saved = alt_module._before_alt, timers_module._monotonic_ns, shared_module._before_claim
        alt_module._before_alt = self.park
        shared_module._before_claim = self.park_claim
        timers_module._monotonic_ns = lambda: self.clock * 1000
        try:
            self.hub.switch()
            deadlock = None
            if not self.finished:
                blocked = [p for p in self.live if p.wait_on is not None and not p.dead]
                deadlock = deadlock_report(blocked, lambda p: p.gr_frame)
        except BaseException:  # Abandoned by the chooser, or Ctrl-C
            self._shutdown()
            raise
        finally:
            alt_module._before_alt, timers_module._monotonic_ns, shared_module._before_claim = saved
        self._shutdown()
        return conclude(outcome, deadlock)
