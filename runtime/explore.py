"""Exploring every schedule of a program: the search behind ``cspc explore``.

The program is the real one, run on the controlled scheduler
(:mod:`cspc.runtime.backends.controlled`), which stops at every *stable
point* (every process blocked) and asks which of the enabled choices -- an
ALT's ready guard, or a timeout when nothing else can happen -- comes next.
Processes cannot be copied, so a state is reached again by replaying the run
from its start with the same *decisions* (the index taken at each stable point
with more than one choice).

The search is breadth first over decision sequences, so the first deadlock
or run-time error found has a shortest sequence of decisions.  It stops
there, or (``every=True``) goes on to the end and keeps each *distinct*
finding (:meth:`Finding.key`) with the first, and so shortest, sequence that
reaches it.  Every stable
point is fingerprinted (:func:`fingerprint`: where each process is blocked,
the values of its variables, the pending timeouts relative to the clock) and
a state seen before is not explored again, which is what makes
``WHILE TRUE`` servers end.

A *partial deadlock* is a set of processes blocked on channels that only
each other could ever serve, while other processes (a timer loop) go on; it
is looked for at each stable point where only timeouts can happen next
(:func:`blocked_forever`).  Who serves a channel is learnt from the run: the
process last seen at its other end, else the process the program declares
for that end.
"""

from __future__ import annotations

import hashlib
import io
from collections import deque
from dataclasses import dataclass, field

from ._source import is_source_file, mapped_line
from .backends.base import source_location
from .liveness import live_after
from .backends.controlled import Abandoned, ControlledBackend
from .errors import Deadlock
from .io import run_main


# -- fingerprints ---------------------------------------------------------------

_PLAIN = (int, float, bool, str, bytes, type(None))


def _value(v, depth=0):
    """A picture of one variable's value for a fingerprint: plain values as
    they are, arrays of them as tuples.  Anything else (a channel, a timer,
    an array of channels) is the same object all through a run, so only its
    kind is kept: looking into it would cost most of the fingerprint."""
    if isinstance(v, _PLAIN):
        return v
    if isinstance(v, (list, tuple, bytearray)) and depth < 4:
        if v and not isinstance(v[0], _PLAIN + (list, tuple, bytearray)):
            return (type(v[0]).__name__, len(v))
        return tuple(_value(x, depth + 1) for x in v)
    return type(v).__name__


def _frames(proc):
    """Where ``proc`` is: its occam frames, each with its line and variables,
    and what it waits on.  The runtime's frames are left out: they say how
    the scheduler got there (the direct switch or ``_block``, which process
    it switched to), which is no part of the program's state; a value being
    written is a function of the occam frame's variables."""
    frame = proc.gr_frame
    found = []
    while frame is not None:
        code = frame.f_code
        if is_source_file(code.co_filename) or mapped_line(frame.f_globals, frame.f_lineno):
            live = live_after(code, frame.f_lasti)
            local = tuple(sorted((k, _value(v)) for k, v in frame.f_locals.items()
                                 if live is None or k in live or k not in code.co_varnames))
            found.append((code.co_filename, code.co_qualname, frame.f_lineno, local))
        frame = frame.f_back
    wait = proc.wait_on
    found.append((type(wait).__name__, getattr(wait, "name", None)))
    return tuple(found)


def fingerprint(backend: ControlledBackend) -> bytes:
    """A 128-bit hash of the state at a stable point."""
    parts = []
    for proc in backend.processes():
        parts.append((proc.name, proc in backend.parked, _frames(proc)))
    parts.append(tuple(sorted(d - backend.clock for d, p, w in backend.pending if p.wait_on is w)))
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()


# -- who waits for whom -----------------------------------------------------------


class Partners:
    """The run's observer that learns who uses each channel end: the last
    writer and reader seen on each channel (occam's channels are one-to-one,
    so the last user of an end is its user)."""

    def __init__(self, inner=None):
        self.writer: dict = {}
        self.reader: dict = {}
        self.inner = inner

    def communicated(self, channel, value, writer, reader):
        self.writer[channel] = writer
        if reader is not None:
            self.reader[channel] = reader
        if self.inner is not None:
            self.inner.communicated(channel, value, writer, reader)


