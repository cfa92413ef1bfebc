"""Channels: synchronous rendezvous (default), buffered, and shared.

The invariants (true whenever no channel operation is half done, which is
always when another process could look: see "No lock in the semantics" in
``_core.py``):

1. Each side holds at most one waiter: ``_reader`` (a process blocked in
   ``read``) or ``_ralt`` (an ALT waiting with an input guard), never both;
   likewise ``_writer`` / ``_walt``.  A second process on the same side of a
   one-to-one channel is refused with a CSPError.  (Shared channels queue
   their processes on a CLAIM, so underneath they are one-to-one too.)
2. An unbuffered channel never has waiters on both sides: whoever arrives
   second completes the communication at once, in its own process.
3. A buffered channel has a waiting reader only while its buffer is empty,
   and a waiting writer only while its buffer is full.
4. A waiting writer's value is in its ``.slot`` (an ALT's, in its guard); a
   waiting process's ``wait_on`` is the channel (an ALT's, its _AltState).
5. Once ended (poisoned or retired; ``_ended`` is the exception class), a
   channel has no waiters and an empty buffer, and stays ended.

Every hand-over is written once: to a waiting reader in :meth:`Channel.write`,
from a waiting writer in :meth:`Channel.read`.  An ALT that finds a guard ready
completes it through the same code (``_give`` / ``_take``), and whoever arrives
on the other side of a waiting ALT resolves it directly, so an ALT never wakes
up to look again.  Every completed communication is reported to the observer
(if one is set) by :func:`_communicated`, in the process that completes it.

The two hot methods also block without calling ``_block`` when the backend
allows it (on greenlets: see "The direct switch" in ``_core.py``).  That
changes only how the waiting side sleeps; the hand-over, the wake-up and the
observer's report are the same lines on every backend.

One file, over 600 lines: the invariants above hold across every kind of channel (plain,
buffered, shared, ends), and the hot path is easiest to check when all of it is in view.
"""

from __future__ import annotations

import itertools
from collections import deque

from . import _core
from ._core import Waitable, wake
from .errors import BlockedProcess, CSPError, EndInUse, PoisonError, RetireError

# Bound to the running backend's primitives (see _core).
_current = _block = _block_until = _wake = _spawn = _direct = None
_core.hot(globals())

_observer = None
_names = itertools.count(1)
# Called with each new channel while a run over MPI registers the main PROC's
# channels (see runtime/distributed/engine.py); None otherwise.
_on_create = None
_ENDED_WORD = {PoisonError: "poisoned", RetireError: "retired"}


def set_observer(observer) -> None:
    """Install ``observer`` (or None to remove it).  Its
    ``communicated(channel, value, writer, reader)`` is called once for every
    communication that completes, under the runtime lock, in completion order
    (so it must not itself use channels).  ``writer`` and ``reader`` are the
    process records (``.name``); for a buffered channel ``reader`` is None when
    the value goes into the buffer."""
    global _observer
    _observer = observer


def get_observer():
    return _observer


def _communicated(channel, value, writer, reader) -> None:
    """The one place every completed communication is reported."""
    _observer.communicated(channel, value, writer, reader)


