"""One rank's share of a run over MPI: its messages, its pump, its watch for
deadlock.

Inside a rank, processes are greenlets as in any run.  Beside them runs one
more process, the *pump* (:meth:`Engine.pump`), for as long as the placed PAR
does.  It receives every MPI message (``improbe``, never a blocking receive),
acts on it at once (an OFFER wakes the reader it was for, an ACK the writer),
lets the other processes run whenever one is runnable, and otherwise naps with
back-off: a short spin first (a reply often comes within microseconds), then
sleeps growing to :data:`MAX_NAP`, so an idle rank does not hold a core.  As
the pump is always runnable, the backend's own deadlock test never fires
under MPI: rank 0's pump does it for the whole job (:meth:`watch`).  A rank
whose processes compute does not wait for the pump's turn to come round the
ready queue: every process's time slice (``fair.tick``) ends by receiving
what has come (:meth:`between_slices`), so a message waits about one slice.

Messages (one communicator, any tag received in order from each sender):

=============  ===========================================================
ANNOUNCE       (gid, end, value, shared): the sender holds that end of
               channel gid (shared: the end is a shared one, CLAIMed)
OFFER, ACK     (gid, value) / gid: the two halves of a cross-rank rendezvous
SCREEN         (stream name, bytes): a rank's screen or error output, to rank 0
DONE           the sender's placed processes have all ended
FAIL           the report of a run-time error on the sender: the job ends
CLAIM_REQ,     (gid, side): a process on the sender CLAIMs that shared end;
GRANT,         the home rank grants it; the holder's CLAIM has ended
RELEASE        (see claims.py)
SYNC, ENROL,   (bid, n): a process on the sender syncs on, enrols on or
RESIGN         resigns from main-PROC barrier bid, which rank 0 counts
PHASE          (bid, 0): rank 0 says bid's phase is over (see barriers.py)
PROBE, STATUS  rank 0 asks, each rank answers (idle?, sent, received)
REPORT_REQ,    rank 0 asks for, each rank sends, the records of its blocked
REPORT         processes, once a deadlock is certain
STOP           the job is over (a deadlock was reported)
=============  ===========================================================

Deadlock: rank 0, when itself idle, probes every :data:`PROBE_EVERY`
seconds.  Two rounds in a row in which every rank is idle, the counts of
messages sent and received add up to the same total, and no count changed
mean that no rank can move again and no message is on its way; then every
rank sends its blocked processes (as a one-rank run would report them, each
marked with its rank) and rank 0 raises the one merged Deadlock.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import time
from collections import deque

from mpi4py import MPI

from .. import _core
from .. import _shared
from .. import barrier as _barrier
from .. import fair as _fair
from .. import channels as _channels
from ..backends.base import _report_order, deadlock_report
from ..barrier import Barrier
from ..channels import Channel
from ..errors import Deadlock, OccamError
from . import channels as _remote
from . import barriers as _barriers
from . import claims as _claims
from .barriers import DistributedBarrier
from .channels import (
    READER, WRITER, PlacedChannel, RemoteRead, RemoteWrite, SharedPlacedChannel, SharedRemoteRead,
)
from .claims import HOME, DistributedClaim

ANNOUNCE, OFFER, ACK, SCREEN, DONE, FAIL = 1, 2, 3, 4, 5, 6  # counted: see watch()
CLAIM_REQ, GRANT, RELEASE = 7, 8, 9  # counted too
SYNC, ENROL, RESIGN, PHASE = 10, 11, 12, 13  # counted too
PROBE, STATUS, REPORT_REQ, REPORT, STOP = 14, 15, 16, 17, 18
COUNTED = PHASE  # the messages tagged up to this one are counted (sent, received)

SPIN = 1e-3  # seconds of polling flat out after the last event, before napping
MAX_NAP = 0.002
PROBE_EVERY = 0.1


class _NoValue:
    """An ANNOUNCE that carries no value (pickles as the one instance)."""

    def __reduce__(self):
        return "NO_VALUE"


NO_VALUE = _NoValue()


class RemoteFailure(OccamError):
    """A run-time error on another rank: its message, already
    written out there (file, line, caret), and is what rank 0 prints
    (``remote_report``)."""

    def __init__(self, report: str):
        super().__init__(report)
        self.remote_report = report


class Stopped(BaseException):
    """Ends a rank's processes once the job is over elsewhere (a run-time error
    reported by another rank, or a deadlock that rank 0 reports)."""


class Engine:
    """The MPI side of one rank (one per run; see the module docstring)."""

    def __init__(self, comm, keyboard_rank: int = 0):
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.channels: list = []  # by gid
        self.gids: dict = {}
        self.ends: dict[int, list] = {0: [None, keyboard_rank]}  # gid 0 is the keyboard
        self.peer: dict = {}  # channel -> the rank of its other end
        self.offers: dict = {}  # RemoteRead channel -> deque of values offered, not yet taken
        self.early: dict = {}  # gid -> a writer's first value, sent with its ANNOUNCE (see claim)
        self.early_sent: set[int] = set()  # gids whose waiting writer's value went with the ANNOUNCE
        self.missed: list = []  # RemoteRead channels an ALT waits on with an offer already there
        self.offering = False  # an OFFER is being handed over (see _offered)
        self.shared: set[int] = set()  # gids whose writing end is shared (CLAIMed) by several ranks
        self.claims: dict = {}  # (gid, side) -> this rank's DistributedClaim of that end
        self.claim_holders: dict = {}  # the home's: (gid, side) -> the rank holding it
        self.claim_queues: dict = {}  # the home's: (gid, side) -> deque of ranks waiting for it
        self.barriers: list = []  # the main PROC's barriers, by bid (made as its channels are)
        self.bids: dict = {}
        self.barrier_syncs: dict = {}  # rank 0's: bid -> {rank: processes there waiting in this phase}
        self.forwarding = False  # the placed PAR runs: barrier operations count on rank 0
        self.mirrors: set = set()  # processes whose barrier enrols and resigns count elsewhere
        self.reading_ranks: dict = {}  # the home's: (gid, "reading") -> the rank of its readers
        self.outgoing: list = []
        self.sent = self.received = 0
        self.placed = False
        self.done: set[int] = set()
        self.failure: str | None = None
        self.reported = False  # this rank's own failure went out in a FAIL
        self.stopped = False
        self.deadlock: Deadlock | None = None
        self.conflict: str | None = None  # two ranks claimed the same end of a channel
        self.local_screens: list = []  # flushed to rank 0 before each message (ranks > 0)
        self.rank0_screens = None  # rank 0: stream name -> ScreenWriter
        self.pump_proc = None
        self._status = MPI.Status()
        self._round = 0
        self._replies: dict | None = None
        self._last_snapshot = None
        self._round_end = time.monotonic()
        self._reports: dict | None = None
        self._handlers = {
            ANNOUNCE: self._on_announce, OFFER: self._on_offer, ACK: self._on_ack,
            SCREEN: self._on_screen, DONE: self._on_done, FAIL: self._on_fail,
            CLAIM_REQ: self._on_claim_req, GRANT: self._on_grant, RELEASE: self._on_release,
            SYNC: self._on_sync, ENROL: self._on_enrol, RESIGN: self._on_resign, PHASE: self._on_phase,
            PROBE: self._on_probe, STATUS: self._on_status, REPORT_REQ: self._on_report_req,
            REPORT: self._on_report, STOP: self._on_stop,
        }  # fmt: skip

    # -- the run's edges -------------------------------------------------------

    def start(self) -> None:
        """Become the rank's engine: channels made from now until the placed PAR are registered."""
        _remote._engine = _claims._engine = _barriers._engine = self
        _channels._on_create = self.register
        _barrier._on_create = self.register_barrier
        _shared._on_claim = self.adopt_claim
        _fair._on_slice = self.between_slices
        # MPI_Finalize at exit, before mpi4py would call MPI_Abort for a non-zero
        # status: the error is reported already, and an abort would garble it.
        atexit.register(_finalize)

    def finish(self) -> None:
        _channels._on_create = None
        _shared._on_claim = None
        _fair._on_slice = None
        _barrier._on_create = None
        _remote._engine = _claims._engine = _barriers._engine = None
        self.drain()

    def drain(self) -> None:
        """Wait until every message sent has left (a FAIL must arrive after we exit)."""
        if self.outgoing:
            MPI.Request.Waitall(self.outgoing)
            self.outgoing = []

    # -- channels --------------------------------------------------------------

    def register(self, channel) -> None:
        """Channel.__init__'s hook while the main PROC declares its channels."""
        kind = type(channel)
        if kind is not Channel and channel.name != "keyboard":
            return  # buffered and shared channels stay on the rank that uses them
        gid = len(self.channels)
        self.channels.append(channel)
        self.gids[channel] = gid
        self.ends.setdefault(gid, [None, None])
        if kind is Channel:
            channel.__class__ = PlacedChannel

    def stop_registering(self) -> None:
        _channels._on_create = _barrier._on_create = None
        self.placed = True

    def register_barrier(self, barrier) -> None:
        """Barrier.__init__'s hook while the main PROC declares its barriers."""
        self.bids[barrier] = len(self.barriers)
        self.barriers.append(barrier)
        barrier.__class__ = DistributedBarrier

    # -- barriers across ranks (barriers.py) ---------------------------------------

    def forwards(self, barrier, sync: bool = False, n: int = 1) -> bool:
        """Whether an enrol (``n`` > 0), resign (``n`` < 0) or sync of ``barrier``
        by the current process is rank 0's to count (sent there) or nobody's (a
        mirror's enrol or resign); False: it is done here."""
        if self.rank == HOME or not self.forwarding:
            return False
        if sync:
            self.send(HOME, SYNC, (self.bids[barrier], 0))
            return True
        if _core.active.primitives()["_current"]() not in self.mirrors:
            self.send(HOME, ENROL if n > 0 else RESIGN, (self.bids[barrier], abs(n)))
        return True

    def remote_synced(self, barrier) -> int:
        syncs = self.barrier_syncs.get(self.bids.get(barrier))
        return sum(syncs.values()) if syncs else 0

    def phase_over(self, barrier) -> None:
        """Rank 0: ``barrier``'s phase is over; tell the ranks with processes waiting."""
        syncs = self.barrier_syncs.pop(self.bids.get(barrier), None)
        for rank in sorted(syncs or ()):
            self.send(rank, PHASE, (self.bids[barrier], 0))

    def mirrored(self, fn):
        """``fn``, run so that its barrier enrols and resigns count on rank 0's run of it only."""

        def mirror():
            cur = _core.active.primitives()["_current"]()
            self.mirrors.add(cur)
            try:
                fn()
            finally:
                self.mirrors.discard(cur)

        return mirror

    @contextlib.contextmanager
    def copies_counted(self):
        """While a spread PAR's copies run here, their barrier operations count,
        even the first copy's, which runs in the mirror process itself."""
        cur = _core.active.primitives()["_current"]()
        mirror = cur in self.mirrors
        self.mirrors.discard(cur)
        try:
            yield
        finally:
            if mirror:
                self.mirrors.add(cur)

    def _on_sync(self, src, obj) -> None:
        bid, _ = obj
        syncs = self.barrier_syncs.setdefault(bid, {})
        syncs[src] = syncs.get(src, 0) + 1
        barrier = self.barriers[bid]
        if barrier.synced() >= barrier.enrolled:
            barrier._release_all()

    def _on_enrol(self, src, obj) -> None:
        bid, n = obj
        self.barriers[bid].enrol(n)

    def _on_resign(self, src, obj) -> None:
        bid, n = obj
        self.barriers[bid].resign(n)

    def _on_phase(self, src, obj) -> None:
        bid, _ = obj
        Barrier._release_all(self.barriers[bid])

    def claim(self, channel, end: int, value=NO_VALUE) -> None:
        """A process here is first to use ``end`` of ``channel`` on this rank.

        A writer that does not know yet where its reader is sends its first
        ``value`` with its ANNOUNCE, to every rank: the reader's rank then has
        it waiting as soon as its reader claims the channel, so a PRI ALT
        there sees every writer that is offering (the other ranks drop it)."""
        gid = self.gids[channel]
        ends = self.ends[gid]
        holder = ends[end]
        shared = end == WRITER and channel._wclaim is not None  # CLAIMed: many writers, on any rank
        if shared:
            self.shared.add(gid)
        elif holder is not None and holder != self.rank:
            raise OccamError(self._two_ranks(channel, end, self.rank, holder))
        other = ends[1 - end]
        if holder != self.rank:
            ends[end] = self.rank
            if end == WRITER and other is None and value is not NO_VALUE:
                self.early_sent.add(gid)
                self.broadcast(ANNOUNCE, (gid, end, value, shared))
            else:
                self.broadcast(ANNOUNCE, (gid, end, NO_VALUE, shared))
        if other is not None and other != self.rank:
            self._connect(channel, end, other)
        elif shared:
            channel.__class__ = SharedPlacedChannel  # writers here; the reader is told of them when it comes
        elif end == READER and gid in self.shared:
            self._connect(channel, READER, self.rank if other is None else other)  # writers may be anywhere
        else:
            channel.__class__ = Channel  # in memory, unless the other end turns up elsewhere

    def _two_ranks(self, channel, end: int, here: int, there: int) -> str:
        """The error for two ranks using one end of a channel."""
        if end == READER and channel._rclaim is not None:
            return (
                f"channel {channel.name}: processes on rank {here} and rank {there} share its reading end; "
                f"the readers of a shared channel must be on one rank (its writers may be anywhere)"
            )
        side = "reads" if end == READER else "writes"
        return (
            f"channel {channel.name}: a process on rank {here} and one on rank {there} "
            f"both {side} it; a channel between ranks has one reader and one writer"
        )

    def _connect(self, channel, mine: int, other: int) -> None:
        """``channel``'s end ``mine`` is here and its other end on rank ``other``."""
        self.peer[channel] = other
        gid = self.gids[channel]
        if mine == READER:
            channel.__class__ = SharedRemoteRead if gid in self.shared else RemoteRead
            if gid in self.early:  # the writer's first value came with its ANNOUNCE
                self._offered(channel, other, self.early.pop(gid))
        else:
            channel.__class__ = RemoteWrite
            if gid in self.early_sent:
                self.early_sent.discard(gid)  # the waiting writer's value went with the ANNOUNCE
            elif channel._writer is not None:  # a writer has been waiting for its reader to turn up
                self.offer(channel, channel._writer.slot)

    def offer(self, channel, value) -> None:
        self.send(self.peer[channel], OFFER, (self.gids[channel], value))

    def acknowledge(self, channel) -> None:
        self.send(self.peer[channel], ACK, self.gids[channel])

    # -- messages --------------------------------------------------------------

    def send(self, dest: int, tag: int, obj) -> None:
        if self.local_screens and tag != SCREEN:
            for screen in self.local_screens:  # what was written before this, arrives before it
                screen.flush()
        self.outgoing.append(self.comm.isend(obj, dest, tag))
        if tag <= COUNTED:
            self.sent += 1
        if len(self.outgoing) > 64:
            self.outgoing = [r for r in self.outgoing if not r.Test()]

    def broadcast(self, tag: int, obj) -> None:
        for dest in range(self.size):
            if dest != self.rank:
                self.send(dest, tag, obj)

    def progress(self) -> bool:
        """Receive and act on every message waiting; True if there was one."""
        comm, status = self.comm, self._status
        got = False
        while self.missed and _core.active.primitives()["_current"]() is self.pump_proc:
            self._hand_over(self.missed.pop())
            got = True
        while True:
            message = comm.improbe(MPI.ANY_SOURCE, MPI.ANY_TAG, status)
            if message is None:
                return got
            obj = message.recv()
            got = True
            tag = status.Get_tag()
            if tag <= COUNTED:
                self.received += 1
            self._handlers[tag](status.Get_source(), obj)

    def _on_announce(self, src, obj) -> None:
        gid, end, value, shared = obj
        ends = self.ends.setdefault(gid, [None, None])
        if shared:
            self.shared.add(gid)
        elif ends[end] == self.rank:
            self.conflict = self._two_ranks(self.channels[gid], end, self.rank, src)
        ends[end] = src
        if value is not NO_VALUE:
            self.early[gid] = value
        if gid < len(self.channels) and ends[1 - end] == self.rank:
            self._connect(self.channels[gid], 1 - end, src)
        elif end == READER:
            self.early.pop(gid, None)  # not ours to read: drop a first value sent to all

    def _on_offer(self, src, obj) -> None:
        gid, value = obj
        self._offered(self.channels[gid], src, value)

    def _hand_over(self, channel) -> None:
        """Give a waiting ALT the offer that came before it registered."""
        offered = self.offers.get(channel)
        if offered and channel._ralt is not None:
            self._offered(channel, self.peer[channel], offered.popleft())

    def _offered(self, channel, src, value) -> None:
        self.peer[channel] = src  # the writer to ACK (of a shared end: the one holding its CLAIM)
        self.offering = True  # for SharedRemoteRead._hold_writer, whichever process receives it
        try:
            taken = channel.offered(value)
        finally:
            self.offering = False
        if taken:
            self.send(src, ACK, self.gids[channel])

    def _on_ack(self, src, gid) -> None:
        self.channels[gid].acknowledged()

    def _on_screen(self, src, obj) -> None:
        name, data = obj
        if self.rank0_screens is None:
            from ..io import _screens_to_flush

            self.rank0_screens = {s.name: s for s in _screens_to_flush}
        self.rank0_screens[name].write(data)

    def _on_done(self, src, obj) -> None:
        self.done.add(src)

    def _on_fail(self, src, report) -> None:
        if self.failure is None:
            self.failure = report

    def _on_stop(self, src, obj) -> None:
        self.stopped = True

    # -- CLAIMs of shared ends across ranks (claims.py) ---------------------------

    def adopt_claim(self, claim) -> None:
        """``claim_of``'s hook: the claim of a main-PROC channel's end is granted by the home rank."""
        gid = self.gids.get(claim.channel)
        if gid is not None and claim.side in ("writing", "reading"):
            claim.__class__ = DistributedClaim
            self.claims[(gid, claim.side)] = claim

    def request_claim(self, claim) -> bool:
        """Ask the home for ``claim``'s end; True if granted at once (the home is here)."""
        key = (self.gids[claim.channel], claim.side)
        if self.rank != HOME:
            self.send(HOME, CLAIM_REQ, key)
            return False
        return self._claim_requested(key, self.rank)

    def release_claim(self, claim) -> None:
        key = (self.gids[claim.channel], claim.side)
        if self.rank != HOME:
            self.send(HOME, RELEASE, key)
        else:
            self._claim_released(key)

    def _claim_requested(self, key, rank: int) -> bool:
        """The home: ``rank`` asks for the end ``key``; True if it has it now."""
        if key[1] == "reading":  # the readers of a shared end must share a rank (see claims.py)
            ranks = self.reading_ranks.setdefault(key, rank)
            if ranks != rank and self.conflict is None:
                self.conflict = self._two_ranks(self.channels[key[0]], READER, ranks, rank)
        if self.claim_holders.get(key) is None:
            self.claim_holders[key] = rank
            return True
        self.claim_queues.setdefault(key, deque()).append(rank)
        return False

    def _claim_released(self, key) -> None:
        """The home: the end ``key`` is free; grant it to the first rank waiting."""
        waiting = self.claim_queues.get(key)
        rank = waiting.popleft() if waiting else None
        self.claim_holders[key] = rank
        if rank == self.rank:
            self.claims[key].granted()
        elif rank is not None:
            self.send(rank, GRANT, key)

    def _on_claim_req(self, src, key) -> None:
        if self._claim_requested(tuple(key), src):
            self.send(src, GRANT, tuple(key))

    def _on_grant(self, src, key) -> None:
        self.claims[tuple(key)].granted()

    def _on_release(self, src, key) -> None:
        self._claim_released(tuple(key))

    # -- the pump --------------------------------------------------------------

    def run_placed(self, branches) -> None:
        """Run this rank's share of the placed PAR, ``branches`` as (fn, name),
        beside the pump; return once every rank's share has ended."""
        from ..process import par
        from ..toplevel import format_runtime_error, is_runtime_error, root_cause

        self.stop_registering()

        def local():
            try:
                if branches:
                    par(*[fn for fn, _ in branches], names=[name for _, name in branches])
            except BaseException as exc:
                cause = root_cause(exc)
                if not isinstance(cause, (Stopped, RemoteFailure)) and is_runtime_error(exc):
                    self.broadcast(FAIL, format_runtime_error(exc))
                    self.drain()
                    self.reported = True
                raise
            for screen in self.local_screens:
                screen.flush()
            self.done.add(self.rank)
            self.broadcast(DONE, None)

        cur = _core.active.primitives()["_current"]()
        self.forwarding = True
        try:
            par(local, self.pump, names=[cur.name, f"rank {self.rank}'s MPI pump"])
        finally:
            self.forwarding = False

    def between_slices(self) -> None:
        """A process here has run a time slice without blocking (``fair.tick``):
        receive the messages waiting, so that another rank need not wait for the
        pump's turn, and let the processes they woke run first."""
        ready = _core.active.ready
        runnable = len(ready)
        self.progress()
        woken = len(ready) - runnable
        if woken and runnable:
            ready.rotate(woken)

    def pump(self) -> None:
        backend = _core.active
        cur = self.pump_proc = backend.primitives()["_current"]()
        last_event = time.monotonic()
        nap = 0.0
        while True:
            if cur.exc is not None:
                exc, cur.exc = cur.exc, None
                raise exc
            runnable = len(backend.ready)
            got = self.progress()
            woken = len(backend.ready) - runnable
            if woken and runnable:
                # Those a message woke go first: another rank waits on them, while
                # the processes already runnable here only wait for their turn.
                backend.ready.rotate(woken)
            if self.stopped:
                raise Stopped("the job has ended")
            if self.failure is not None:
                raise RemoteFailure(self.failure) if self.rank == 0 else Stopped(self.failure)
            if self.deadlock is not None:
                raise self.deadlock
            if self.conflict is not None:
                raise self._conflict_error()
            if len(self.done) == self.size:
                return
            backend.poll()  # timers due, external input arrived
            if backend.ready:
                backend.reschedule(cur)
                last_event, nap = time.monotonic(), 0.0
                continue
            now = time.monotonic()
            if got:
                last_event, nap = now, 0.0
                continue
            if self.rank == 0:
                self.watch(now)
            if now - last_event < SPIN:
                os.sched_yield()  # a rank sharing this core may be the one to answer
                continue
            for hook in backend.idle_hooks:
                hook()
            nap = min(MAX_NAP, max(2 * nap, 20e-6))
            if backend.timers:
                nap = min(nap, max(0.0, (backend.timers[0][0] - _now_us()) / 1e6))
            time.sleep(nap)

    def _conflict_error(self) -> OccamError:
        """The error for two ranks at one end of a channel, told to every rank
        first (the others may not have seen it), so that the job ends."""
        from ..toplevel import format_runtime_error

        error = OccamError(self.conflict)
        if not self.reported:
            self.broadcast(FAIL, format_runtime_error(error))
            self.drain()
            self.reported = True
        return error

    def idle(self) -> bool:
        """Whether nothing on this rank can move until a message comes."""
        b = _core.active
        return (
            b.primitives()["_current"]() is self.pump_proc
            and not b.ready
            and not b.timers
            and not b.inbox
            and not any(w.expected() for w in b.calls)
        )

    # -- deadlock (rank 0 watches, every rank answers) ---------------------------

    def watch(self, now: float) -> None:
        if self._reports is not None:
            if len(self._reports) == self.size:
                records = [r for rank in sorted(self._reports) for r in self._reports[rank]]
                self.broadcast(STOP, None)
                self.drain()
                self.deadlock = Deadlock(sorted(records, key=_report_order))
            return
        if self._replies is None:
            if now - self._round_end >= PROBE_EVERY and self.idle():
                self._round += 1
                self._replies = {0: (True, self.sent, self.received)}
                self.broadcast(PROBE, self._round)
            return
        if len(self._replies) < self.size:
            return
        snapshot = tuple(self._replies[r] for r in range(self.size))
        calm = all(s[0] for s in snapshot) and sum(s[1] for s in snapshot) == sum(s[2] for s in snapshot)
        if calm and snapshot == self._last_snapshot:
            self._reports = {0: self.blocked()}
            self.broadcast(REPORT_REQ, None)
        self._last_snapshot = snapshot if calm else None
        self._replies = None
        self._round_end = now

    def _on_probe(self, src, round_no) -> None:
        self.send(src, STATUS, (round_no, self.idle(), self.sent, self.received))

    def _on_status(self, src, obj) -> None:
        round_no, *status = obj
        if self._replies is not None and round_no == self._round:
            self._replies[src] = tuple(status)

    def _on_report_req(self, src, obj) -> None:
        self.send(src, REPORT, self.blocked())

    def _on_report(self, src, records) -> None:
        if self._reports is not None:
            self._reports[src] = records

    def blocked(self) -> list:
        """This rank's blocked processes, as a one-rank deadlock report lists them."""
        b = _core.active
        procs = [p for p in b.live if p.wait_on is not None and not p.dead and p is not self.pump_proc]
        records = deadlock_report(procs, b.frame_of).blocked
        for record in records:
            here = f"on rank {self.rank}"
            record.detail = f"{record.detail}; {here}" if record.detail else here
        return records


def _now_us() -> int:
    from ..timers import now_us

    return now_us()


def _finalize() -> None:
    if MPI.Is_initialized() and not MPI.Is_finalized():
        MPI.Finalize()
