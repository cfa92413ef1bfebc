"""Channels whose two ends may live on different ranks.

Every rank makes the same channels, in the same order, before the placed PAR
starts (the main PROC's declarations), so the n-th channel made is the same
channel everywhere: its *gid*.  Which rank holds which end is learnt as the
program runs: the first use of an end on a rank *claims* it and tells every
other rank (:meth:`Engine.claim`).  A channel changes class as it learns
(``__class__`` assignment: the classes share Channel's slots):

``PlacedChannel``
    neither end used here yet; the first read, write or ALT guard claims one.
``Channel``
    (the plain class) the other end is here too, or not known yet: an
    in-memory channel, at in-memory cost.
``SharedPlacedChannel``
    a shared writing end is used here, the reader not known yet: as
    ``Channel``, but a first read here still claims the reading end.
``RemoteRead``
    the reader is here, the writer on another rank.  The writer's rank sends
    an OFFER with each value; the value waits here as a writer would (an ALT
    sees the guard ready), and whoever takes it sends the ACK back.  An
    extended input (``??``) takes it the same way and sends the ACK only when
    its during process ends (``release_extended``).
``RemoteWrite``
    the writer is here, the reader on another rank: ``write`` sends the OFFER
    and blocks as a local writer does until the ACK comes.
``SharedRemoteRead``
    the reader is here, and the writing end is shared (CLAIMed) by writers
    here and on other ranks (see claims.py): a local writer's value is taken
    as from a plain channel, a remote one's as by ``RemoteRead``.

So a communication across ranks is still a rendezvous (the writer goes on only
once the reader has the value) and costs two MPI messages.  A blocked process
is recorded exactly as on a local channel (``_reader`` / ``_writer`` /
``_ralt``), which is what deadlock reports read.
"""

from __future__ import annotations

from collections import deque

from .. import _core
from ..channels import Channel
from ..errors import CSPError

_current = _block = _block_until = _wake = _spawn = _direct = None
_core.hot(globals())

READER, WRITER = 0, 1
# ``RemoteRead._held`` during an extended input (``??``): its reader waits for
# the value, or has it and runs the during process; the ACK goes at the release.
EXTENDED_READER, ACK_PENDING = "extended reader", "ACK pending"
_engine = None  # the running rank's Engine (set by Engine.start)


def _unsupported(channel, what: str):
    raise CSPError(f"channel {channel.name}: {what} on a channel between two ranks is not supported")


class PlacedChannel(Channel):
    """A channel made before the placed PAR whose ends this rank has not used."""

    __slots__ = ()

    def write(self, value) -> None:
        _engine.claim(self, WRITER, value)
        self.write(value)  # the class the claim chose

    def read(self):
        _engine.claim(self, READER)
        return self.read()

    def read_extended(self):
        _engine.claim(self, READER)
        return self.read_extended()

    def _in_ready(self) -> bool:
        _engine.claim(self, READER)
        return self._in_ready()

    def _in_register(self, state, idx) -> None:
        _engine.claim(self, READER)
        self._in_register(state, idx)

    def _out_ready(self) -> bool:
        _engine.claim(self, WRITER)
        return self._out_ready()

    def _out_register(self, state, idx) -> None:
        _engine.claim(self, WRITER)
        self._out_register(state, idx)

    _give = write
    _take = read
    _take_extended = read_extended


class SharedPlacedChannel(Channel):
    """A channel whose shared (CLAIMed) writing end is used here, its reader
    not yet known: writes are a plain channel's, and the first read or input
    guard here still claims the reading end (the reader must be told of the
    writers on other ranks)."""

    __slots__ = ()

    read = _take = PlacedChannel.read
    read_extended = _take_extended = PlacedChannel.read_extended
    _in_ready = PlacedChannel._in_ready
    _in_register = PlacedChannel._in_register