@dataclass
class Waiting:
    """A blocked process: what it waits for, where, and the processes that
    could end its wait (None when one of them is not known)."""

    process: object
    name: str  # the process's name as reports give it
    text: str  # the deadlock report's words
    location: str | None
    partners: list | None
    timed: bool  # a timeout could end the wait


def waits(backend: ControlledBackend, partners: Partners) -> list[Waiting]:
    """Every blocked process at a stable point, in start order."""
    by_name = {}
    for proc in backend.processes():
        by_name.setdefault(proc.name, proc)
    found = []
    for proc in backend.processes():
        wait = proc.wait_on
        if wait is None:
            continue
        record = wait._describe(proc)
        if record is None:
            continue
        location = source_location(proc.gr_frame)
        record.location = None
        found.append(Waiting(proc, record.process, record.describe(), location, *_partners_of(proc, wait, partners, by_name)))
    return found


def _partners_of(proc, wait, partners: Partners, by_name):
    from .alt import _AltState
    from .backends.controlled import ParkedAlt
    from .channels import Channel

    def other_end(channel, reading):
        seen = (partners.writer if reading else partners.reader).get(channel)
        if seen is not None and seen is not proc:
            return seen
        expected = channel._expected[1 if reading else 0]
        return by_name.get(expected) if expected else None

    if isinstance(wait, Channel):
        reading = wait._reader is proc
        return [other_end(wait, reading)], False
    if isinstance(wait, (ParkedAlt, _AltState)):
        timed = any(g.precondition and g.kind == 3 for g in wait.guards)
        found = [other_end(g.channel, g.kind == 0) for g in wait.guards if g.precondition and g.kind in (0, 1)]
        return found, timed
    kind = type(wait).__name__
    return None, kind == "_TimerWait"


def blocked_forever(waiting: list[Waiting], live) -> list[Waiting]:
    """The processes no future step can wake: blocked on channels whose
    other ends are held by processes blocked the same way (or ended)."""
    candidates = {id(w.process): w for w in waiting if w.partners is not None and not w.timed}
    changed = True
    while changed:
        changed = False
        for key, w in list(candidates.items()):
            for p in w.partners:
                if p is None or (p in live and id(p) not in candidates):
                    del candidates[key]
                    changed = True
                    break
    return [w for w in waiting if id(w.process) in candidates]


def cycle_of(stuck: list[Waiting]) -> list[str]:
    """A cycle of waiting among ``stuck`` (process names, the first repeated
    at the end), or [] when they wait on no cycle (e.g. for an ended process)."""
    by_proc = {id(w.process): w for w in stuck}
    for start in stuck:
        path, seen = [], {}
        w = start
        while w is not None and id(w.process) not in seen:
            seen[id(w.process)] = len(path)
            path.append(w.name)
            nxt = [by_proc[id(p)] for p in w.partners or () if p is not None and id(p) in by_proc]
            w = nxt[0] if nxt else None
        if w is not None:
            loop = path[seen[id(w.process)]:]
            return loop + [loop[0]]
    return []


# -- one run ------------------------------------------------------------------


@dataclass
class Decision:
    """A stable point with more than one choice, and the one taken."""

    choices: list  # [(process name, where, what)] in the scheduler's order
    taken: int


@dataclass
class Finding:
    kind: str  # "deadlock", "partial deadlock", "run-time error"
    decisions: list[int]
    message: str = ""  # the deadlock report or run-time error, as `cspc run' prints it
    blocked: list[Waiting] = field(default_factory=list)
    cycle: list[str] = field(default_factory=list)
    exception: BaseException | None = None

    def key(self) -> tuple:
        """What tells one finding from another, as a user sees them: the kind,
        and which processes are blocked where waiting for what (a deadlock), or
        the error (a run-time error).  The values of variables are left out:
        the same processes stuck at the same lines is the same deadlock."""
        if self.kind == "run-time error":
            exc = self.exception
            return (self.kind, self.message or f"{type(exc).__name__}: {exc}")
        return (self.kind, tuple(sorted((w.name, w.location or "", w.text) for w in self.blocked)))


