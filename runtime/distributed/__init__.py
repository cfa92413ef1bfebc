"""Running one occam program on many MPI ranks (``cspc run --np N``).

Every rank runs the same compiled program (SPMD).  The main PROC's
declarations run everywhere, so every rank makes the same channels; its own
PAR, which the compiler marks (``placed_par``, and ``spread_par`` for the
replicated PARs among its branches), is where the ranks part: each runs only
the branches that :mod:`.placement` deals it, and the others' channels reach it
through :mod:`.channels` and :mod:`.engine`.  Everything else in the runtime
is unchanged, and nothing here is imported, nor mpi4py, unless the program
runs under ``mpiexec`` with more than one rank (:func:`under_mpi`).

Modules: ``placement`` (the dealing rule), ``channels`` (channels whose ends
are on two ranks), ``claims`` (CLAIMs of shared ends across ranks), ``barriers`` (barriers across
ranks), ``engine`` (one rank's messages, pump and deadlock watch),
``toplevel`` (``run_main`` for a rank: keyboard and screen through rank 0).
"""

from __future__ import annotations

import os
import sys

from ..process import branch_name, par
from .._source import is_source_file, mapped_line
from ..errors import OccamError
from .placement import SPREAD, beyond, deal_branches, deal_copies, deal_processors, describe

# What mpiexec (MPICH's hydra, Open MPI, Slurm's PMI) tells each rank of the job's size.
_SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS")
INSTALL_HINT = "pip install 'cspc[mpi]'"

engine = None  # the running rank's Engine, while a run over MPI is on
_taken_over = False  # run_main has been handed to this package already


def under_mpi() -> bool:
    """Whether this process is one rank of an MPI job of more than one rank."""
    for variable in _SIZE_VARIABLES:
        try:
            if int(os.environ.get(variable, "1")) > 1:
                return True
        except ValueError:
            continue
    return False


def takes_over() -> bool:
    """Whether ``io.run_main`` should hand the run to :func:`toplevel.run_main`."""
    return not _taken_over and under_mpi()


def placed_par(*fns, names=None, spread=(), processors=None):
    """The main PROC's own PAR: outside MPI, ``par``; under it, this rank's
    branches.  The branches at the indexes ``spread`` are replicated PARs
    whose copies are spread over every rank; a PLACED PAR gives each branch's
    PROCESSOR number, ``processors`` (see :mod:`.placement`)."""
    if processors is not None:
        negative = [n for n in processors if n < 0]
        if negative:
            message = f"PROCESSOR {negative[0]}: a PROCESSOR number cannot be negative"
            if engine is not None and engine.rank != 0:
                from .engine import Stopped

                raise Stopped(message)  # every rank finds it: rank 0 reports it
            raise OccamError(message)
    if engine is None or engine.placed:
        return par(*fns, names=names)
    names = names or [branch_name(fn, i) for i, fn in enumerate(fns)]
    if processors is None:
        ranks = deal_branches(len(fns), spread, engine.size)
    else:
        ranks = deal_processors(processors, engine.size)
        warning = beyond(processors, engine.size)
        if warning and engine.rank == 0:
            print(f"{_caller_place()}warning: {warning}", file=sys.stderr, flush=True)
    show_placement(names, ranks)
    mirror = engine.rank != 0  # a spread branch's own enrols and resigns count once, on rank 0
    engine.run_placed(
        [(engine.mirrored(fn) if r is SPREAD and mirror else fn, n) for fn, n, r in zip(fns, names, ranks)
         if r is SPREAD or r == engine.rank]
    )  # fmt: skip


def _caller_place() -> str:
    """``file:line: `` of the generated code calling :func:`placed_par` (its
    PLACED PAR), or ``cspc: `` when that is not occam."""
    frame = sys._getframe(2)
    place = mapped_line(frame.f_globals, frame.f_lineno)
    filename, line = place[:2] if place else (frame.f_code.co_filename, frame.f_lineno)
    if not is_source_file(filename):
        return "cspc: "
    shown = os.path.relpath(filename) if os.path.isabs(filename) else filename
    return f"{filename if shown.startswith('..') else shown}:{line}: "


def spread_par(*fns, names=None):
    """A replicated PAR that is the placed PAR or one of its branches: outside
    MPI, ``par``; under it, this rank's block of copies."""
    if engine is None:
        return par(*fns, names=names)
    names = names or [branch_name(fn, i) for i, fn in enumerate(fns)]
    ranks = deal_copies(len(fns), engine.size) if fns else []
    show_placement(names, ranks)
    mine = [(fn, n) for fn, n, r in zip(fns, names, ranks) if r == engine.rank]
    if not engine.placed:  # the main PROC's body is this replicated PAR itself
        return engine.run_placed(mine)
    if mine:
        with engine.copies_counted():  # the first copy may run in this (mirror) process
            par(*[fn for fn, _ in mine], names=[n for _, n in mine])


def show_placement(names, ranks) -> None:
    """``--placement`` (``$CSPC_PLACEMENT``): rank 0 says where each process runs."""
    if engine.rank == 0 and os.environ.get("CSPC_PLACEMENT"):
        for line in describe(names, ranks):
            print(f"cspc: placement: {line}", file=sys.stderr, flush=True)