class RemoteRead(Channel):
    """The reading end is on this rank, the writing end on another."""

    __slots__ = ()

    def read(self):
        offered = _engine.offers.get(self)
        if not offered:
            _engine.progress()  # the offer may be in MPI's queue already: no trip through the pump
            offered = _engine.offers.get(self)
        if offered:  # the remote writer is waiting: take its value
            value = offered.popleft()
            _engine.acknowledge(self)
            return value
        cur = _current()
        if self._reader is not None or self._ralt is not None or self._ended is not None:
            self._refuse(cur, "input")
        self._reader = cur
        _block(cur, self)
        value = cur.slot
        cur.slot = None
        return value

    _take = read

    def _in_ready(self) -> bool:
        if self._ended is not None:
            raise self._refusal()
        if _engine.offers.get(self):
            return True
        _engine.progress()  # an offer may be in MPI's queue already (PRI ALT must see it)
        return bool(_engine.offers.get(self))

    def _in_register(self, state, idx) -> None:
        Channel._in_register(self, state, idx)
        if _engine.offers.get(self):
            # An offer came while the ALT was looking at its other guards (their
            # _in_ready polls MPI): the pump hands it over once the ALT sleeps.
            _engine.missed.append(self)

    # -- the extended rendezvous (``c ?? x``): the ACK waits for the during process

    def read_extended(self):
        """Take a value as :meth:`read` does, but send the ACK (which lets the
        remote writer go on) only at :meth:`release_extended`."""
        offered = _engine.offers.get(self)
        if not offered:
            _engine.progress()
            offered = _engine.offers.get(self)
        if offered:
            self._held = ACK_PENDING
            return offered.popleft()
        cur = _current()
        if self._reader is not None or self._ralt is not None or self._ended is not None:
            self._refuse(cur, "input")
        self._held = EXTENDED_READER  # offered() hands the value over and holds the ACK back
        self._reader = cur
        _block(cur, self)
        value = cur.slot
        cur.slot = None
        return value

    _take_extended = read_extended

    def release_extended(self) -> None:
        if self._held is not None:
            self._held = None
            _engine.acknowledge(self)

    def _hold_writer(self) -> None:
        """An ALT's extended guard was chosen by an OFFER (in the pump): no ACK yet."""
        self._held = ACK_PENDING

    def _out_ready(self) -> bool:
        _unsupported(self, "an output guard")

    _out_register = _give = write = lambda self, *args: _unsupported(self, "writing from the reader's rank")

    def offered(self, value) -> bool:
        """An OFFER came: hand it to a waiting reader or ALT, else keep it.
        True if the writer may go on now (the ACK is due)."""
        r = self._reader
        if r is not None:
            self._reader = None
            r.slot = value
            r.wait_on = None
            _wake(r)
            if self._held is EXTENDED_READER:
                self._held = ACK_PENDING
                return False
            return True
        ra = self._ralt
        if ra is not None:
            ra[0].resolve(ra[1], value)  # an extended guard's (_hold_writer) holds the ACK back
            return self._held is None
        _engine.offers.setdefault(self, deque()).append(value)
        return False


class SharedRemoteRead(RemoteRead):
    """The reading end is here and the writing end is shared (CLAIMed) by
    writers here and on other ranks.  The CLAIM lets one writer in at a time,
    so at most one value waits: a local writer's, taken as from any channel,
    or a remote one's, taken as by :class:`RemoteRead` and ACKed to the rank
    that offered it (``Engine._offered`` keeps that rank as the peer)."""

    __slots__ = ()

    def read(self):
        if self._writer is not None or self._walt is not None:
            return Channel.read(self)
        return RemoteRead.read(self)

    _take = read

    def read_extended(self):
        if self._writer is None and (_engine.offers.get(self) or (_engine.progress() and _engine.offers.get(self))):
            return RemoteRead.read_extended(self)
        # A local writer waits, or none yet: wait as an _ExtendedRead, which a
        # local write resolves and holds, and an OFFER resolves (see _hold_writer).
        return Channel.read_extended(self)

    _take_extended = read_extended

    def release_extended(self) -> None:
        if self._held is ACK_PENDING:
            RemoteRead.release_extended(self)
        else:
            Channel.release_extended(self)

    def _hold_writer(self) -> None:
        if _engine.offering:  # resolved by a remote writer's OFFER
            self._held = ACK_PENDING
        else:  # by a local writer, which waits for the release
            Channel._hold_writer(self)

    def _in_ready(self) -> bool:
        return Channel._in_ready(self) or RemoteRead._in_ready(self)

    write = _give = Channel.write
    _out_ready = Channel._out_ready
    _out_register = Channel._out_register


class RemoteWrite(Channel):
    """The writing end is on this rank, the reading end on another."""

    __slots__ = ()

    def write(self, value) -> None:
        cur = _current()
        if self._writer is not None or self._walt is not None or self._ended is not None:
            self._refuse(cur, "output")
        cur.slot = value
        self._writer = cur
        _engine.offer(self, value)
        _block(cur, self)

    def _out_ready(self) -> bool:
        _unsupported(self, "an output guard")

    _out_register = _give = _out_ready

    def read(self):
        _unsupported(self, "reading from the writer's rank")

    _take = _in_ready = _in_register = read_extended = _take_extended = read

    def acknowledged(self) -> None:
        """The ACK came: the remote reader has the value; the writer goes on."""
        w = self._writer
        if w is not None:
            self._writer = None
            w.slot = None
            w.wait_on = None
            _wake(w)
