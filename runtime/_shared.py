"""Shared channels (any-to-one, one-to-any, any-to-any) and the CLAIM that
serialises the processes sharing one end.  Imported by ``channels.py``, which
re-exports the public names; see there for the channel invariants."""

from __future__ import annotations

from collections import deque

from . import _core
from ._core import Waitable, wake
from .channels import BufferedChannel, Channel
from .errors import BlockedProcess, CSPError

_current = _block = _block_until = _wake = _spawn = None
_core.hot(globals())

# The controlled scheduler (``cspc explore``) sets this to decide, at its next
# stable point, which claimant gets a claim: ``_before_claim(process, claim)``
# returns True once the claim is the process's.  None otherwise.
_before_claim = None

# Called with each CLAIM made while a run over MPI is on, which makes the claims of
# channels between ranks their own kind (runtime/distributed/claims.py); None otherwise.
_on_claim = None


class Claim(Waitable):
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
        if _before_claim is not None and self.holder is not cur and _before_claim(cur, self):
            return
        if self.holder is None:
            self.holder = cur
            self.depth = 1
        elif self.holder is cur:
            self.depth += 1
        else:
            self.waiting.append(cur)
            _block(cur, self)  # release() hands the claim over with depth 1

    def release(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            if self.waiting:
                nxt = self.waiting.popleft()
                self.holder = nxt
                self.depth = 1
                wake(nxt)
            else:
                self.holder = None

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

    def read_extended(self):
        claim = self._rclaim
        claim.acquire()  # re-entrant: held until release_extended, however claimed before
        try:
            return super().read_extended()
        except BaseException:
            claim.release()
            raise

    def release_extended(self) -> None:
        super().release_extended()
        self._rclaim.release()

    def _in_register(self, state, idx) -> None:
        _require_claim(self._rclaim, state.proc, "an input guard")
        super()._in_register(state, idx)

    def claim_reader(self) -> Claim:
        return self._rclaim


def _require_claim(claim, proc, what) -> None:
    if claim.holder is not proc:
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


def claim_of(channel, side: str) -> Claim:
    """The CLAIM of one side ("writing" or "reading") of ``channel``, made the
    first time it is asked for: occam-pi's `CLAIM c!' holds it; of a
    :class:`ChannelBundle`, its "client" or "server" end.  The checks
    see to it that compiled code uses a shared end only inside its CLAIM, so
    the channel underneath stays one-to-one (a plain Channel, whose operations
    claim nothing: the processes of a PAR inside a CLAIM use the end freely)."""
    slot = "_wclaim" if side in ("writing", "client") else "_rclaim"
    claim = getattr(channel, slot)
    if claim is None:
        claim = Claim(channel, side)
        if _on_claim is not None:
            _on_claim(claim)
        setattr(channel, slot, claim)
    return claim


class ChannelBundle(list):
    """The channels of one occam-pi mobile channel type (`cli, svr := MOBILE T'):
    a list of plain Channels, one per field in declaration order, held by both
    ends (and by every copy of a SHARED end).  ``_wclaim`` and ``_rclaim`` are
    the CLAIMs of its client and server ends (:func:`claim_of`), made when
    first asked for; the checks see to it that a shared end's channels are used
    only inside its CLAIM, so each channel stays one-to-one."""

    __slots__ = ("name", "_wclaim", "_rclaim")

    def __init__(self, name: str, fields):
        super().__init__(Channel(f"{name}[{field}]") for field in fields)
        self.name = name
        self._wclaim = self._rclaim = None


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
