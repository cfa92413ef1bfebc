"""``cspc graph --run``: the network as a run left it.

:class:`CountingObserver` is the run's observer (:mod:`cspc.runtime.hooks`):
it counts messages by channel, writer and reader under their run-time names,
which is all it does under the runtime lock.  When the run ends,
:func:`apply_run` puts the counts on the static network's arrows and, after a
deadlock, marks in red the processes it left blocked (the report's
``BlockedProcess`` records) and the channels each waits on.  A communication
the static picture has no arrow for (a channel that moved) gets an arrow of
its own, so no message goes uncounted.
"""

from __future__ import annotations

from collections import Counter

from .model import Edge, Network, Node


class CountingObserver:
    """Counts every completed communication: (channel, writer, reader) -> messages."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.total = 0

    def communicated(self, channel, value, writer, reader) -> None:
        self.total += 1
        self.counts[(channel.name or "?", getattr(writer, "name", None), getattr(reader, "name", None))] += 1


def apply_run(network: Network, counts: Counter, ending: BaseException | None = None) -> Network:
    """Put a run's message counts and its deadlock (``ending``) on ``network``."""
    for edge in network.edges:
        edge.messages = 0
    for (channel, writer, reader), n in counts.items():
        edge = _edge_for(network, channel, writer, reader)
        edge.messages = (edge.messages or 0) + n
    blocked = [b for b in getattr(ending, "blocked", None) or [] if b.waiting_for != "PAR"]
    _mark_blocked(network, blocked)
    if blocked:
        network.note = f"deadlock: {len(blocked)} process{'es' if len(blocked) > 1 else ''} blocked"
    elif ending is not None:
        network.note = "stopped by a run-time error"
    return network


def _edge_for(network: Network, channel: str, writer: str | None, reader: str | None) -> Edge:
    candidates = network.edges_of(channel)
    for test in (
        lambda e: writer in e.writer.names and (reader is None or reader in e.reader.names),
        lambda e: writer in e.writer.names,
        lambda e: True,
    ):
        chosen = [e for e in candidates if test(e)]
        if chosen:
            return chosen[0]
    w = _node_named(network, writer or "?")
    r = _node_named(network, reader or "(outside)")
    edge = Edge(w, r, channel.split("[", 1)[0], [channel])
    network.edges.append(edge)
    return edge


def _node_named(network: Network, name: str) -> Node:
    node = network.node_named(name)
    if node is None:
        node = Node(f"r{len(network.nodes) + 1}", name, names=[name])
        network.nodes.append(node)
    return node


def _mark_blocked(network: Network, blocked: list) -> None:
    """Mark the processes a deadlock left blocked, then the arrows each waits
    on: of the arrows that could bring or take its channel, those whose other
    end is blocked too (all of them if none is)."""
    waits = []
    for b in blocked:
        nodes = [n for n in network.nodes if b.process in n.names]
        sides = {"input": ("reader",), "output": ("writer",)}.get(b.waiting_for, ("writer", "reader"))
        per_channel = [
            [e for e in network.edges_of(channel) if any(getattr(e, side) in nodes for side in sides)]
            for channel in b.channels
        ]  # fmt: skip
        waited = [e for edges in per_channel for e in edges]
        if waited:  # of several nodes of that name, the ones at its channels
            nodes = [n for n in nodes if any(n in (e.writer, e.reader) for e in waited)] or nodes
        for node in nodes or [_node_named(network, b.process)]:
            if b.process not in node.blocked:
                node.blocked.append(b.process)
        waits.append((nodes, per_channel))
    for nodes, per_channel in waits:
        for edges in per_channel:
            partners = [e for e in edges if _other_end(e, nodes).blocked]
            for e in partners or edges:
                e.blocked = True


def _other_end(edge: Edge, nodes: list[Node]) -> Node:
    return edge.reader if edge.writer in nodes else edge.writer


class GraphedRun(CountingObserver):
    """The observer ``cspc graph --run`` runs with: counts, then, as the run
    ends however it ends, draws ``network`` with what happened (``draw``)."""

    def __init__(self, network: Network, draw) -> None:
        super().__init__()
        self.network = network
        self.draw = draw

    def finish(self, ending: BaseException | None = None, report: str | None = None) -> None:
        self.draw(apply_run(self.network, self.counts, ending))