class Channel(Waitable):
    """A one-to-one synchronous channel: ``write`` returns only once a reader
    has taken the value.

    ``Channel(name, capacity=n)`` with n > 0 gives a buffered channel (a
    Python-side extension); ``shared="writer" | "reader" | "both"`` gives
    any-to-one, one-to-any and any-to-any channels (see :class:`Any2OneChannel`).
    """

    __slots__ = (
        "name",
        "_reader",  # a process blocked in read(), or None
        "_writer",  # a process blocked in write() (its .slot holds the value), or None
        "_ralt",  # (alt_state, guard_index) of an ALT waiting to input, or None
        "_walt",  # (alt_state, guard_index) of an ALT waiting to output, or None
        "_ended",  # None, or PoisonError / RetireError once poisoned / retired
        "_buf",  # buffered channels: the values in flight
        "_cap",
        "_wclaim",  # shared channels: the CLAIM serialising each shared side
        "_rclaim",
        "_live_ends",  # [input, output]: ends created and not yet retired (see retire)
        "_expected",  # (reader name, writer name) the program means to use it, for reports
        "_held",  # a writer held in an extended rendezvous (read_extended), or None
        "__weakref__",
    )

    def __new__(cls, name=None, *, capacity=0, shared=None):
        if cls in _PLAIN_KINDS:
            cls = _variant(capacity, shared if shared is not None else _PLAIN_KINDS[cls])
        return object.__new__(cls)

    def __init__(self, name=None, *, capacity=0, shared=None):
        if not isinstance(capacity, int) or capacity < 0:
            raise ValueError(f"channel capacity must be a non-negative int, got {capacity!r}")
        self.name = name if name is not None else f"channel#{next(_names)}"
        self._reader = self._writer = self._ralt = self._walt = None
        self._ended = None
        self._buf = None
        self._cap = capacity
        self._wclaim = self._rclaim = None
        self._live_ends = [0, 0]
        self._expected = (None, None)
        self._held = None
        if _on_create is not None:
            _on_create(self)

    def expect(self, reader: str | None = None, writer: str | None = None) -> "Channel":
        """Say which processes are meant to use each end (by name), so that a
        deadlock report can name the partner that never came; an end not given
        keeps what was said before.  Returns the channel, for
        ``c = Channel("c").expect(reader="consumer")``."""
        old_reader, old_writer = self._expected
        self._expected = (reader or old_reader, writer or old_writer)
        return self

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"

    # -- the hot path: every hand-over is here ----------------------------

    def write(self, value) -> None:
        r = self._reader
        if r is not None:  # a reader waits: hand the value over
            self._reader = None
            r.slot = value
            r.wait_on = None  # wake(r), written out: this runs once per communication
            _wake(r)
            if _observer is not None:
                _communicated(self, value, _current(), r)
            return
        ra = self._ralt
        if ra is not None:  # an ALT waits to input: it chooses this guard
            ra[0].resolve(ra[1], value)
            if _observer is not None:
                _communicated(self, value, _current(), ra[0].proc)
            return
        cur = _current()
        if self._writer is not None or self._walt is not None or self._ended is not None:
            self._refuse(cur, "output")
        cur.slot = value
        self._writer = cur
        d = _direct
        if d.off or cur.exc is not None:
            _block(cur, self)
        else:  # _block(cur, self), written out: see "The direct switch" in _core
            cur.wait_on = self
            try:
                nxt = d.ready.popleft()
            except IndexError:
                nxt = d.idle
            nxt.switch()
            if cur.exc is not None:
                d.raise_pending(cur)

    def read(self):
        w = self._writer
        if w is not None:  # a writer waits: take its value
            self._writer = None
            value = w.slot
            w.slot = None
            w.wait_on = None  # wake(w), written out
            _wake(w)
            if _observer is not None:
                _communicated(self, value, w, _current())
            return value
        wa = self._walt
        if wa is not None:  # an ALT waits to output: it chooses this guard
            value = wa[0].guards[wa[1]].value
            wa[0].resolve(wa[1], None)
            if _observer is not None:
                _communicated(self, value, wa[0].proc, _current())
            return value
        cur = _current()
        if self._reader is not None or self._ralt is not None or self._ended is not None:
            self._refuse(cur, "input")
        self._reader = cur
        d = _direct
        if d.off or cur.exc is not None:
            _block(cur, self)
        else:  # _block(cur, self), written out, as in write()
            cur.wait_on = self
            try:
                nxt = d.ready.popleft()
            except IndexError:
                nxt = d.idle
            nxt.switch()
            if cur.exc is not None:
                d.raise_pending(cur)
        value = cur.slot
        cur.slot = None
        return value

    # -- the extended rendezvous (occam-pi `c ?? x') --------------------------

    def read_extended(self):
        """Take a value as ``read`` does, but keep its writer waiting until
        :meth:`release_extended`: meanwhile the reader runs occam-pi's "during"
        process, and the writer's ``write`` returns only after it."""
        w = self._writer
        if w is not None:  # a writer waits: take its value and keep it waiting
            self._writer = None
            value = w.slot
            w.slot = None
            self._held = w  # still blocked on this channel: wait_on stays
            if _observer is not None:
                _communicated(self, value, w, _current())
            return value
        cur = _current()
        if self._walt is not None:
            raise CSPError(
                f"channel {self.name}: an extended input cannot take from an ALT's output guard"
            )
        if self._reader is not None or self._ralt is not None or self._ended is not None:
            self._refuse(cur, "input")
        waiting = _ExtendedRead(self, cur)
        self._ralt = (waiting, 0)  # a writer hands over as to a waiting ALT (see write)
        _block(cur, waiting)
        value = cur.slot
        cur.slot = None
        return value

    def release_extended(self) -> None:
        """End the extended rendezvous begun by :meth:`read_extended`: its
        writer goes on."""
        w = self._held
        if w is not None:
            self._held = None
            wake(w)

    def _hold_writer(self) -> None:
        """The current process has just written to an extended input: it waits
        until the reader releases it."""
        cur = _current()
        self._held = cur
        _block(cur, self)

    # An ALT that found the channel ready completes its guard with the same
    # code (it cannot block then); these names skip a shared end's CLAIM, which
    # an ALT checks when it registers instead.
    _give = write
    _take = read
    _take_extended = read_extended

    def _refuse(self, cur, side: str) -> None:
        """Raise instead of blocking: the channel has ended, or ``cur`` would be
        a second process on the same side of a one-to-one channel."""
        if self._ended is not None:
            raise self._refusal()
        if side == "input":
            other, alting, doing = self._reader, self._ralt, "reading from"
        else:
            other, alting, doing = self._writer, self._walt, "writing to"
        if other is None and alting is not None:
            other = alting[0].proc
        raise EndInUse(
            f"channel {self.name}: {cur.name!r} is {doing} it while {other.name!r} is "
            f"already {doing} it; a one-to-one channel has one process at each end "
            f"(use a shared channel, e.g. Any2OneChannel)",
            self.name,
            doing,
        )

    def _refusal(self) -> Exception:
        return self._ended(f"channel {self.name} is {_ENDED_WORD[self._ended]}")

    # -- ends -----------------------------------------------------------

    def reader(self) -> "ChannelEnd":
        """The reading end (occam ``c?``)."""
        return ChannelEnd(self, "input")

    def writer(self) -> "ChannelEnd":
        """The writing end (occam ``c!``)."""
        return ChannelEnd(self, "output")

    # -- poison and retire ------------------------------------------------

    def poison(self) -> None:
        """Poison the channel: every pending and later operation on it
        (including ALT guards on it) raises PoisonError.  Idempotent."""
        self._end(PoisonError)

    def retire(self) -> None:
        """Retire the channel now: every pending and later operation on it
        raises RetireError.  (An end's ``retire`` retires the channel once all
        the ends on its side have retired.)  Idempotent; a poisoned channel
        stays poisoned."""
        self._end(RetireError)

    def _end(self, kind) -> None:
        if self._ended is not None:
            return
        self._ended = kind
        running = _core.active is not None  # poison may come from plain Python, outside run()
        for proc in (self._reader, self._writer):
            if proc is not None:
                proc.exc = self._refusal()
                if running:
                    wake(proc)
        self._reader = self._writer = None
        for entry in (self._ralt, self._walt):
            if entry is not None:
                entry[0].fail(self._refusal())
        if self._buf is not None:
            self._buf.clear()

    def _retire_end(self, direction: str) -> None:
        """One end on ``direction``'s side retired: on a shared side, the channel
        retires with the last of that side's ends; else at once."""
        side = 0 if direction == "input" else 1
        self._live_ends[side] -= 1
        shared = (self._rclaim if side == 0 else self._wclaim) is not None
        if not shared or self._live_ends[side] <= 0:
            self._side_retired(direction)

    def _side_retired(self, direction: str) -> None:
        """Every end on ``direction``'s side has retired."""
        self.retire()

    @property
    def poisoned(self) -> bool:
        return self._ended is PoisonError

    @property
    def retired(self) -> bool:
        return self._ended is RetireError

    # -- what ALT needs ---------------------------------------------------

    def _in_ready(self) -> bool:
        if self._ended is not None:
            raise self._refusal()
        return self._writer is not None or self._walt is not None

    def _out_ready(self) -> bool:
        if self._ended is not None:
            raise self._refusal()
        return self._reader is not None or self._ralt is not None

    def _reader_waiting(self) -> bool:
        """Whether a process, or an ALT, is waiting to input from this channel."""
        return self._reader is not None or self._ralt is not None

    def _in_register(self, state, idx) -> None:
        if self._ralt is not None and self._ralt[0] is state:
            return  # the same ALT guards this channel twice: the first guard wins
        if self._ended is not None or self._reader is not None or self._ralt is not None:
            self._refuse(state.proc, "input")
        self._ralt = (state, idx)

    def _out_register(self, state, idx) -> None:
        if self._walt is not None and self._walt[0] is state:
            return
        if self._ended is not None or self._writer is not None or self._walt is not None:
            self._refuse(state.proc, "output")
        self._walt = (state, idx)

    def _in_unregister(self, state) -> None:
        if self._ralt is not None and self._ralt[0] is state:
            self._ralt = None

    def _out_unregister(self, state) -> None:
        if self._walt is not None and self._walt[0] is state:
            self._walt = None

    # -- as a Waitable ----------------------------------------------------

    def _cancel(self, proc) -> None:
        if self._reader is proc:
            self._reader = None
        if self._writer is proc:
            self._writer = None
        if self._held is proc:
            self._held = None

    def _describe(self, proc) -> BlockedProcess:
        reader, writer = self._expected
        if self._reader is proc:
            return BlockedProcess(proc.name, "input", self.name, _partner("from", writer, proc))
        if self._held is proc:
            return BlockedProcess(
                proc.name, "output", self.name, _partner("to", reader, proc),
                detail="its value was taken by an extended input (??), whose process has not ended",
            )
        return BlockedProcess(proc.name, "output", self.name, _partner("to", reader, proc))


