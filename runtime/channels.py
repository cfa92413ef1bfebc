"""Channels: synchronous rendezvous (default), buffered, and shared.

A channel holds at most one waiting reader and one waiting writer (occam's
channels are one-to-one; shared channels serialise each side with a CLAIM, so
underneath they are one-to-one too).  An ALT that waits on a channel registers
in ``_ralt`` / ``_walt`` instead, as ``(alt_state, guard_index)``; whoever
arrives on the other side resolves the ALT directly, so an ALT never needs to
wake up and look again.

Every communication completes under the runtime lock, in the arriving
process, and is reported to the observer (if one is set) by
:func:`_communicated`.
"""

from __future__ import annotations

import itertools
from collections import deque

from . import _core
from .errors import BlockedProcess, CSPError, PoisonError

# Replaced by the running backend's primitives (see _core).
_current = _block = _wake = _acquire = _release = _spawn = None
_core.hot(globals())

_observer = None
_names = itertools.count(1)


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


class Channel:
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
        "_poisoned",
        "_buf",  # buffered channels: the values in flight
        "_cap",
        "_wclaim",  # shared channels: the CLAIM serialising each shared side
        "_rclaim",
        "_expected",  # (reader name, writer name) the program means to use it, for reports
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
        self._poisoned = False
        self._buf = None
        self._cap = capacity
        self._wclaim = self._rclaim = None
        self._expected = (None, None)

    def expect(self, reader: str | None = None, writer: str | None = None) -> "Channel":
        """Say which processes are meant to use each end (by name), so that a
        deadlock report can name the partner that never came.  Returns the
        channel, for ``c = Channel("c").expect(reader="consumer")``."""
        self._expected = (reader, writer)
        return self

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"

    # -- the hot path ---------------------------------------------------

    @_core.lock_elidable
    def write(self, value) -> None:
        _acquire()
        r = self._reader
        if r is not None:
            self._reader = None
            r.slot = value
            _wake(r)
            if _observer is not None:
                _communicated(self, value, _current(), r)
            _release()
            return
        ra = self._ralt
        if ra is not None:
            ra[0].resolve(ra[1], value)
            if _observer is not None:
                _communicated(self, value, _current(), ra[0].proc)
            _release()
            return
        cur = _current()
        if self._writer is not None or self._walt is not None or self._poisoned:
            self._refuse_wait(cur, "_writer", "_walt", "writing to")
        cur.slot = value
        self._writer = cur
        cur.wait_on = self
        _block(cur)

    @_core.lock_elidable
    def read(self):
        _acquire()
        w = self._writer
        if w is not None:
            self._writer = None
            value = w.slot
            w.slot = None
            _wake(w)
            if _observer is not None:
                _communicated(self, value, w, _current())
            _release()
            return value
        wa = self._walt
        if wa is not None:
            value = wa[0].guards[wa[1]].value
            wa[0].resolve(wa[1], None)
            if _observer is not None:
                _communicated(self, value, wa[0].proc, _current())
            _release()
            return value
        cur = _current()
        if self._reader is not None or self._ralt is not None or self._poisoned:
            self._refuse_wait(cur, "_reader", "_ralt", "reading from")
        self._reader = cur
        cur.wait_on = self
        _block(cur)
        value = cur.slot
        cur.slot = None
        return value

    def _check_can_wait(self, cur, plain: str, alting: str, doing: str) -> None:
        if self._poisoned or getattr(self, plain) is not None or getattr(self, alting) is not None:
            self._refuse_wait(cur, plain, alting, doing)

    def _refuse_wait(self, cur, plain: str, alting: str, doing: str) -> None:
        """Instead of blocking (lock held): refuse a poisoned channel, or a second
        process on the same side of a one-to-one channel.  Releases the lock."""
        if self._poisoned:
            _release()
            raise PoisonError(f"channel {self.name} is poisoned")
        other = getattr(self, plain)
        if other is None and getattr(self, alting) is not None:
            other = getattr(self, alting)[0].proc
        if other is not None:
            _release()
            raise CSPError(
                f"channel {self.name}: {cur.name!r} is {doing} it while {other.name!r} is "
                f"already {doing} it; a one-to-one channel has one process at each end "
                f"(use a shared channel, e.g. Any2OneChannel)"
            )

    # -- ends -----------------------------------------------------------

    def reader(self) -> "ChannelEnd":
        """The reading end (occam ``c?``)."""
        return ChannelEnd(self, "input")

    def writer(self) -> "ChannelEnd":
        """The writing end (occam ``c!``)."""
        return ChannelEnd(self, "output")

    # -- poison ---------------------------------------------------------

    def poison(self) -> None:
        """Poison the channel: every pending and later operation on it
        (including ALT guards on it) raises PoisonError.  Idempotent."""
        _acquire_anywhere()
        try:
            if self._poisoned:
                return
            self._poisoned = True
            exc = PoisonError(f"channel {self.name} is poisoned")
            for slot in ("_reader", "_writer"):
                proc = getattr(self, slot)
                if proc is not None:
                    setattr(self, slot, None)
                    proc.exc = exc
                    _wake_anywhere(proc)
            for slot in ("_ralt", "_walt"):
                entry = getattr(self, slot)
                if entry is not None:
                    entry[0].fail(exc)
            if self._buf is not None:
                self._buf.clear()
        finally:
            _release_anywhere()

    @property
    def poisoned(self) -> bool:
        return self._poisoned

    # -- what ALT needs (lock held) ---------------------------------------

    def _in_ready(self) -> bool:
        self._refuse_if_poisoned()
        return self._writer is not None or self._walt is not None

    def _out_ready(self) -> bool:
        self._refuse_if_poisoned()
        return self._reader is not None or self._ralt is not None

    def _reader_waiting(self) -> bool:
        """Whether a process, or an ALT, is waiting to input from this channel."""
        return self._reader is not None or self._ralt is not None

    def _in_take(self, cur):
        """Complete an input for an ALT that found this channel ready."""
        w = self._writer
        if w is not None:
            self._writer = None
            value = w.slot
            w.slot = None
            _wake(w)
        else:
            state, idx = self._walt
            value = state.guards[idx].value
            state.resolve(idx, None)
            w = state.proc
        if _observer is not None:
            _communicated(self, value, w, cur)
        return value

    def _out_give(self, cur, value) -> None:
        """Complete an output for an ALT that found this channel ready."""
        r = self._reader
        if r is not None:
            self._reader = None
            r.slot = value
            _wake(r)
        else:
            state, idx = self._ralt
            state.resolve(idx, value)
            r = state.proc
        if _observer is not None:
            _communicated(self, value, cur, r)

    def _in_register(self, state, idx) -> None:
        if self._ralt is not None and self._ralt[0] is state:
            return  # the same ALT guards this channel twice: the first guard wins
        self._check_can_wait(state.proc, "_reader", "_ralt", "reading from")
        self._ralt = (state, idx)

    def _out_register(self, state, idx) -> None:
        if self._walt is not None and self._walt[0] is state:
            return
        self._check_can_wait(state.proc, "_writer", "_walt", "writing to")
        self._walt = (state, idx)

    def _in_unregister(self, state) -> None:
        if self._ralt is not None and self._ralt[0] is state:
            self._ralt = None

    def _out_unregister(self, state) -> None:
        if self._walt is not None and self._walt[0] is state:
            self._walt = None

    def _refuse_if_poisoned(self) -> None:
        if self._poisoned:
            raise PoisonError(f"channel {self.name} is poisoned")

    # -- what the scheduler needs for a blocked process (lock held) -------

    def _cancel(self, proc) -> None:
        if self._reader is proc:
            self._reader = None
        if self._writer is proc:
            self._writer = None

    def _kill(self, proc, exc) -> None:
        self._cancel(proc)
        proc.exc = exc
        _wake(proc)

    def _describe(self, proc) -> BlockedProcess:
        reader, writer = self._expected
        if self._reader is proc:
            return BlockedProcess(proc.name, "input", self.name, _partner("from", writer, proc))
        return BlockedProcess(proc.name, "output", self.name, _partner("to", reader, proc))


