"""A :class:`~cspc.graph.model.Network` as Graphviz: a ``graphviz.Digraph``, and a file.

Processes are boxes, the environment's keyboard, screen and error are plain
words at the picture's edges (keyboard at the top, screen and error at the
bottom), a process running a PAR is a box around its branches, and each
arrow goes from writer to reader, labelled with its channels (and, after a
run, the messages they carried).  Blocked processes and the channels they
wait on are red.  The DOT text is deterministic: the README's picture is
checked against it.
"""

from __future__ import annotations

import hashlib
import os

import graphviz

from .model import Cluster, Network, Node

FORMATS = ("svg", "png", "dot")
BLOCKED = "red3"


class NoDot(Exception):
    """Graphviz's ``dot`` program is not installed: only DOT text can be written."""


def graph_format(path: str) -> str | None:
    """``svg`` for ``net.svg``: the format a file's suffix names, if drawable."""
    suffix = os.path.splitext(path)[1].lower().lstrip(".")
    return "dot" if suffix == "gv" else suffix if suffix in FORMATS else None


def digraph(network: Network) -> graphviz.Digraph:
    title = network.title + (f"\\n{network.note}" if network.note else "")
    g = graphviz.Digraph(network.title, graph_attr={
        "label": title, "labelloc": "t", "fontname": "Helvetica", "rankdir": "LR", "newrank": "true",
    }, node_attr={"shape": "box", "style": "rounded", "fontname": "Helvetica"},
        edge_attr={"fontname": "Helvetica", "fontsize": "10"})  # fmt: skip
    bodies: dict[Cluster | None, list] = {None: []}
    for cluster in network.clusters:
        bodies[cluster] = []
    for node in network.nodes:
        if not node.environment:
            bodies[node.cluster].append(node)
    drawn = _worth_a_box(network, bodies)
    for cluster in network.clusters:
        if cluster not in drawn:  # a box around one box says nothing: its node goes up
            bodies[_drawn_parent(cluster, drawn)].extend(bodies.pop(cluster))
    _draw_cluster(g, None, network, bodies, drawn)
    _draw_environment(g, network)
    for edge in network.edges:
        attrs = {"label": edge.label if edge.messages is None else f"{edge.label}: {edge.messages}"}
        if edge.blocked:
            attrs.update(color=BLOCKED, fontcolor=BLOCKED, penwidth="2")
        elif edge.messages == 0:
            attrs.update(style="dashed")
        g.edge(edge.writer.ident, edge.reader.ident, **attrs)
    return g


def _worth_a_box(network: Network, bodies: dict) -> set:
    """The clusters drawn as boxes: those holding more than one node (a PAR
    branch that only runs a replicated PAR is drawn as that PAR's node)."""
    inside: dict = {c: len(bodies[c]) for c in network.clusters}
    for cluster in reversed(network.clusters):  # inner clusters come after their parents
        if cluster.parent is not None:
            inside[cluster.parent] += inside[cluster]
    drawn = {c for c in network.clusters if inside[c] > 1}
    for cluster in network.clusters:  # nor does a box around a single box and nothing else
        inner = [c for c in drawn if c.parent is cluster]
        if not bodies[cluster] and len(inner) == 1:
            drawn.discard(cluster)
    return drawn


def _drawn_parent(cluster: Cluster, drawn: set) -> Cluster | None:
    parent = cluster.parent
    while parent is not None and parent not in drawn:
        parent = parent.parent
    return parent


def _draw_cluster(g: graphviz.Digraph, cluster: Cluster | None, network: Network, bodies: dict,
                  drawn: set) -> None:
    for node in bodies.get(cluster, ()):
        g.node(node.ident, **_node_attrs(node))
    for inner in network.clusters:
        if inner in drawn and _drawn_parent(inner, drawn) is cluster:
            with g.subgraph(name=inner.ident) as sub:
                sub.attr(label=inner.label, style="rounded,dashed", color="gray40")
                _draw_cluster(sub, inner, network, bodies, drawn)


def _node_attrs(node: Node) -> dict:
    label = node.label + (f"\\n{node.copies}" if node.copies else "")
    attrs = {"label": label}
    if node.copies:
        attrs["peripheries"] = "2"  # a stack of copies
    if node.blocked:
        many = len(node.names) > 1
        label += f"\\n{len(node.blocked)} of {len(node.names)} blocked" if many else "\\nblocked"
        attrs.update(label=label, color=BLOCKED, fontcolor=BLOCKED, penwidth="2")
    return attrs


def _draw_environment(g: graphviz.Digraph, network: Network) -> None:
    world = [n for n in network.nodes if n.environment]
    for rank, names in (("source", ("keyboard",)), ("sink", ("screen", "error"))):
        mine = [n for n in world if n.label in names]
        if mine:
            with g.subgraph(name=f"environment_{rank}") as sub:
                sub.attr(rank=rank)
                for node in mine:
                    sub.node(node.ident, label=node.label, shape="plaintext", fontname="Helvetica-Oblique")


def dot_source(network: Network) -> str:
    return digraph(network).source


def write(network: Network, path: str) -> str:
    """Write the picture to ``path`` in the format its suffix names; return
    the path written.  Raises :class:`NoDot` (having written the DOT text
    beside, whose path it carries) when an SVG or PNG needs ``dot`` and it
    is not installed."""
    fmt = graph_format(path) or "dot"
    g = digraph(network)
    if fmt == "dot":
        with open(path, "w", encoding="utf-8") as f:
            f.write(g.source)
        return path
    try:
        data = g.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        beside = os.path.splitext(path)[0] + ".dot"
        with open(beside, "w", encoding="utf-8") as f:
            f.write(g.source)
        raise NoDot(beside) from None
    if fmt == "svg":
        data = stamp(data.decode("utf-8"), g.source).encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)
    return path


def stamp(svg_text: str, source: str) -> str:
    """The SVG with the hash of its DOT text in a comment after the XML
    header: a picture kept in the repository (the README's) can then be
    checked against what the current code draws, whatever Graphviz drew it."""
    mark = f"<!-- cspc graph: DOT sha256 {dot_hash(source)} -->\n"
    head, sep, rest = svg_text.partition("?>\n")
    return head + sep + mark + rest if sep else mark + svg_text


def dot_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def svg(network: Network) -> str:
    """The picture as SVG text (for notebooks and the docs); needs ``dot``."""
    g = digraph(network)
    try:
        return stamp(g.pipe(format="svg").decode("utf-8"), g.source)
    except graphviz.ExecutableNotFound:
        raise NoDot(None) from None