class _ExtendedRead(Waitable):
    """A reader waiting in ``read_extended``.  It sits where a waiting ALT
    would (``channel._ralt``), so ``write`` hands its value over with the same
    line and no test of its own; handing over, it keeps the writer waiting."""

    __slots__ = ("channel", "proc")

    def __init__(self, channel, proc):
        self.channel = channel
        self.proc = proc

    def resolve(self, _index, value) -> None:
        """A writer has come (this runs in the writer's process)."""
        self.channel._ralt = None
        self.proc.slot = value
        wake(self.proc)
        self.channel._hold_writer()

    def fail(self, exc) -> None:
        self._kill(self.proc, exc)

    def _cancel(self, proc) -> None:
        ralt = self.channel._ralt
        if ralt is not None and ralt[0] is self:
            self.channel._ralt = None

    def _describe(self, proc) -> BlockedProcess:
        writer = self.channel._expected[1]
        return BlockedProcess(proc.name, "input", self.channel.name, _partner("from", writer, proc),
                              detail="an extended input (??)")


def _partner(preposition: str, name: str | None, proc) -> str | None:
    """``"from 'producer'"``: the expected partner, unless unknown or the process itself."""
    if name is None or name == proc.name:
        return None
    return f"{preposition} {name!r}"


class BufferedChannel(Channel):
    """A channel with a FIFO buffer of ``capacity`` values: ``write`` returns at
    once while the buffer has room.

    Retiring it from the writing side (``retire()`` on the channel, or the
    last writing end's) loses no value: writes are refused from then on, but
    the values already in the buffer are still read, and only then does the
    channel retire for its readers.  Retiring the reading side, or poisoning
    the channel, ends it at once, and what the buffer held is dropped: nobody
    is left to read it, or the network is being torn down."""

    __slots__ = ("_draining",)

    def __init__(self, name=None, *, capacity=1, shared=None):
        super().__init__(name, capacity=capacity, shared=shared)
        if capacity == 0:
            raise ValueError(f"channel {self.name}: a buffered channel needs capacity > 0")
        self._buf = deque()
        self._draining = False  # retired by its writers, the buffer still being read

    def retire(self) -> None:
        """Retire the channel: writes are refused from now on (a writer waiting
        for room is told so: its value never got in); reads take what the
        buffer holds, and then raise RetireError."""
        if self._ended is not None or self._draining:
            return
        if not self._buf:
            self._end(RetireError)
            return
        self._draining = True
        refusal = self._drain_refusal()
        w = self._writer
        if w is not None:  # its value never got into the buffer: it is told so
            self._writer = None
            w.slot = None
            w.exc = refusal
            if _core.active is not None:
                wake(w)
        if self._walt is not None:
            self._walt[0].fail(refusal)

    def _side_retired(self, direction: str) -> None:
        if direction == "input":  # the readers are done: the buffer will never be read
            self._end(RetireError)
        else:
            self.retire()

    def _drain_refusal(self) -> RetireError:
        """What a write meets once the writers have retired."""
        return RetireError(f"channel {self.name} is retired")

    def write(self, value) -> None:
        if self._ended is not None:
            raise self._refusal()
        if self._draining:
            raise self._drain_refusal()
        if self._reader is not None or self._ralt is not None:
            return Channel.write(self, value)  # the buffer is empty: hand it straight over
        if len(self._buf) < self._cap:
            self._buf.append(value)
            if _observer is not None:
                _communicated(self, value, _current(), None)
            return
        cur = _current()
        if self._writer is not None or self._walt is not None:
            self._refuse(cur, "output")
        cur.slot = value
        self._writer = cur
        _block(cur, self)

    def read(self):
        if self._buf:
            return self._take_from_buffer()
        if self._writer is not None or self._walt is not None:
            return Channel.read(self)
        cur = _current()
        if self._reader is not None or self._ralt is not None or self._ended is not None:
            self._refuse(cur, "input")
        self._reader = cur
        _block(cur, self)
        value = cur.slot
        cur.slot = None
        return value

    _give = write
    _take = read

    def read_extended(self):
        """A buffered writer never waits for its reader: nothing to hold."""
        return self.read()

    def release_extended(self) -> None:
        pass

    def _hold_writer(self) -> None:
        pass  # the value is in: the writer goes on at once

    _take_extended = read_extended

    def _take_from_buffer(self):
        value = self._buf.popleft()
        if self._draining:
            if not self._buf:  # the last value its writers left: now it is retired
                self._draining = False
                self._end(RetireError)
            return value
        # Room now: let a waiting writer's value in.
        w = self._writer
        if w is not None:
            self._writer = None
            self._buf.append(w.slot)
            w.slot = None
            wake(w)
        elif self._walt is not None:
            state, idx = self._walt
            self._buf.append(state.guards[idx].value)
            state.resolve(idx, None)
        return value

    def _in_ready(self) -> bool:
        if self._ended is not None:
            raise self._refusal()
        return bool(self._buf) or self._writer is not None or self._walt is not None

    def _out_ready(self) -> bool:
        if self._ended is not None:
            raise self._refusal()
        if self._draining:
            raise self._drain_refusal()
        return len(self._buf) < self._cap or self._reader is not None or self._ralt is not None

    def __len__(self):
        return len(self._buf)