def _partner(preposition: str, name: str | None, proc) -> str | None:
    """``"from 'producer'"``: the expected partner, unless unknown or the process itself."""
    if name is None or name == proc.name:
        return None
    return f"{preposition} {name!r}"


def _acquire_anywhere():
    # poison() may be called from plain Python outside run(): then there is no
    # lock to take and no process to wake.
    if _core.active is not None:
        _acquire()


def _release_anywhere():
    if _core.active is not None:
        _release()


def _wake_anywhere(proc):
    if _core.active is not None:
        _wake(proc)


class BufferedChannel(Channel):
    """A channel with a FIFO buffer of ``capacity`` values: ``write`` returns at
    once while the buffer has room."""

    __slots__ = ()

    def __init__(self, name=None, *, capacity=1, shared=None):
        super().__init__(name, capacity=capacity, shared=shared)
        if capacity == 0:
            raise ValueError(f"channel {self.name}: a buffered channel needs capacity > 0")
        self._buf = deque()

    def write(self, value) -> None:
        cur = _current()
        _acquire()
        if self._poisoned:
            _release()
            raise PoisonError(f"channel {self.name} is poisoned")
        if self._reader is not None or self._ralt is not None:
            self._out_give(cur, value)  # the buffer is empty: hand it straight over
            _release()
            return
        if len(self._buf) < self._cap:
            self._buf.append(value)
            if _observer is not None:
                _communicated(self, value, cur, None)
            _release()
            return
        self._check_can_wait(cur, "_writer", "_walt", "writing to")
        cur.slot = value
        self._writer = cur
        cur.wait_on = self
        _block(cur)

    def read(self):
        cur = _current()
        _acquire()
        if self._buf:
            value = self._take_from_buffer()
            _release()
            return value
        if self._writer is not None or self._walt is not None:
            value = Channel._in_take(self, cur)
            _release()
            return value
        self._check_can_wait(cur, "_reader", "_ralt", "reading from")
        self._reader = cur
        cur.wait_on = self
        _block(cur)
        value = cur.slot
        cur.slot = None
        return value

    def _take_from_buffer(self):
        value = self._buf.popleft()
        # Room now: let a waiting writer's value in.
        w = self._writer
        if w is not None:
            self._writer = None
            self._buf.append(w.slot)
            w.slot = None
            _wake(w)
        elif self._walt is not None:
            state, idx = self._walt
            self._buf.append(state.guards[idx].value)
            state.resolve(idx, None)
        return value

    def _in_ready(self) -> bool:
        self._refuse_if_poisoned()
        return bool(self._buf) or self._writer is not None or self._walt is not None

    def _out_ready(self) -> bool:
        self._refuse_if_poisoned()
        return len(self._buf) < self._cap or self._reader is not None or self._ralt is not None

    def _in_take(self, cur):
        if self._buf:
            return self._take_from_buffer()
        return Channel._in_take(self, cur)

    def _out_give(self, cur, value) -> None:
        if self._reader is not None or self._ralt is not None:
            Channel._out_give(self, cur, value)
        else:
            self._buf.append(value)
            if _observer is not None:
                _communicated(self, value, cur, None)

    def __len__(self):
        return len(self._buf)


