"""Loops: how deep they may nest in Python, and which of their ends need a tick.

**Fair scheduling.**  A process switches only where it blocks, so a loop that
can go round without blocking must end each iteration with a tick, where a
process that has run a time slice lets the others run (``runtime/fair.py``).
A loop whose every iteration surely blocks or communicates needs none: a
rendezvous with a partner that was already waiting leaves that partner to be
run, so at most a round later the loop blocks.  :func:`always_blocks` decides
that (inputs, outputs, delays, PARs, SYNCs, ALTs of input guards only, and
SEQ/IF/CASE of such processes, PROC bodies included); the verdict is left in
``While.tick`` and, for replicated SEQs, ``Seq.tick``.  CommsTime's loops all
communicate and pay nothing; a loop that computes or polls gets its tick.

**Nesting.**  
Python allows 20 loops (``for``/``while``) to nest inside one function: its
compiler refuses more ("too many statically nested blocks").  In the code cspc
generates, WHILE and every replicator (SEQ, IF, and the guards of an ALT) is a
loop, and each PROC, FUNCTION and PAR branch is a function of its own.  So a
PROC or PAR branch may nest at most :data:`MAX_LOOPS` of them; beyond that
the check reports the loop that goes too deep, so that a program that passes
``cspc check`` always compiles.  (No real program comes near: 20 nested loops.)
"""

from __future__ import annotations

from cspc import syntax as S
from cspc.diagnostics import Reporter

MAX_LOOPS = 20


def check_loops(program: S.Program, reporter: Reporter) -> None:
    # Iterative: (node, loops open around it in its Python function).
    stack: list[tuple[S.Node, int]] = [(spec, 0) for spec in reversed(program.specs)]
    while stack:
        node, loops = stack.pop()
        inner = loops
        if isinstance(node, (S.ProcDecl, S.FunctionDecl)):
            inner = 0
        elif isinstance(node, S.Par):
            inner = 0  # each branch (or copy) is a function of its own
        elif isinstance(node, S.While) or (
            isinstance(node, (S.Seq, S.If, S.Alt)) and node.replicator is not None
        ):
            inner = loops + 1
            if inner > MAX_LOOPS:
                reporter.error(
                    node.span,
                    f"loops nested too deeply: at most {MAX_LOOPS} WHILE loops and replicators may "
                    "nest inside one PROC or PAR branch (the limit of Python, which runs them)",
                )
                continue
        if isinstance(node, S.While):
            node.tick = not always_blocks(node.body)
        elif isinstance(node, S.Seq) and node.replicator is not None:
            count = node.replicator.count.const
            short = isinstance(count, int) and count <= SHORT_LOOP
            node.tick = not short and not all_block(node.body)
        stack.extend((child, inner) for child in reversed(list(S.children(node))))


# A replicated SEQ of at most this many (constant) iterations ends soon anyway.
SHORT_LOOP = 64


def all_block(processes: list[S.Process]) -> bool:
    """Does running ``processes`` in sequence surely block at least once?"""
    return any(always_blocks(p) for p in processes)


def always_blocks(p: S.Process, seen: frozenset = frozenset()) -> bool:
    """Does every run of ``p`` block, or communicate, at least once?  (False when
    unsure.)  ``seen``: the PROCs being looked into, against recursion."""
    while isinstance(p, S.Specified):
        p = p.body
    if isinstance(p, S.Input):
        return not p.timer
    if isinstance(p, (S.Output, S.CaseInput, S.ExtendedInput, S.ExtendedCaseInput, S.Delay, S.Sync, S.Stop, S.Par)):
        return True
    if isinstance(p, (S.Claim, S.Resign)):
        return always_blocks(p.body, seen)
    if isinstance(p, S.Seq):
        if p.replicator is None:
            return any(always_blocks(q, seen) for q in p.body)
        count = p.replicator.count.const
        return isinstance(count, int) and count > 0 and any(always_blocks(q, seen) for q in p.body)
    if isinstance(p, S.If):
        return p.replicator is None and all(
            c.nested is None and always_blocks(c.body, seen) for c in p.choices
        )
    if isinstance(p, S.Case):
        return all(always_blocks(o.body, seen) for o in p.options)
    if isinstance(p, S.Alt):
        return _input_guards_only(p)
    if isinstance(p, S.ProcCall):
        decl = p.proc.symbol.decl if p.proc.symbol is not None else None
        if isinstance(decl, S.ProcDecl) and decl.python is None and id(decl) not in seen:
            return always_blocks(decl.body, seen | {id(decl)})
    return False


def _input_guards_only(alt: S.Alt) -> bool:
    """An ALT of channel inputs only: it waits, or takes from a waiting partner."""
    for a in alt.alternatives:
        if a.nested is not None:
            if not _input_guards_only(a.nested):
                return False
        elif a.guard is None or not isinstance(
            a.guard.guard, (S.Input, S.CaseInput, S.ExtendedInput, S.ExtendedCaseInput)
        ):
            return False
        elif isinstance(a.guard.guard, S.Input) and a.guard.guard.timer:
            return False
    return True
