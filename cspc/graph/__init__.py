"""``cspc graph``: the process network as a picture (Graphviz).

:mod:`.model` is the network as data, :mod:`.static` builds it from the
checked program, :mod:`.run` adds what a run did (message counts, a
deadlock's blocked processes), :mod:`.render` draws it.
"""

from __future__ import annotations

from .model import Cluster, Edge, Network, Node
from .run import CountingObserver, apply_run
from .static import DEFAULT_LIMIT, static_network

__all__ = ["Cluster", "Edge", "Network", "Node", "CountingObserver", "apply_run", "DEFAULT_LIMIT",
           "static_network", "network_of"]


def network_of(result, *, expand: bool = False, limit: int = DEFAULT_LIMIT) -> Network:
    """The static network of a compiled program (a ``CompileResult`` with its checked AST)."""
    from cspc.check import main_proc

    return static_network(result.program, main_proc(result.program), expand=expand, limit=limit)
