"""occam-pi BARRIERs whose enrolled processes are on several ranks.

The main PROC's barriers are made on every rank, in the same order, before the
placed PAR starts (like its channels), and until it starts every rank enrols
and resigns alike.  From then on rank 0's copy (:data:`HOME`) is the barrier
and the other ranks' copies stand for it:

* on another rank, ``enrol`` and ``resign`` are sent to rank 0 (ENROL,
  RESIGN), and ``sync`` sends SYNC and waits there until rank 0 says that
  the barrier's phase is over (PHASE);
* rank 0 counts those syncs beside its own processes' (:meth:`Engine.
  remote_synced`), and when every enrolled process has synced, wakes its own
  and sends PHASE to each rank that has some waiting.

Code that every rank runs during the placed PAR -- the part of a replicated
PAR spread over the ranks outside its copies: it enrols the copies before
they start and the PAR after they end -- counts once, on rank 0; elsewhere
its process is a *mirror* (:attr:`Engine.mirrors`), whose enrol and resign
change nothing.  Once the placed PAR is over, every rank is on its own again.
"""

from __future__ import annotations

from .. import _core
from ..barrier import Barrier
from ..errors import BlockedProcess, CSPError

_current = _block = _block_until = _wake = _spawn = None
_core.hot(globals())

HOME = 0  # the rank whose copy of each barrier counts
_engine = None  # the running rank's Engine (set by Engine.start)


class DistributedBarrier(Barrier):
    """A main-PROC barrier of a run over MPI (see the module docstring)."""

    __slots__ = ()

    def enrol(self, n=1) -> None:
        if not _engine.forwards(self, n=n):
            Barrier.enrol(self, n)

    def resign(self, n=1) -> None:
        if _engine.forwards(self, n=-n):
            return
        if n > self.enrolled:
            raise CSPError(f"barrier {self.name}: resigning {n} but only {self.enrolled} enrolled")
        self.enrolled -= n
        synced = self.synced()
        if synced and synced >= self.enrolled:
            self._release_all()

    def sync(self) -> None:
        cur = _current()
        if _engine.forwards(self, sync=True):  # rank 0 says when the phase is over (PHASE)
            self.waiting.append(cur)
            _block(cur, self)
            return
        synced = self.synced()
        if self.enrolled <= synced:
            raise CSPError(
                f"barrier {self.name}: {cur.name!r} syncs but only {self.enrolled} process(es) are "
                f"enrolled and {synced} already wait (enrol before syncing)"
            )
        if synced + 1 == self.enrolled:
            self._release_all()
            return
        self.waiting.append(cur)
        _block(cur, self)

    def synced(self) -> int:
        """How many enrolled processes wait in this phase (on every rank, for rank 0's copy)."""
        return len(self.waiting) + _engine.remote_synced(self)

    def _release_all(self) -> None:
        Barrier._release_all(self)
        _engine.phase_over(self)

    def _describe(self, proc) -> BlockedProcess:
        if _engine.rank == HOME:
            detail = f"{self.synced()} of {self.enrolled} enrolled have synced, on every rank"
        else:
            detail = "the barrier's count is kept on rank 0"
        return BlockedProcess(proc.name, "SYNC", self.name, detail=detail)