# -- ends ----------------------------------------------------------------------


class ChannelEnd:
    """One end of a channel, carrying a direction.  ``read``/``write`` on the
    right end are the channel's own methods (no extra call); on the wrong end
    they raise CSPError naming the channel.  The reading end also has the
    extended rendezvous, ``read_extended``/``release_extended``."""

    __slots__ = ("channel", "direction", "read", "write", "_retired")

    def __init__(self, channel: Channel, direction: str):
        if direction not in ("input", "output"):
            raise ValueError(f"direction must be 'input' or 'output', got {direction!r}")
        self.channel = channel
        self.direction = direction
        self._retired = False
        if direction == "input":
            self.read = channel.read
            self.write = self._wrong_way
            channel._live_ends[0] += 1
        else:
            self.write = channel.write
            self.read = self._wrong_way
            channel._live_ends[1] += 1

    def _wrong_way(self, *_args):
        name = self.channel.name
        if self.direction == "input":
            raise CSPError(f"channel {name}: cannot write to its reading end ({name}?)")
        raise CSPError(f"channel {name}: cannot read from its writing end ({name}!)")

    @property
    def name(self) -> str:
        return self.channel.name

    def read_extended(self):
        if self.direction != "input":
            self._wrong_way()
        return self.channel.read_extended()

    def release_extended(self) -> None:
        if self.direction != "input":
            self._wrong_way()
        self.channel.release_extended()

    def poison(self) -> None:
        self.channel.poison()

    def retire(self) -> None:
        """Retire this end (PyCSP's retire).  A one-to-one channel retires at
        once; a shared side (e.g. the writers of an Any2OneChannel) retires
        when every end created on it has retired.  Then every operation on the
        channel raises RetireError.  Idempotent per end."""
        if not self._retired:
            self._retired = True
            self.channel._retire_end(self.direction)

    def reader(self) -> "ChannelEnd":
        if self.direction != "input":
            self._wrong_way()
        return self

    def writer(self) -> "ChannelEnd":
        if self.direction != "output":
            self._wrong_way()
        return self

    def claim(self):
        """The CLAIM of a shared end (a context manager)."""
        claim = self.channel._rclaim if self.direction == "input" else self.channel._wclaim
        if claim is None:
            raise CSPError(f"channel {self.name}: this end is not shared, so it cannot be CLAIMed")
        return claim

    def __repr__(self):
        return f"<{self.name}{'?' if self.direction == 'input' else '!'}>"


