"""occam-pi BARRIERs: enrolled processes SYNC together."""

from __future__ import annotations

import itertools

from . import _core
from ._core import Waitable, wake
from .errors import BlockedProcess, CSPError

_current = _block = _block_until = _wake = _spawn = None
_core.hot(globals())

_names = itertools.count(1)
# Called with each new barrier while a run over MPI registers the main PROC's
# barriers (see runtime/distributed/engine.py); None otherwise.
_on_create = None


class Barrier(Waitable):
    """``sync()`` waits until every enrolled process has synced, then all go on.
    ``enrol(n)``/``resign(n)`` change the number enrolled; resigning can
    complete a sync that was waiting only for the resigning process."""

    __slots__ = ("name", "enrolled", "waiting")

    def __init__(self, name=None, enrolled=0):
        if enrolled < 0:
            raise ValueError(f"barrier: enrolled must be >= 0, got {enrolled}")
        self.name = name if name is not None else f"barrier#{next(_names)}"
        self.enrolled = enrolled
        self.waiting = []
        if _on_create is not None:
            _on_create(self)

    def enrol(self, n=1) -> None:
        self.enrolled += n

    def resign(self, n=1) -> None:
        if n > self.enrolled:
            raise CSPError(f"barrier {self.name}: resigning {n} but only {self.enrolled} enrolled")
        self.enrolled -= n
        if self.waiting and len(self.waiting) >= self.enrolled:
            self._release_all()

    def sync(self) -> None:
        cur = _current()
        if self.enrolled <= len(self.waiting):
            raise CSPError(
                f"barrier {self.name}: {cur.name!r} syncs but only {self.enrolled} process(es) are "
                f"enrolled and {len(self.waiting)} already wait (enrol before syncing)"
            )
        if len(self.waiting) + 1 == self.enrolled:
            self._release_all()
            return
        self.waiting.append(cur)
        _block(cur, self)

    def _release_all(self) -> None:
        waiting, self.waiting = self.waiting, []
        for proc in waiting:
            wake(proc)

    def _cancel(self, proc) -> None:
        if proc in self.waiting:
            self.waiting.remove(proc)

    def _describe(self, proc) -> BlockedProcess:
        return BlockedProcess(
            proc.name, "SYNC", self.name, detail=f"{len(self.waiting)} of {self.enrolled} enrolled have synced"
        )

    def __repr__(self):
        return f"<Barrier {self.name} enrolled={self.enrolled}>"