class Run:
    """One run of the program on the controlled scheduler, following
    ``decisions`` at the stable points that have more than one choice.
    Past them ``at_frontier(run, backend, choices)`` decides (returning an
    index, None, or raising Abandoned); by default the first choice."""

    def __init__(self, proc, decisions, keyboard=b"", observer=None, at_frontier=None, record=False):
        self.proc = proc
        self.decisions = list(decisions)
        self.keyboard = keyboard
        self.partners = Partners(observer)
        self.at_frontier = at_frontier
        self.record = record
        self.taken: list[Decision] = []
        self.position = 0  # decisions followed so far
        self.finding: Finding | None = None
        self.last_waits: list[Waiting] = []
        self.screen = io.BytesIO()
        self.errors = io.BytesIO()
        self.mismatch = None  # a decision that does not fit this program

    def choose(self, backend, choices):
        if not choices:
            self.last_waits = waits(backend, self.partners)
        if len(choices) > 1 and self.position < len(self.decisions):
            index = self.decisions[self.position]
            self.position += 1
            if not 0 <= index < len(choices):
                self.mismatch = f"decision {self.position} picks choice {index + 1} of {len(choices)}"
                raise Abandoned(self.mismatch)
            if self.record:
                self.taken.append(Decision(describe_choices(choices), index))
            return index
        stopped = _stopped(backend)
        if stopped:
            self.finding = Finding("run-time error", self.decisions[: self.position], message=stopped)
            raise Abandoned("STOP")
        stuck = self._partial_deadlock(backend, choices)
        if stuck:
            self.finding = Finding("partial deadlock", self.decisions[: self.position], blocked=stuck,
                                   cycle=cycle_of(stuck))
            raise Abandoned("partial deadlock")
        if self.at_frontier is not None and self.position == len(self.decisions):
            return self.at_frontier(self, backend, choices)
        return 0 if choices else None

    def _partial_deadlock(self, backend, choices):
        """At a point where only timeouts can happen: the processes blocked for ever, if any."""
        if not choices or any(c.kind in ("guard", "claim") for c in choices):
            return []
        waiting = waits(backend, self.partners)
        return blocked_forever(waiting, set(backend.processes()))

    def go(self, policy_wrapper=None):
        """Run to the end (or until abandoned); the finding, if any."""
        backend = ControlledBackend(self.choose)
        self.backend = backend
        policy = backend.policy if policy_wrapper is None else policy_wrapper(backend.policy)
        try:
            run_main(self.proc, backend=backend, stdin=io.BytesIO(self.keyboard), stdout=self.screen,
                     stderr=self.errors, observer=self.partners, policy=policy)
        except Abandoned:
            pass
        except Deadlock as exc:
            stuck = blocked_forever(self.last_waits, {w.process for w in self.last_waits})
            self.finding = Finding("deadlock", self.decisions[: self.position], exception=exc,
                                   blocked=self.last_waits, cycle=cycle_of(stuck or self.last_waits))
        except Exception as exc:  # noqa: BLE001 -- a run-time error, or the program's failure
            self.finding = Finding("run-time error", self.decisions[: self.position], exception=exc)
        return self.finding


def _stopped(backend) -> str:
    """``file:line: run-time error: ...`` for the first process that reached STOP, else ""."""
    from .process import _Stopped

    for proc in backend.processes():
        if isinstance(proc.wait_on, _Stopped):
            where = source_location(proc.gr_frame) or "?"
            return f"{where}: run-time error: STOP reached by {proc.wait_on._describe(proc).process!r}"
    return ""


def describe_choices(choices) -> list:
    """[(process name, file:line, what)] for each choice of a stable point."""
    return [(c.process.name, source_location(c.process.gr_frame), c.describe()) for c in choices]


# -- the search -----------------------------------------------------------------


@dataclass
class Result:
    """What a search found: its findings (the first has a shortest decision
    sequence; with ``every`` each distinct one, each with its shortest), or
    none; and how much it explored."""

    findings: list[Finding]
    states: int
    transitions: int
    decisions: int  # distinct ALT decisions (choice point, choice) taken
    runs: int
    bound: str | None = None  # which bound cut the search, if one did
    exhaustive: bool = False
    method: str = "breadth-first"  # or "random"

    @property
    def finding(self) -> Finding | None:
        """The first finding (a shortest one), or None."""
        return self.findings[0] if self.findings else None


