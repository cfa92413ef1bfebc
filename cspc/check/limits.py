"""Limits of the Python a program becomes, checked where the user can see them.

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
        stack.extend((child, inner) for child in reversed(list(S.children(node))))
