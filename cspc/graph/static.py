"""The static process network of a checked program: who talks to whom.

The builder walks the main PROC as the program would run it, process by
process: a PAR's branches are processes (named as the run-time names them:
``Par.names``, ``Par.copy_prefix``, ``Par.copies`` from the checks), a PROC
call runs the PROC's body in the calling process with its formals bound to
the actuals, and every input and output is noted against the process making
it.  Each copy of a replicated PAR is walked with its own index, so that
``pipe[i + 1]`` names a real element; a replicated SEQ, IF or ALT binds its
index to every value it takes.  Collapsed (the default), the copies of a
replicated PAR share one node; expanded, each has its own.

An arrow joins each channel's writers to its readers; the main PROC's
``keyboard``, ``screen`` and ``error`` lead to the environment.  What cannot
be worked out statically (a subscript computed from input, a channel that
moves) is shown as ``c[?]`` or left out: a picture must not invent an arrow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

from cspc import syntax as S
from cspc.check import main_channels
from cspc.check import types as T
from cspc.check.subscripts import is_field

from .model import Cluster, Edge, Network, Node

DEFAULT_LIMIT = 64  # copies --expand draws one by one; a bigger replicated PAR stays one node
_MAX_VALUES = 4096  # values a replicator index or subscript is followed through
_MAX_COPIES = 1024  # copies of a replicated PAR walked one by one
_MAX_DEPTH = 64  # nested PROC calls followed (recursive PROCs)
_ARITHMETIC = {
    "+": lambda a, b: a + b, "PLUS": lambda a, b: a + b,
    "-": lambda a, b: a - b, "MINUS": lambda a, b: a - b,
    "*": lambda a, b: a * b, "TIMES": lambda a, b: a * b,
    "/": lambda a, b: int(a / b), "\\": lambda a, b: a - b * int(a / b), "REM": lambda a, b: a - b * int(a / b),
}  # fmt: skip


@dataclass(eq=False)
class Instance:
    """One channel, or channel array, as the running program makes it."""

    base: str  # its declared name, which the run-time channels carry
    dims: list  # array sizes (None where unknown)
    environment: str | None = None  # keyboard / screen / error


@dataclass(frozen=True)
class ChanRef:
    """A channel expression's meaning: an instance and the subscripts chosen so far,
    each a tuple of the values it may take (None: unknown)."""

    instance: Instance
    path: tuple = ()

    def elements(self) -> list[str]:
        """The run-time names of the channels this stands for (``pipe[3]``)."""
        choices = []
        for values in self.path:
            choices.append(["?"] if values is None else [str(v) for v in values])
        for size in self.instance.dims[len(self.path):]:  # a whole array, or its rest
            choices.append(["?"] if size is None else [str(v) for v in range(size)])
        names = []
        for combination in product(*choices):
            names.append(self.instance.base + "".join(f"[{c}]" for c in combination))
            if len(names) >= _MAX_VALUES:
                break
        return names


@dataclass(eq=False)
class Context:
    """A process of the program as it runs: the one making the accesses walked."""

    # What makes it one node: its PAR and its label there (copies of a
    # collapsed PAR share theirs; a PAR run again, in a loop, makes no new one).
    key: tuple
    name: str  # its run-time name
    label: str
    cluster: Cluster | None  # where its branches' nodes go (a box, once it runs a PAR)
    parent_cluster: Cluster | None
    copies: str | None = None  # "i = 0 FOR 26" when the node stands for every copy
    collapsed: frozenset = frozenset()  # replicated PARs around it drawn as one node
    depth: int = 0
    runs_par: bool = False


@dataclass
class _Access:
    node: Node
    side: str  # "writer" or "reader"
    ref: ChanRef


class StaticBuilder:
    """Builds the :class:`Network` of ``main`` (a checked PROC of ``program``)."""

    def __init__(self, program: S.Program, main: S.ProcDecl, *, expand: bool = False,
                 limit: int = DEFAULT_LIMIT) -> None:
        self.program = program
        self.main = main
        self.expand = expand
        self.limit = limit
        self.network = Network(main.name.name)
        self.nodes: dict[tuple, Node] = {}
        self.contexts: dict[tuple, Context] = {}
        self.accesses: list[_Access] = []
        self.loose: dict[int, Instance] = {}  # channels met without a declaration in view
        self.environment: dict[str, Node] = {}

    # -- the whole program

    def build(self) -> Network:
        env: dict[int, object] = {}
        channels = main_channels(self.main) or []
        for param, standard in zip(self.main.params, channels):
            env[id(param.name.symbol)] = ChanRef(Instance(standard, [], environment=standard))
        name = self.main.name.name
        root = Context((), name, name, None, None)
        self.contexts[()] = root
        self.process(self.main.body, env, root)
        self.connect()
        return self.network

    # -- nodes and clusters

    def node_of(self, ctx: Context) -> Node:
        node = self.nodes.get(ctx.key)
        if node is None:
            node = Node(f"p{len(self.nodes) + 1}", ctx.label, ctx.cluster if ctx.runs_par else ctx.parent_cluster,
                        copies=ctx.copies)
            self.nodes[ctx.key] = node
            self.network.nodes.append(node)
        if ctx.name not in node.names:
            node.names.append(ctx.name)
        return node

    def cluster_of(self, ctx: Context) -> Cluster | None:
        """The box ``ctx``'s branches are drawn in: its own, once it runs a PAR
        (the main PROC's is the picture itself)."""
        if not ctx.runs_par:
            ctx.runs_par = True
            if ctx.key:
                label = ctx.label + (f" ({ctx.copies})" if ctx.copies else "")
                ctx.cluster = Cluster(f"cluster_{len(self.network.clusters) + 1}", label, ctx.parent_cluster)
                self.network.clusters.append(ctx.cluster)
            node = self.nodes.get(ctx.key)
            if node is not None:  # it spoke before its PAR: its node joins its box
                node.cluster = ctx.cluster
        return ctx.cluster

    def child(self, ctx: Context, key: tuple, name: str, label: str, copies: str | None = None,
              collapsed: frozenset | None = None) -> Context:
        key = ctx.key + key
        known = self.contexts.get(key)
        if known is not None:  # another copy of a collapsed PAR: the same node
            known.name = name
            return known
        child = Context(key, name, label, None, self.cluster_of(ctx), copies,
                        ctx.collapsed if collapsed is None else collapsed, ctx.depth)
        self.contexts[key] = child
        return child

    # -- processes

    def process(self, p: S.Process | None, env: dict, ctx: Context) -> None:
        if p is None:
            return
        method = getattr(self, "proc_" + type(p).__name__, None)
        if method is not None:
            method(p, env, ctx)
        else:
            self.generic(p, env, ctx)

    def generic(self, node: S.Node, env: dict, ctx: Context) -> None:
        """A construct without channels of its own: its specifications, then
        every process inside it (all of an IF's or ALT's choices)."""
        env = self.specs(getattr(node, "specs", None) or [], env)
        replicator = getattr(node, "replicator", None)
        if replicator is not None:
            env = dict(env)
            env[id(replicator.name.symbol)] = self.replicated_values(replicator, env)
        for child in S.children(node):
            if isinstance(child, S.Process):
                self.process(child, env, ctx)
            elif isinstance(child, (S.Choice, S.Alternative, S.Guard, S.Option, S.Variant, S.If, S.Alt)):
                self.generic(child, env, ctx)

    def proc_Specified(self, p: S.Specified, env: dict, ctx: Context) -> None:
        self.process(p.body, self.specs(p.specs, env), ctx)

    def proc_Output(self, p, env: dict, ctx: Context) -> None:
        self.access(p.chan, "writer", env, ctx)

    def proc_Input(self, p, env: dict, ctx: Context) -> None:
        if not getattr(p, "timer", False):
            self.access(p.chan, "reader", env, ctx)
        self.generic(p, env, ctx)

    proc_CaseInput = proc_ExtendedInput = proc_ExtendedCaseInput = proc_Input

    def proc_ProcCall(self, p: S.ProcCall, env: dict, ctx: Context) -> None:
        decl = p.proc.symbol.decl if p.proc.symbol is not None else None
        if p.activates or not isinstance(decl, S.ProcDecl) or decl.python is not None or ctx.depth >= _MAX_DEPTH:
            return
        inner: dict = dict(env)
        for param, arg in zip(decl.params, p.args):
            symbol = param.name.symbol
            if symbol is None:
                continue
            ref = self.channel(arg, env)
            inner[id(symbol)] = ref if ref is not None else self.value(arg, env)
        ctx.depth += 1
        try:
            self.process(decl.body, inner, ctx)
        finally:
            ctx.depth -= 1

    def proc_Fork(self, p: S.Fork, env: dict, ctx: Context) -> None:
        name = p.call.proc.name
        self.proc_ProcCall(p.call, env, self.child(ctx, (id(p),), name, name))

    def proc_Par(self, p: S.Par, env: dict, ctx: Context) -> None:
        if p.replicator is None:
            for i, branch in enumerate(p.body):
                name = p.names[i] if i < len(p.names) else f"PAR branch {i + 1}"
                label = name + self.copy_suffix(p, env, ctx.collapsed)
                self.process(branch, env, self.child(ctx, (id(p), label), name + self.copy_suffix(p, env), label))
            return
        rep = p.replicator
        values = self.replicated_values(rep, env)
        prefix = p.copy_prefix or f"{rep.name.name}="
        calls = " " in prefix
        shown = f"{rep.name.name} = {_show(self.value(rep.base, env))} FOR {_show(self.value(rep.count, env))}"
        if values is None:  # a count not known until the program runs: one copy stands for all
            inner = dict(env)
            inner[id(rep.name.symbol)] = None
            self.copy(p, inner, ctx, prefix + "?", calls, shown, None)
            return
        collapse = not (self.expand and len(values) <= self.limit)
        for v in values[:_MAX_COPIES]:
            inner = dict(env)
            inner[id(rep.name.symbol)] = (v,)
            self.copy(p, inner, ctx, prefix + str(v), calls, shown if collapse else None, None if collapse else v)

    def copy(self, p: S.Par, env: dict, ctx: Context, name: str, calls: bool, shown: str | None, index) -> None:
        """One copy of the replicated PAR ``p``: its own node (``index``), or
        every copy's (``shown`` says how many)."""
        if shown is not None:
            label = name.split(" ")[0] if calls else "PAR"
            child = self.child(ctx, (id(p), label, shown), name, label, shown, ctx.collapsed | {id(p)})
        else:
            child = self.child(ctx, (id(p), name), name, name)
        for q in p.body:
            self.process(q, env, child)

    def copy_suffix(self, p: S.Par, env: dict, collapsed: frozenset = frozenset()) -> str:
        """`` i=3`` for a branch of a PAR inside copy 3 of ``PAR i``, as the
        run-time names it (only the copies not collapsed, for a label)."""
        parts = []
        for copy in p.copies:
            if id(copy) in collapsed:
                continue
            values = env.get(id(copy.replicator.name.symbol))
            shown = str(values[0]) if isinstance(values, tuple) and len(values) == 1 else "?"
            parts.append(f" {copy.replicator.name.name}={shown}")
        return "".join(parts)

    # -- specifications

    def specs(self, specs: list, env: dict) -> dict:
        env = dict(env)
        for spec in specs:
            if isinstance(spec, S.VarDecl) and T.is_channel(spec.type):
                dims = self.dims(spec.type, env)
                for name in spec.names:
                    env[id(name.symbol)] = ChanRef(Instance(name.name, dims))
            elif isinstance(spec, S.Abbreviation) and spec.name.symbol is not None:
                ref = self.channel(spec.value, env)
                env[id(spec.name.symbol)] = ref if ref is not None else self.value(spec.value, env)
        return env

    def dims(self, t, env: dict) -> list:
        dims = []
        t = T.base(t)
        while isinstance(t, S.ArrayType):
            size = self.value(t.size, env) if t.size is not None else None
            dims.append(size[0] if size is not None and len(size) == 1 else None)
            t = T.base(t.elem)
        return dims

    # -- channels

    def access(self, chan: S.Expr, side: str, env: dict, ctx: Context) -> None:
        ref = self.channel(chan, env)
        if ref is not None:
            self.accesses.append(_Access(self.node_of(ctx), side, ref))

    def channel(self, e: S.Expr, env: dict) -> ChanRef | None:
        """What the channel expression ``e`` denotes, or None if ``e`` is no channel."""
        if isinstance(e, S.ChanEnd):
            return self.channel(e.chan, env)
        if isinstance(e, S.Name):
            known = env.get(id(e.symbol)) if e.symbol is not None else None
            if isinstance(known, ChanRef):
                return known
            if e.symbol is not None and e.type is not None and (T.is_channel(e.type) or isinstance(e.type, S.EndType)):
                instance = self.loose.setdefault(id(e.symbol), Instance(e.name, self.dims(e.type, env)))
                return ChanRef(instance)
            return None
        if isinstance(e, S.Subscript):
            base = self.channel(e.base, env)
            if base is None:
                return None
            if is_field(e.index):
                return ChanRef(Instance(f"{base.instance.base}[{e.index.name}]", []))
            return ChanRef(base.instance, base.path + (self.value(e.index, env),))
        if isinstance(e, S.Slice):
            base = self.channel(e.base, env)
            if base is None:
                return None
            start = self.value(e.start, env) if e.start is not None else (0,)
            count = self.value(e.count, env) if e.count is not None else None
            if start is None or count is None or len(start) != 1 or len(count) != 1:
                return ChanRef(base.instance, base.path + (None,))
            return ChanRef(base.instance, base.path + (tuple(range(start[0], start[0] + count[0])),))
        return None

    # -- values

    def value(self, e: S.Expr | None, env: dict) -> tuple | None:
        """The values the integer expression ``e`` may take, or None if unknown."""
        if e is None:
            return None
        if isinstance(e.const, int) and not isinstance(e.const, bool):
            return (e.const,)
        if isinstance(e, S.Name) and e.symbol is not None:
            known = env.get(id(e.symbol))
            if isinstance(known, tuple) or known is None and id(e.symbol) in env:
                return known
            decl = e.symbol.decl
            if isinstance(decl, S.Abbreviation) and decl.value is not e:
                return self.value(decl.value, {})
            return None
        if isinstance(e, S.Binary) and e.op in _ARITHMETIC:
            left, right = self.value(e.left, env), self.value(e.right, env)
            if left is None or right is None or len(left) * len(right) > _MAX_VALUES:
                return None
            try:
                return tuple(dict.fromkeys(_ARITHMETIC[e.op](a, b) for a in left for b in right))
            except ZeroDivisionError:
                return None
        if isinstance(e, S.Unary) and e.op == "-":
            inner = self.value(e.operand, env)
            return tuple(-v for v in inner) if inner is not None else None
        if isinstance(e, S.Unary) and e.op == "SIZE":
            ref = self.channel(e.operand, env)
            if ref is not None:
                dims = ref.instance.dims[len(ref.path):]
                return (dims[0],) if dims and dims[0] is not None else None
        return None

    def replicated_values(self, rep: S.Replicator, env: dict) -> tuple | None:
        base, count = self.value(rep.base, env), self.value(rep.count, env)
        step = self.value(rep.step, env) if rep.step is not None else (1,)
        if base is None or count is None or step is None or len(base) != 1 or len(count) != 1 or len(step) != 1:
            return None
        if count[0] > _MAX_VALUES:
            return None
        return tuple(base[0] + k * step[0] for k in range(max(count[0], 0)))

    # -- arrows

    def connect(self) -> None:
        """One arrow per (writer, reader, channel name): each channel's writers
        joined to its readers, the environment at the main PROC's channels."""
        ends: dict[tuple, dict[str, list[Node]]] = {}
        for a in self.accesses:
            for element in a.ref.elements():
                sides = ends.setdefault((id(a.ref.instance), element), {"writer": [], "reader": [], "of": a.ref})
                if a.node not in sides[a.side]:
                    sides[a.side].append(a.node)
        edges: dict[tuple, Edge] = {}
        for (_, element), sides in ends.items():
            instance = sides["of"].instance
            writers, readers = sides["writer"], sides["reader"]
            if instance.environment is not None:
                world = self.world(instance.environment)
                if instance.environment == "keyboard":
                    writers = writers or [world]
                else:
                    readers = readers or [world]
            elif not (writers and readers):  # one end unused: the arrow leads nowhere, visibly
                writers = writers or [self.nobody("(no writer)")]
                readers = readers or [self.nobody("(no reader)")]
            for w in writers:
                for r in readers:
                    key = (w.ident, r.ident, instance.base)
                    edge = edges.get(key)
                    if edge is None:
                        edge = edges[key] = Edge(w, r, instance.base)
                        self.network.edges.append(edge)
                    if element not in edge.elements:
                        edge.elements.append(element)

    def nobody(self, label: str) -> Node:
        node = self.environment.get(label)
        if node is None:
            node = self.environment[label] = Node(f"nobody{len(self.environment)}", label)
            self.network.nodes.append(node)
        return node

    def world(self, name: str) -> Node:
        node = self.environment.get(name)
        if node is None:
            node = self.environment[name] = Node(name, name, names=[f"({name})"], environment=True)
            self.network.nodes.append(node)
        return node


def _show(values: tuple | None) -> str:
    return str(values[0]) if values is not None and len(values) == 1 else "?"


def static_network(program: S.Program, main: S.ProcDecl, *, expand: bool = False,
                   limit: int = DEFAULT_LIMIT) -> Network:
    """The process network of ``main``, a checked PROC of ``program``."""
    return StaticBuilder(program, main, expand=expand, limit=limit).build()