def explore(proc, *, keyboard=b"", max_states=100_000, max_depth=1_000, max_time=None, every=False) -> Result:
    """Breadth-first search over the decisions of ``proc``'s runs (see the
    module's doc), for at most ``max_time`` seconds when given; up to the first
    finding, or (``every``) on to the end, keeping each distinct finding."""
    import time

    deadline = None if max_time is None else time.monotonic() + max_time
    visited: set[bytes] = set()
    distinct: set = set()
    queue = deque([()])
    counts = {"transitions": 0, "runs": 0}
    findings: dict[tuple, Finding] = {}
    at_points = 0  # stable points counted where a finding was seen, outside ``visited``
    bound = None

    def at_frontier(run, backend, choices):
        nonlocal bound
        state = fingerprint(backend)
        if state in visited:
            raise Abandoned("seen")
        if len(visited) >= max_states:
            bound = f"--max-states {max_states}"
            raise Abandoned("bound")
        visited.add(state)
        counts["transitions"] += len(choices)
        if len(choices) <= 1:
            return 0 if choices else None
        if len(run.decisions) >= max_depth:
            bound = f"--max-depth {max_depth}"
            raise Abandoned("bound")
        for i, c in enumerate(choices):
            distinct.add((source_location(c.process.gr_frame), c.describe()))
            queue.append(tuple(run.decisions) + (i,))
        raise Abandoned("branched")

    while queue:
        if deadline is not None and time.monotonic() > deadline:
            bound = f"--max-time {max_time:g}"
            break
        decisions = queue.popleft()
        run = Run(proc, decisions, keyboard, at_frontier=at_frontier)
        counts["runs"] += 1
        finding = run.go()
        if finding is None:
            continue
        key = finding.key()
        if key in findings:  # found before, by a sequence no longer than this one
            continue
        findings[key] = finding
        # A partial deadlock or a STOP is seen at a stable point before it is counted: count it.
        at_points += finding.kind == "partial deadlock" or bool(finding.message)
        if not every:
            return Result([finding], len(visited) + at_points, counts["transitions"], len(distinct),
                          counts["runs"], bound)
    return Result(list(findings.values()), len(visited) + at_points, counts["transitions"], len(distinct),
                  counts["runs"], bound, exhaustive=bound is None)


def explore_randomly(proc, runs, *, keyboard=b"", pct=False, seed=0, max_depth=1_000, changes=3) -> Result:
    """``runs`` random schedules, for programs too large to explore: at each
    stable point with several choices a uniformly random one, or (``pct``)
    the choice of the process with the highest random priority, the priority
    of the process chosen at ``changes`` random points of the run being
    lowered below all others (after PCT, Burckhardt et al.).  Each run ends
    after ``max_depth`` stable points.  The first finding ends the search."""
    import random

    rng = random.Random(seed)
    visited: set[bytes] = set()
    totals = {"transitions": 0, "steps": 0}
    distinct: set = set()
    for number in range(1, runs + 1):
        priorities: dict = {}
        change_at = set(rng.sample(range(1, max_depth + 1), min(changes, max_depth))) if pct else set()
        steps = 0

        def at_frontier(run, backend, choices):
            nonlocal steps
            steps += 1
            visited.add(fingerprint(backend))
            totals["transitions"] += len(choices)
            if steps > max_depth:
                raise Abandoned("bound")
            if len(choices) <= 1:
                return 0 if choices else None
            if pct:
                for c in choices:
                    priorities.setdefault(c.process, rng.random() + 1)
                index = max(range(len(choices)), key=lambda i: priorities[choices[i].process])
                if steps in change_at:
                    priorities[choices[index].process] = rng.random() - 1
            else:
                index = rng.randrange(len(choices))
            distinct.add((source_location(choices[index].process.gr_frame), choices[index].describe()))
            run.decisions.append(index)
            run.position += 1
            return index

        run = Run(proc, [], keyboard, at_frontier=at_frontier)
        finding = run.go()
        if finding is not None:
            finding.decisions = list(run.decisions)
            return Result([finding], len(visited), totals["transitions"], len(distinct), number, method="random")
    return Result([], len(visited), totals["transitions"], len(distinct), runs, bound=f"--random {runs}",
                  method="random")