# -- shared channels -----------------------------------------------------------


class Claim:
    """Mutual exclusion among the processes sharing one end of a channel
    (occam-pi's CLAIM).  Re-entrant for its holder.  Usable as a context
    manager from inside a process."""

    __slots__ = ("channel", "side", "holder", "depth", "waiting")

    def __init__(self, channel, side):
        self.channel = channel
        self.side = side  # "writing" | "reading"
        self.holder = None
        self.depth = 0
        self.waiting = deque()

    def acquire(self) -> None:
        cur = _current()
        _acquire()
        if self.holder is None:
            self.holder = cur
            self.depth = 1
            _release()
            return
        if self.holder is cur:
            self.depth += 1
            _release()
            return
        self.waiting.append(cur)
        cur.wait_on = self
        _block(cur)  # release() hands the claim over with depth 1

    def release(self) -> None:
        _acquire()
        self.depth -= 1
        if self.depth == 0:
            if self.waiting:
                nxt = self.waiting.popleft()
                self.holder = nxt
                self.depth = 1
                _wake(nxt)
            else:
                self.holder = None
        _release()

    __enter__ = acquire

    def __exit__(self, *exc_info):
        self.release()

    def held_by(self, proc) -> bool:
        return self.holder is proc

    def _cancel(self, proc) -> None:
        try:
            self.waiting.remove(proc)
        except ValueError:
            pass

    def _kill(self, proc, exc) -> None:
        self._cancel(proc)
        proc.exc = exc
        _wake(proc)

    def _describe(self, proc) -> BlockedProcess:
        holder = self.holder.name if self.holder is not None else None
        return BlockedProcess(
            proc.name,
            "CLAIM",
            self.channel.name,
            partner=f"the {self.side} end is held by {holder!r}" if holder else None,
        )


class _SharedWriting:
    """Mixin: many writers, each write CLAIMs the writing side (unless the
    writer already holds the claim)."""

    __slots__ = ()

    def write(self, value) -> None:
        claim = self._wclaim
        if claim.holder is not None and claim.holder is _current():
            return super().write(value)
        claim.acquire()
        try:
            super().write(value)
        finally:
            claim.release()

    def _out_register(self, state, idx) -> None:
        _require_claim(self._wclaim, state.proc, "an output guard")
        super()._out_register(state, idx)

    def claim_writer(self) -> Claim:
        return self._wclaim


class _SharedReading:
    """Mixin: many readers, each read CLAIMs the reading side."""

    __slots__ = ()

    def read(self):
        claim = self._rclaim
        if claim.holder is not None and claim.holder is _current():
            return super().read()
        claim.acquire()
        try:
            return super().read()
        finally:
            claim.release()

    def _in_register(self, state, idx) -> None:
        _require_claim(self._rclaim, state.proc, "an input guard")
        super()._in_register(state, idx)

    def claim_reader(self) -> Claim:
        return self._rclaim


