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
