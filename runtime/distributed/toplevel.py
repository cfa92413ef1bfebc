"""``run_main`` for one rank of an MPI job: the keyboard and screen through rank 0.

Rank 0 runs the program as ``cspc run`` always does (``io.run_main``: stdin,
stdout and stderr are its own), with an :class:`Engine` beside it.  Every other
rank makes the same three channels in the same order, but its ``screen`` and
``error`` send what they are given to rank 0, which writes it to its own
(:class:`ToRankZero`), and its ``keyboard`` is the channel whose writer, the
keyboard feeder, is on rank 0.  A rank flushes its screen before every message
it sends, so output written before a communication is printed before anything
that communication causes (MPI keeps each sender's messages in order).

How a job ends: rank 0 carries its exit status and its messages.  A rank whose
process fails sends the report to everyone (rank 0 prints it) and ends with
status 0; so does a rank stopped because the job is over.
"""

from __future__ import annotations

import io
import os
import sys

from .. import distributed
from ..channels import Channel
from ..errors import CSPError


class ToRankZero(io.RawIOBase):
    """A binary stream whose bytes are written by rank 0 on its stream ``name``."""

    def __init__(self, engine, name: str):
        super().__init__()
        self._engine = engine
        self._name = name

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        from .engine import SCREEN

        self._engine.send(0, SCREEN, (self._name, bytes(data)))
        return len(data)


def run_main(proc, backend=None, stdin=None, stdout=None, stderr=None, *, observer=None, policy=None) -> int:
    """Run the main PROC as this rank's share of the job (see the module docstring)."""
    from ..io import run_main as run_main_here

    try:
        from mpi4py import MPI
    except ImportError:
        raise CSPError(f"this program runs under mpiexec, which needs mpi4py: {distributed.INSTALL_HINT}") from None
    from .engine import Engine, RemoteFailure, Stopped

    distributed._taken_over = True
    comm = MPI.COMM_WORLD
    if not _is_placed(proc):
        # The main PROC's body is not a PAR: nothing to share out.
        if comm.Get_rank() != 0:
            return 0
        if os.environ.get("CSPC_PLACEMENT"):
            print("cspc: placement: rank 0: everything (the main PROC's body is not a PAR)", file=sys.stderr)
        distributed.engine = None
        return run_main_here(proc, backend, stdin, stdout, stderr, observer=observer, policy=policy)
    engine = distributed.engine = Engine(comm.Dup())
    engine.start()
    try:
        if engine.rank == 0:
            return run_main_here(proc, "greenlet", stdin, stdout, stderr, observer=observer, policy=policy)
        return _run_other_rank(proc, engine)
    except BaseException as exc:
        from ..toplevel import root_cause

        cause = root_cause(exc)
        if engine.rank != 0 and (isinstance(cause, (Stopped, RemoteFailure)) or engine.reported):
            return 0  # rank 0 says what happened
        raise
    finally:
        engine.finish()
        distributed.engine = None


def _is_placed(proc) -> bool:
    """Whether the compiler marked a placed PAR in this program's main PROC."""
    return bool(getattr(proc, "__globals__", {}).get("__cspc_placed__"))


def _run_other_rank(proc, engine) -> int:
    from ..forking import run_forking
    from ..io import ScreenWriter
    from ..process import branch_name
    from ..scheduler import run

    keyboard = Channel("keyboard")  # gid 0, as rank 0's KeyboardChannel
    screen = ScreenWriter(ToRankZero(engine, "screen"), "screen")
    error = ScreenWriter(ToRankZero(engine, "error"), "error")
    engine.local_screens = [screen, error]

    def main():
        run_forking(lambda: proc(keyboard, screen, error))

    try:
        run(main, backend="greenlet", name=branch_name(proc, 0), idle_hook=lambda: [screen.flush(), error.flush()])
    finally:
        screen.flush()
        error.flush()
    return 0