def _require_claim(claim, proc, what) -> None:
    if claim.holder is not proc:
        _release()
        raise CSPError(
            f"channel {claim.channel.name}: {what} on a shared end needs the end CLAIMed "
            f"first (with channel.claim_{'writer' if claim.side == 'writing' else 'reader'}(): ...)"
        )


class _SharedInit:
    __slots__ = ()

    def __init__(self, name=None, *, capacity=0, shared=None):
        super().__init__(name, capacity=capacity, shared=shared)
        if isinstance(self, _SharedWriting):
            self._wclaim = Claim(self, "writing")
        if isinstance(self, _SharedReading):
            self._rclaim = Claim(self, "reading")


class Any2OneChannel(_SharedInit, _SharedWriting, Channel):
    """Many writers, one reader (occam-pi ``SHARED CHAN`` with a shared writing end)."""

    __slots__ = ()


class One2AnyChannel(_SharedInit, _SharedReading, Channel):
    """One writer, many readers."""

    __slots__ = ()


class Any2AnyChannel(_SharedInit, _SharedWriting, _SharedReading, Channel):
    """Many writers, many readers."""

    __slots__ = ()


_SHARED = {None: (), "writer": (_SharedWriting,), "reader": (_SharedReading,),
           "both": (_SharedWriting, _SharedReading)}
_SHARED_ALIASES = {"any2one": "writer", "one2any": "reader", "any2any": "both", False: None}
_variants: dict = {}
_PLAIN_KINDS = {Channel: None, Any2OneChannel: "writer", One2AnyChannel: "reader", Any2AnyChannel: "both"}


def _variant(capacity, shared):
    """The Channel class for a capacity and sharing mode."""
    shared = _SHARED_ALIASES.get(shared, shared)
    if shared not in _SHARED:
        raise ValueError(
            f"shared must be None, 'writer' (any-to-one), 'reader' (one-to-any) or 'both' "
            f"(any-to-any), got {shared!r}"
        )
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 0:
        raise ValueError(f"channel capacity must be a non-negative int, got {capacity!r}")
    key = (capacity > 0, shared)
    if key not in _variants:
        base = BufferedChannel if capacity > 0 else Channel
        if shared is None:
            cls = base
        elif base is Channel:
            cls = {"writer": Any2OneChannel, "reader": One2AnyChannel, "both": Any2AnyChannel}[shared]
        else:
            bases = (_SharedInit,) + _SHARED[shared] + (base,)
            kind = {"writer": "Any2One", "reader": "One2Any", "both": "Any2Any"}[shared]
            cls = type(f"Buffered{kind}Channel", bases, {"__slots__": ()})
        _variants[key] = cls
    return _variants[key]


# -- ends ----------------------------------------------------------------------


class ChannelEnd:
    """One end of a channel, carrying a direction.  ``read``/``write`` on the
    right end are the channel's own methods (no extra call); on the wrong end
    they raise CSPError naming the channel."""

    __slots__ = ("channel", "direction", "read", "write")

    def __init__(self, channel: Channel, direction: str):
        if direction not in ("input", "output"):
            raise ValueError(f"direction must be 'input' or 'output', got {direction!r}")
        self.channel = channel
        self.direction = direction
        if direction == "input":
            self.read = channel.read
            self.write = self._wrong_way
        else:
            self.write = channel.write
            self.read = self._wrong_way

    def _wrong_way(self, *_args):
        name = self.channel.name
        if self.direction == "input":
            raise CSPError(f"channel {name}: cannot write to its reading end ({name}?)")
        raise CSPError(f"channel {name}: cannot read from its writing end ({name}!)")

    @property
    def name(self) -> str:
        return self.channel.name

    def poison(self) -> None:
        self.channel.poison()

    def reader(self) -> "ChannelEnd":
        if self.direction != "input":
            self._wrong_way()
        return self

    def writer(self) -> "ChannelEnd":
        if self.direction != "output":
            self._wrong_way()
        return self

    def claim(self) -> Claim:
        """The CLAIM of a shared end (a context manager)."""
        claim = self.channel._rclaim if self.direction == "input" else self.channel._wclaim
        if claim is None:
            raise CSPError(f"channel {self.name}: this end is not shared, so it cannot be CLAIMed")
        return claim

    def __repr__(self):
        return f"<{self.name}{'?' if self.direction == 'input' else '!'}>"


def as_channel(obj, direction: str) -> Channel:
    """The channel behind a Channel or ChannelEnd, checking an end's direction."""
    if isinstance(obj, ChannelEnd):
        if obj.direction != direction:
            obj._wrong_way()
        return obj.channel
    if isinstance(obj, Channel):
        return obj
    raise TypeError(f"expected a Channel or ChannelEnd, got {type(obj).__name__}")
