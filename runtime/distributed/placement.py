"""Which rank runs which process: the dealing rule, written once.

The compiler marks the main PROC's own PAR (the *placed* PAR) and, among its
branches, those that are themselves a replicated PAR (*spread* branches).
Everything else in the program stays where its placed branch runs.

* The placed PAR's other branches are dealt round robin, in source order:
  the first to rank 0, the second to rank 1, ... wrapping round after the
  last rank.
* A spread branch's copies are cut into contiguous blocks, one per rank:
  copy ``k`` of ``n`` goes to rank ``k * ranks // n``, so neighbours in a
  pipeline of copies mostly share a rank (and their channels stay in memory),
  and every rank gets ``n // ranks`` or one more.
* A main PROC whose body (under its declarations) is a replicated PAR is one
  spread branch on its own.
* A PLACED PAR says where each branch goes: `PROCESSOR n` is rank ``n``.  A
  number past the job's last rank wraps round (rank ``n % ranks``, with a
  warning: the program was written for more processors than the job has), so
  a program placed for 4 processors still runs, in the same order, on 2.

The rule only reads counts, never the program, so every rank computes the same
placement without talking to the others.
"""

from __future__ import annotations

SPREAD = None  # the rank of a spread branch: every rank runs it, on its own block of copies


def deal_branches(count: int, spread, ranks: int) -> list:
    """The rank of each of the placed PAR's ``count`` branches (``SPREAD`` for
    the indexes in ``spread``, which run on every rank)."""
    spread = set(spread)
    placed, turn = [], 0
    for index in range(count):
        if index in spread:
            placed.append(SPREAD)
        else:
            placed.append(turn % ranks)
            turn += 1
    return placed


def deal_copies(count: int, ranks: int) -> list[int]:
    """The rank of each of a spread branch's ``count`` copies."""
    return [k * ranks // count for k in range(count)]


def deal_processors(processors, ranks: int) -> list[int]:
    """The rank of each branch of a PLACED PAR whose PROCESSOR numbers are
    ``processors``: rank ``n % ranks`` for `PROCESSOR n` (see :func:`beyond`)."""
    return [n % ranks for n in processors]


def beyond(processors, ranks: int) -> str | None:
    """The warning for PROCESSOR numbers past the last of ``ranks`` ranks, or None."""
    past = sorted({n for n in processors if n >= ranks})
    if not past:
        return None
    shown = [str(n) for n in past[:4]] + (["..."] if len(past) > 4 else [])
    numbers = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return (
        f"PROCESSOR {numbers} {'names a rank' if len(past) == 1 else 'name ranks'} this job does not have "
        f"(it has {ranks}): PROCESSOR n runs on rank n modulo {ranks} (--np {max(processors) + 1} "
        "gives each number its own rank)"
    )


def describe(names, ranks_of) -> list[str]:
    """Lines saying where each named process runs, one per rank that runs any
    (for ``--placement``); runs of copies are shown as ``first .. last``."""
    by_rank: dict[int, list[str]] = {}
    for name, rank in zip(names, ranks_of):
        if rank is not SPREAD:
            by_rank.setdefault(rank, []).append(name)
    return [f"rank {rank}: {_runs(by_rank[rank])}" for rank in sorted(by_rank)]


def _runs(names: list[str]) -> str:
    if len(names) > 3 and all("=" in n for n in names):
        return f"{names[0]} .. {names[-1]} ({len(names)} copies)"
    return ", ".join(names)
