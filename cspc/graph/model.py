"""The picture of a process network, as data: processes, channels, clusters.

Nothing here knows Graphviz or the compiler.  :mod:`.static` fills a
:class:`Network` from the checked program, :mod:`.run` adds what a run did
(message counts, the processes a deadlock left blocked), and :mod:`.render`
turns it into DOT.  Keeping the model apart lets the tests ask questions of the
network itself (who writes ``pipe[3]``?) as well as of the DOT text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The environment's ends of an occam program's top-level channels.
ENVIRONMENT = ("keyboard", "screen", "error")


@dataclass(eq=False)
class Cluster:
    """A process that runs a PAR: drawn as a box around its branches."""

    ident: str
    label: str
    parent: "Cluster | None" = None


@dataclass(eq=False)
class Node:
    """One process, or (collapsed) every copy of one replicated process.

    ``names`` are the run-time names of the processes it stands for (as the
    trace and the deadlock report show them); ``copies`` describes the
    replication when the node stands for several (``i = 0 FOR 26``)."""

    ident: str
    label: str
    cluster: Cluster | None = None
    names: list[str] = field(default_factory=list)
    copies: str | None = None
    environment: bool = False  # keyboard, screen, error: the world outside the program
    blocked: list[str] = field(default_factory=list)  # the names a deadlock left blocked


@dataclass(eq=False)
class Edge:
    """The channels one process writes and another reads, drawn as one arrow.

    ``elements`` are the run-time names of the channels (``pipe[3]``), in the
    order they were found; ``label`` is what the arrow says."""

    writer: Node
    reader: Node
    base: str  # the channel's declared name (``pipe``)
    elements: list[str] = field(default_factory=list)
    messages: int | None = None  # after a run: how many messages it carried
    blocked: bool = False  # a process the deadlock left blocked waits on it

    @property
    def label(self) -> str:
        return channel_label(self.base, self.elements)


@dataclass
class Network:
    """A process network: what :mod:`.render` draws."""

    title: str
    nodes: list[Node] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    note: str | None = None  # one line under the title (how a run ended)

    def node_named(self, name: str) -> Node | None:
        """The node standing for the process of run-time name ``name``."""
        for node in self.nodes:
            if name in node.names:
                return node
        return None

    def edges_of(self, element: str) -> list[Edge]:
        """The arrows that carry the channel of run-time name ``element``."""
        return [e for e in self.edges if element in e.elements]


def channel_label(base: str, elements: list[str]) -> str:
    """``a``; ``pipe[0]``; ``pipe[1..25]`` for a run of consecutive elements;
    ``c[0, 2, 4]``; a long irregular list is cut (``c[0, 2, 4, ...] (9)``)."""
    if len(elements) == 1:
        return elements[0]
    indexes = [_index_of(base, e) for e in elements]
    if any(i is None for i in indexes):
        shown = ", ".join(elements[:3])
        return shown + (f", ... ({len(elements)})" if len(elements) > 3 else "")
    values = sorted(set(indexes))
    if len(values) > 2 and values == list(range(values[0], values[-1] + 1)):
        return f"{base}[{values[0]}..{values[-1]}]"
    if len(values) > 4:
        return f"{base}[{', '.join(map(str, values[:3]))}, ...] ({len(values)})"
    return f"{base}[{', '.join(map(str, values))}]"


def _index_of(base: str, element: str) -> int | None:
    """3 for ``pipe[3]`` of ``pipe``; None for anything else (``c[1][2]``, ``c[?]``)."""
    inside = element[len(base):]
    if not (element.startswith(base) and inside.startswith("[") and inside.endswith("]")):
        return None
    try:
        return int(inside[1:-1])
    except ValueError:
        return None
