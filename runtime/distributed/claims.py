"""occam-pi's CLAIM of a shared channel end whose users are on several ranks.

A CLAIM must hold the end against every other process sharing it, wherever
they run, so the claims of one end (a main-PROC channel's writing or reading
side) are granted by one rank, its *home* (:data:`HOME`, rank 0), first come
first served:

* a process here that CLAIMs the end asks the home (CLAIM_REQ; no message when
  this rank is the home) and waits on the claim until the GRANT comes;
* the GRANTs for this rank go to its waiting processes in the order they
  asked, each rank's requests being queued at the home in the order sent;
* ending its CLAIM, the holder tells the home (RELEASE), which grants the end
  to the next rank in its queue.

A shared *reading* end must have its readers on one rank (its writer may be
on another): the home stops the job with a run-time error when a second rank
CLAIMs it.  Inside its CLAIM a process holds the end as on one rank (re-entrant, for
nested CLAIMs of the same end).  The claim object is the one ``claim_of``
makes, turned into a :class:`DistributedClaim` (``__class__`` assignment, as
for channels) by :meth:`Engine.adopt_claim`.
"""

from __future__ import annotations

from .. import _core
from .._shared import Claim
from ..errors import BlockedProcess

_current = _block = _block_until = _wake = _spawn = None
_core.hot(globals())

HOME = 0  # the rank that grants every shared end's claims
_engine = None  # the running rank's Engine (set by Engine.start)


class DistributedClaim(Claim):
    """The CLAIM of a shared end of a channel between ranks (see the module docstring)."""

    __slots__ = ()

    def acquire(self) -> None:
        cur = _current()
        if self.holder is cur:
            self.depth += 1
            return
        if _engine.request_claim(self):  # the home is here and the end is free
            self.holder, self.depth = cur, 1
            return
        self.waiting.append(cur)
        _block(cur, self)  # granted() makes it the holder

    def release(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.holder = None
            _engine.release_claim(self)

    __enter__ = acquire

    def __exit__(self, *exc_info):
        self.release()

    def granted(self) -> None:
        """The home granted the end to this rank: to its first waiting process."""
        nxt = self.waiting.popleft()
        self.holder, self.depth = nxt, 1
        nxt.wait_on = None
        _wake(nxt)

    def _describe(self, proc) -> BlockedProcess:
        report = super()._describe(proc)
        if self.holder is None:
            report.partner = f"the {self.side} end is held on another rank"
        return report