class ChannelParameter:
    """A channel parameter of an occam-pi mobile process: it stands for the
    channel (or end) its latest activation passed, and every attribute of it
    is that channel's.  A PROC the mobile process called before it SUSPENDed
    holds this object, so when an activation with other channels resumes it,
    it talks on those (``forking.activate`` points it at each activation's).
    Code that looks for a channel (``as_channel``) sees through it."""

    __slots__ = ("target",)

    def __init__(self, target):
        object.__setattr__(self, "target", target)

    def retarget(self, target) -> None:
        object.__setattr__(self, "target", target)

    def __getattr__(self, name):
        return getattr(self.target, name)

    def __setattr__(self, name, value):
        setattr(self.target, name, value)

    def __repr__(self):
        return repr(self.target)


def as_channel(obj, direction: str) -> Channel:
    """The channel behind a Channel or ChannelEnd, checking an end's direction."""
    if isinstance(obj, ChannelParameter):
        obj = obj.target
    if isinstance(obj, ChannelEnd):
        if obj.direction != direction:
            obj._wrong_way()
        return obj.channel
    if isinstance(obj, Channel):
        return obj
    raise TypeError(f"expected a Channel or ChannelEnd, got {type(obj).__name__}")


# Shared channels and CLAIMs live in their own module; Channel() dispatches to
# them (Channel.__new__ uses _PLAIN_KINDS and _variant).
from ._shared import (  # noqa: E402  (they subclass the classes above)
    _PLAIN_KINDS,
    Any2AnyChannel,
    Any2OneChannel,
    Claim,
    One2AnyChannel,
    _variant,
)

__all__ = [
    "Any2AnyChannel", "Any2OneChannel", "BufferedChannel", "Channel", "ChannelEnd", "Claim",
    "One2AnyChannel", "as_channel", "get_observer", "set_observer",
]
