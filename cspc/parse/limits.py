"""How deep a program may nest: a limit every later pass can honour.

The checks and the code generator walk the AST recursively, and Python's own
compiler nests as the generated code does; none of them may fail on a program
a user can write.  So the parser measures the AST's depth (iteratively) and
refuses, at the construct that goes too deep, any program nested more than
:data:`MAX_DEPTH` nodes deep: far past what any real program needs (a
process nested 100 levels deep in the source is about 150 nodes deep), and
well inside what every pass handles with Python's default recursion limit.
"""

from __future__ import annotations

from cspc import syntax as S
from cspc.diagnostics import CompileError

MAX_DEPTH = 1000


def check_depth(specs: list[S.Spec]) -> None:
    """Raise a positioned CompileError at the first node deeper than MAX_DEPTH."""
    stack = [(spec, 1) for spec in reversed(specs)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise CompileError.at(
                node.span, f"nested too deeply (limit {MAX_DEPTH} levels of processes and expressions)"
            )
        stack.extend((child, depth + 1) for child in S.children(node))
