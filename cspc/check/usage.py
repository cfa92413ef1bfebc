"""occam's parallel usage rules, on the resolved and typed AST.

Within a PAR, a variable assigned or input by one branch is neither read nor
assigned by another, and a channel is input by at most one branch and output by
at most one.  For a replicated PAR the same holds between any two copies: an
element selected by a subscript that provably differs for different values of
the index (`a[i]`, `a[i + 1]`, `a[(i + 1) \\ n]` over `i = 0 FOR n`) is fine.
Where distinctness can be neither proved nor refuted the checker warns rather
than rejects, as KRoC accepts such programs.

Whether two subscripts can select the same element is decided in
:mod:`cspc.check.subscripts`.  The pass works bottom-up: :meth:`UsageChecker.process` gives the
:class:`Usage` of a process (which elements it reads, writes, inputs from and
outputs to, with positions), and PAR compares the usages of its branches.
Reference abbreviations are seen through to the element they abbreviate, and a
PROC call contributes what the PROC's body does to its actuals.

It also reports a channel parameter used both ways, and warns when one process
(no PAR in between) both inputs from and outputs to a channel it declared,
which can only deadlock.

One file, over 600 lines: the pass is one bottom-up walk whose PAR comparison needs every
construct's Usage at hand; the subscript reasoning and partner naming are already apart
(:mod:`cspc.check.subscripts`, :mod:`cspc.check.partners`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cspc import syntax as S
from cspc.check import layout as L
from cspc.check import types as T
from cspc.check.access import declared_inside, declared_names, root_and_path, rule_for, shared_ends
from cspc.check.partners import expect_ends, name_branches
from cspc.check.subscripts import (
    DISJOINT,
    SAME,
    UNKNOWN,
    combine,
    compare_across_copies,
    compare_selector,
    is_field,
)
from cspc.diagnostics import Reporter

DATA_KINDS = ("variable", "abbreviation")


def is_data(symbol: S.Symbol) -> bool:
    """Is ``symbol`` data, which the rules of parallel usage follow?  A
    MOBILE BARRIER is, as a mobile: moving it is a change, a SYNC a read."""
    return symbol.kind in DATA_KINDS or symbol.kind == "barrier" and symbol.mobile


@dataclass(eq=False)
class Access:
    symbol: S.Symbol
    path: list  # selectors from the root outwards (index Exprs or Slice nodes)
    span: object
    # Replicator indices in scope at the access with known bounds: id -> (low, high).
    ranges: dict = field(default_factory=dict)
    # The process making a channel access, once a PAR names it: a branch name, or
    # the replicated PAR whose copy makes it (see cspc.check.partners).
    process: object = None
    # Replicator indices an IF choice pins the access to: id -> value, from a
    # guard `i = 80' (occ21 evaluates such guards copy by copy).
    pins: dict = field(default_factory=dict)


@dataclass
class Usage:
    reads: list[Access] = field(default_factory=list)
    writes: list[Access] = field(default_factory=list)
    inputs: list[Access] = field(default_factory=list)
    outputs: list[Access] = field(default_factory=list)
    # Channel uses made by this very process (not split off by a PAR or a call).
    own_inputs: list[Access] = field(default_factory=list)
    own_outputs: list[Access] = field(default_factory=list)

    def add(self, other: "Usage") -> "Usage":
        for name in ("reads", "writes", "inputs", "outputs", "own_inputs", "own_outputs"):
            getattr(self, name).extend(getattr(other, name))
        return self

    def without(self, symbols: set[int]) -> "Usage":
        """This usage minus the accesses to symbols declared inside it."""
        result = Usage()
        for name in ("reads", "writes", "inputs", "outputs", "own_inputs", "own_outputs"):
            kept = [a for a in getattr(self, name) if id(a.symbol) not in symbols]
            setattr(result, name, kept)
        return result


@dataclass
class Summary:
    """What a PROC or FUNCTION body does to its parameters and to free names."""

    params: list[S.Param]
    usage: Usage


def predefined_summary(symbol: S.Symbol) -> Summary:
    """A predefined PROC (MOVE2D, ...) has no body to look at: it writes its
    reference parameters, whole, and reads its VAL ones."""
    params = symbol.decl.params
    writes = [Access(p.name.symbol, [], p.name.span) for p in params if p.mode != "VAL"]
    return Summary(params, Usage(writes=writes))


# --------------------------------------------------------------------------- the pass


class UsageChecker:
    def __init__(self, reporter: Reporter, parallel_checks: bool = True) -> None:
        self.reporter = reporter
        self.parallel_checks = parallel_checks  # off for `#OPTION "N"'
        self.summaries: dict[int, Summary] = {}  # id(proc/function symbol) -> Summary
        self.par: S.Par | None = None  # the PAR whose branches are being compared
        self.procs: list[str] = []  # the PROCs being checked, innermost last
        self.copies: list[S.Par] = []  # the replicated PARs around, in this PROC
        self.reported: set[tuple] = set()

    # -- accesses

    def access(self, e: S.Expr) -> Access | None:
        """The element ``e`` denotes, seen through reference abbreviations."""
        symbol, path = root_and_path(e)
        if symbol is None:
            return None
        seen = 0
        while isinstance(symbol.decl, S.Abbreviation) and symbol.decl.mode == "REF" and seen < 100:
            inner, inner_path = root_and_path(symbol.decl.value)
            if inner is None:
                break
            symbol, path = inner, inner_path + path
            seen += 1
        return Access(symbol, path, e.span)

    def reads(self, e: S.Expr | None) -> Usage:
        usage = Usage()
        if e is not None:
            self._reads(e, usage)
        return usage

    def _reads(self, e: S.Expr, usage: Usage) -> None:
        if isinstance(e, S.Unary) and e.op == "SIZE":
            self._selector_reads(e.operand, usage)
            return
        if isinstance(e, S.BytesIn):  # a constant: nothing is read
            return
        if isinstance(e, (S.Name, S.Subscript, S.Slice)):
            access = self.access(e)
            if access is not None and is_data(access.symbol):
                usage.reads.append(access)
            self._selector_reads(e, usage)
            return
        if isinstance(e, S.Call):
            summary = self.summaries.get(id(e.func.symbol))
            if summary is not None:
                usage.add(self.apply(summary, e.args, e.span))
            else:
                for arg in e.args:
                    self._reads(arg, usage)
            return
        for child in S.children(e):
            if isinstance(child, S.Expr):
                self._reads(child, usage)

    def _selector_reads(self, e: S.Expr, usage: Usage) -> None:
        """Reads made by the subscripts of an element expression."""
        while True:
            if isinstance(e, S.Subscript):
                if not is_field(e.index):
                    self._reads(e.index, usage)
                e = e.base
            elif isinstance(e, S.Slice):
                for part in (e.start, e.count):
                    if part is not None:
                        self._reads(part, usage)
                e = e.base
            elif isinstance(e, S.ChanEnd):
                e = e.chan
            else:
                return

    def written(self, e: S.Expr) -> Usage:
        usage = Usage()
        access = self.access(e)
        if access is not None and is_data(access.symbol):
            usage.writes.append(access)
        self._selector_reads(e, usage)
        return usage

    def chan_use(self, chan: S.Expr, direction: str, own: bool = True) -> Usage:
        usage = Usage()
        access = self.access(chan)
        if access is not None and T.end_field(chan) is not None:
            # `cli[req]': a use of the end `cli' (which must not move meanwhile) and
            # of its channel `req'; other channels of the bundle are apart.
            usage.reads.append(Access(access.symbol, [], chan.span))
            (usage.inputs if direction == "?" else usage.outputs).append(access)
            return usage
        if access is not None and access.symbol.kind == "channel":
            (usage.inputs if direction == "?" else usage.outputs).append(access)
            if own:
                (usage.own_inputs if direction == "?" else usage.own_outputs).append(access)
        self._selector_reads(chan, usage)
        return usage

    # -- processes

    def process(self, p: S.Process | None) -> Usage:
        if p is None:
            return Usage()
        return rule_for(self, "proc_", p)(p)

    def proc_Skip(self, p) -> Usage:
        return Usage()

    proc_Stop = proc_Skip

    def proc_Assign(self, p: S.Assign) -> Usage:
        usage = Usage()
        for target in p.targets:
            usage.add(self.written(target))
        for value in p.values:
            usage.add(self.reads(value))
            usage.add(self.moved(value))
        return usage

    def moved(self, e: S.Expr) -> Usage:
        """A mobile moved away (``Name.moved``, ``Subscript.moved``) is changed: it becomes undefined."""
        return self.written(e) if isinstance(e, (S.Name, S.Subscript)) and e.moved else Usage()

    def items(self, items: list[S.Expr], is_input: bool) -> Usage:
        usage = Usage()
        for item in items:
            if isinstance(item, S.Name) and item.symbol is not None and item.symbol.kind == "tag":
                continue
            parts = [item.count, item.array] if isinstance(item, S.CountedItem) else [item]
            for part in parts:
                usage.add(self.written(part) if is_input else self.reads(part))
            if not is_input:
                usage.add(self.moved(item))
        return usage

    def proc_Output(self, p: S.Output) -> Usage:
        return self.chan_use(p.chan, "!").add(self.items(p.items, is_input=False))

    def proc_Input(self, p: S.Input) -> Usage:
        if p.timer:
            return self.items(p.items, is_input=True)
        return self.chan_use(p.chan, "?").add(self.items(p.items, is_input=True))

    def proc_CaseInput(self, p: S.CaseInput | S.ExtendedCaseInput) -> Usage:
        usage = self.chan_use(p.chan, "?")
        for v in p.variants:
            inner = self.items(v.items, is_input=True).add(self.process(v.body)).add(self.process(v.after))
            usage.add(self.specified(v.specs, inner))
        return usage

    proc_ExtendedCaseInput = proc_CaseInput

    def proc_ExtendedInput(self, p: S.ExtendedInput) -> Usage:
        usage = self.chan_use(p.chan, "?").add(self.items(p.items, is_input=True))
        return usage.add(self.process(p.during)).add(self.process(p.after))

    def proc_Claim(self, p: S.Claim) -> Usage:
        usage = Usage()
        self._selector_reads(p.chan, usage)
        return usage.add(self.process(p.body))

    def proc_Sync(self, p: S.Sync) -> Usage:
        # Every process enrolled on a barrier syncs on it: parallel SYNCs are its
        # purpose (a mobile barrier's are reads, which no parallel move may meet).
        return self.reads(p.barrier)

    def proc_Resign(self, p: S.Resign) -> Usage:
        return self.reads(p.barrier).add(self.process(p.body))

    def proc_Delay(self, p: S.Delay) -> Usage:
        return self.reads(p.time)

    def proc_Specified(self, p: S.Specified) -> Usage:
        return self.specified(p.specs, None, p.body)

    def specified(self, specs: list[S.Spec], inner: Usage | None, body: S.Process | None = None) -> Usage:
        """The usage of ``specs`` scoping over ``body`` (or an already computed ``inner``)."""
        usage = Usage()
        local: set[int] = set()
        for spec in specs:
            usage.add(self.spec(spec))
            local.update(id(n.symbol) for n in declared_names(spec) if n.symbol is not None)
        if inner is None:
            inner = self.process(body)
        usage.add(inner)
        self.deadlock_warnings(specs, inner)
        for spec in specs:
            if isinstance(spec, S.VarDecl):
                expect_ends(spec, inner)
        return usage.without(local)

    def spec(self, spec: S.Spec) -> Usage:
        if isinstance(spec, S.Abbreviation):
            if spec.mode == "REF":
                usage = Usage()
                self._selector_reads(spec.value, usage)
            else:
                usage = self.reads(spec.value)
            for size in L.run_time_sizes(spec):  # `[n][]INT m RESHAPES a:' reads n
                usage.add(self.reads(size))
            return usage
        if isinstance(spec, S.ProcDecl):
            self.procs.append(spec.name.name)
            copies, self.copies = self.copies, []  # a PROC's PARs name their own branches
            try:
                self.routine(spec, spec.params, lambda: self.process(spec.body))
            finally:
                self.procs.pop()
                self.copies = copies
        elif isinstance(spec, S.FunctionDecl):
            if isinstance(spec.body, S.Valof):
                self.routine(spec, spec.params, lambda: self.valof(spec.body))
            else:
                self.routine(spec, spec.params, lambda: _sum(self.reads(e) for e in spec.body))
        return Usage()

    def routine(self, decl, params: list[S.Param], body) -> None:
        usage = body()
        self.parameter_directions(params, usage)
        summary_usage = Usage()
        for name in ("reads", "writes", "inputs", "outputs"):
            setattr(summary_usage, name, list(getattr(usage, name)))
        self.summaries[id(decl.name.symbol)] = Summary(params, summary_usage)

    def parameter_directions(self, params: list[S.Param], usage: Usage) -> None:
        for p in params:
            symbol = p.name.symbol
            if symbol is None or symbol.kind != "channel" or p.direction is not None:
                continue
            ins = [a for a in usage.inputs if a.symbol is symbol]
            outs = [a for a in usage.outputs if a.symbol is symbol]
            if ins and outs:
                self.reporter.error(
                    p.name.span,
                    f"channel parameter `{symbol.name}' is used for both input and output",
                    (ins[0].span, "input here"),
                    (outs[0].span, "output here"),
                )

    def valof(self, valof: S.Valof) -> Usage:
        inner = self.process(valof.body)
        for e in valof.results:
            inner.add(self.reads(e))
        return self.specified(valof.specs, inner)

    def deadlock_warnings(self, specs: list[S.Spec], inner: Usage) -> None:
        for spec in specs:
            if not isinstance(spec, S.VarDecl) or not T.is_channel(spec.type):
                continue
            for name in spec.names:
                ins = [a for a in inner.own_inputs if a.symbol is name.symbol]
                outs = [a for a in inner.own_outputs if a.symbol is name.symbol]
                if ins and outs:
                    self.reporter.warning(
                        name.span,
                        f"channel `{name.name}' is used for both input and output by one process: "
                        "it will deadlock",
                        (ins[0].span, "input here"),
                        (outs[0].span, "output here"),
                    )

    def replicator_reads(self, r: S.Replicator | None) -> Usage:
        if r is None:
            return Usage()
        usage = self.reads(r.base).add(self.reads(r.count))
        return usage.add(self.reads(r.step)) if r.step is not None else usage

    def proc_Seq(self, p: S.Seq) -> Usage:
        body = _sum(self.process(b) for b in p.body)
        bound(body, p.replicator)
        return body.add(self.replicator_reads(p.replicator))

    def proc_If(self, p: S.If) -> Usage:
        usage = Usage()
        for c in p.choices:
            if c.nested is not None:
                inner = self.process(c.nested)
            else:
                inner = self.process(c.body)
                pin(inner, c.condition)
                inner.add(self.reads(c.condition))
            usage.add(self.specified(c.specs, inner))
        bound(usage, p.replicator)
        return usage.add(self.replicator_reads(p.replicator))

    def proc_While(self, p: S.While) -> Usage:
        return self.reads(p.condition).add(self.process(p.body))

    def proc_Case(self, p: S.Case) -> Usage:
        usage = self.reads(p.selector)
        for option in p.options:
            usage.add(self.specified(option.specs, self.process(option.body)))
        return usage

    def proc_Alt(self, p: S.Alt) -> Usage:
        usage = Usage()
        for a in p.alternatives:
            if a.nested is not None:
                inner = self.process(a.nested)
            else:
                inner = Usage()
                if a.guard is not None:
                    inner.add(self.reads(a.guard.precondition))
                    inner.add(self.process(a.guard.guard))
                inner.add(self.process(a.body))
            usage.add(self.specified(a.specs, inner))
        bound(usage, p.replicator)
        return usage.add(self.replicator_reads(p.replicator))

    def proc_ProcCall(self, p: S.ProcCall) -> Usage:
        summary = self.summaries.get(id(p.proc.symbol))
        if summary is None and p.proc.symbol is not None and p.proc.symbol.predefined:
            summary = predefined_summary(p.proc.symbol)
        if summary is None:  # a RECURSIVE call inside its own body
            return _sum(self.reads(a) for a in p.args)
        return self.apply(summary, p.args, p.span)

    def proc_Fork(self, p: S.Fork) -> Usage:
        # What the forked PROC does to its actuals, as a call; a mobile it is
        # given is moved away from the forking process.
        usage = self.proc_ProcCall(p.call)
        for arg in p.call.args:
            usage.add(self.moved(arg))
        return usage

    def proc_Forking(self, p: S.Forking) -> Usage:
        return self.process(p.body)

    proc_Suspend = proc_Skip

    def apply(self, summary: Summary, args: list[S.Expr], span) -> Usage:
        """A call's usage: the body's, with each parameter replaced by its actual."""
        usage = Usage()
        actual_of, value_of = {}, {}
        for param, arg in zip(summary.params, args):
            actual_of[id(param.name.symbol)] = arg
            if param.mode == "VAL":
                value_of[id(param.name.symbol)] = arg
                usage.add(self.reads(arg))
            else:
                self._selector_reads(arg, usage)
        for name in ("reads", "writes", "inputs", "outputs"):
            target = getattr(usage, name)
            for a in getattr(summary.usage, name):
                path = [translate(selector, value_of) for selector in a.path]
                arg = actual_of.get(id(a.symbol))
                if arg is None:
                    target.append(Access(a.symbol, path, span, process=a.process))
                    continue
                actual = self.access(arg)
                if actual is not None and (
                    is_data(actual.symbol) or actual.symbol.kind == "channel"
                ):
                    target.append(
                        Access(actual.symbol, actual.path + path, arg.span, process=a.process)
                    )
        return usage

    # -- PAR

    def proc_Par(self, p: S.Par) -> Usage:
        if p.replicator is not None:
            self.copies.append(p)
        try:
            branches = [self.process(b) for b in p.body]
        finally:
            if p.replicator is not None:
                self.copies.pop()
        name_branches(p, branches, self.procs[-1] if self.procs else None, self.copies)
        self.par = p
        if p.replicator is None:
            for i, a in enumerate(branches):
                for b in branches[i + 1 :]:
                    self.compare(
                        a,
                        b,
                        lambda x, y: combine(
                            compare_selector(sa, sb, {**x.ranges, **y.ranges})
                            for sa, sb in zip(x.path, y.path)
                        ),
                    )
        else:
            body = _sum(branches)
            rep = p.replicator
            inside = declared_inside(p) - {id(rep.name.symbol)}
            if not _at_most_one_copy(rep):  # a single copy runs in parallel with nothing
                self.compare(
                    body,
                    body,
                    lambda x, y: combine(
                        compare_across_copies(sa, sb, rep, sa is sb, inside, x.ranges)
                        for sa, sb in zip(x.path, y.path)
                    ),
                    replicated=True,
                )
            bound(body, rep)
        usage = _sum(branches).add(self.replicator_reads(p.replicator))
        usage.own_inputs, usage.own_outputs = [], []
        return usage

    def compare(self, a: Usage, b: Usage, verdict, replicated: bool = False) -> None:
        if not self.parallel_checks:
            return
        pairs = [
            (a.writes, b.writes, "variable `{}' is assigned to in parallel", "assigned here", None),
            (a.writes, b.reads, "variable `{}' is assigned to and read in parallel", "read here", None),
            (a.inputs, b.inputs, "parallel inputs on channel `{}'", "input here", "?"),
            (a.outputs, b.outputs, "parallel outputs on channel `{}'", "output here", "!"),
        ]
        if not replicated:
            pairs.insert(
                2, (b.writes, a.reads, "variable `{}' is assigned to and read in parallel", "read here", None)
            )
        for left, right, message, other, end in pairs:
            by_symbol: dict[int, list[Access]] = {}
            for y in right:
                by_symbol.setdefault(id(y.symbol), []).append(y)
            for x in left:
                if x.symbol.shared:  # `#PRAGMA SHARED': the program's own business
                    continue
                if end is not None and end in shared_ends(x.symbol):  # a SHARED end: CLAIMs take turns
                    continue
                if end is not None and T.is_shared_end(T.strip_arrays(x.symbol.type)):  # so for a CHAN TYPE's
                    continue
                for y in by_symbol.get(id(x.symbol), ()):
                    if self.pinned_apart(x, y, replicated):
                        continue
                    result = verdict(x, y) if (x.path or y.path) else SAME
                    self.conflict(result, message.format(x.symbol.name), x, y, other, replicated)

    def pinned_apart(self, x: Access, y: Access, replicated: bool) -> bool:
        """Can IF guards on replicator indices never let ``x`` and ``y`` run in parallel?

        Two branches of one PAR see one value of each index around them, so
        pins to different values keep them apart; two copies of a replicated
        PAR see different values of its own index, so pins to the same value do.
        """
        rep = self.par.replicator if replicated and self.par is not None else None
        own = id(rep.name.symbol) if rep is not None else None
        inside = declared_inside(self.par) if rep is not None else set()
        for key in x.pins.keys() & y.pins.keys():
            same = x.pins[key] == y.pins[key]
            if key == own and same:
                return True
            if key != own and key not in inside and not same:
                return True
        return False

    def conflict(self, result: str, message: str, x: Access, y: Access, other: str, replicated: bool) -> None:
        if result == DISJOINT:
            return
        # One error per variable and PAR; one warning per pair of places.
        key = (message, x.span, y.span) if result == UNKNOWN else (message, id(x.symbol), id(self.par))
        if key in self.reported:
            return
        self.reported.add(key)
        first = "used here" if "channel" in message else "assigned here"
        if x is y:
            notes = [(x.span, "here, in every copy of the replicated PAR")]
        else:
            notes = [
                (x.span, first),
                (y.span, other + (" (another copy)" if replicated else ", in parallel")),
            ]
        if result == SAME:
            self.reporter.error(x.span, message, *notes)
        else:
            self.reporter.warning(
                x.span, f"cannot prove the subscripts distinct: {message} if they are equal", *notes
            )


# Stands for a subscript computed inside a called PROC: comparable to nothing.
OPAQUE = S.Name("<subscript inside a PROC>")


def translate(selector: S.Expr, value_of: dict[int, S.Expr]) -> S.Expr:
    """A selector from inside a PROC body, as seen at a call.

    Constants keep their meaning and a VAL parameter becomes its actual; any
    other subscript names the PROC's own variables, so it becomes OPAQUE.
    """
    if isinstance(selector, S.Slice):
        parts = (selector.start, selector.count)
        return selector if all(p is None or p.const is not None for p in parts) else OPAQUE
    if selector.const is not None or is_field(selector):
        return selector
    if isinstance(selector, S.Name) and selector.symbol is not None and id(selector.symbol) in value_of:
        return value_of[id(selector.symbol)]
    return OPAQUE


def bound(usage: Usage, rep: S.Replicator | None) -> None:
    """Record the replicator's range on every access made under it, when constant."""
    if rep is None or rep.name.symbol is None:
        return
    base, count = rep.base.const, rep.count.const
    if not isinstance(base, int) or not isinstance(count, int) or count <= 0 or rep.step is not None:
        return
    for name in ("reads", "writes", "inputs", "outputs"):
        for access in getattr(usage, name):
            access.ranges[id(rep.name.symbol)] = (base, base + count - 1)


def pin(usage: Usage, condition: S.Expr | None) -> None:
    """Pin the accesses of an IF choice's body to the replicator values its
    guard demands: `i = 80', `80 = i', or such a test in an AND chain."""
    for index, value in _index_tests(condition):
        for name in ("reads", "writes", "inputs", "outputs"):
            for access in getattr(usage, name):
                access.pins.setdefault(index, value)


def _index_tests(e: S.Expr | None):
    if isinstance(e, S.Binary) and e.op == "AND":
        yield from _index_tests(e.left)
        yield from _index_tests(e.right)
    elif isinstance(e, S.Binary) and e.op == "=" and e.operator is None:
        for index, value in ((e.left, e.right), (e.right, e.left)):
            symbol = index.symbol if isinstance(index, S.Name) else None
            if symbol is not None and isinstance(symbol.decl, S.Replicator) and isinstance(value.const, int):
                yield id(symbol), value.const


def _sum(usages) -> Usage:
    total = Usage()
    for u in usages:
        total.add(u)
    return total


def check_usage(program: S.Program, reporter: Reporter) -> None:
    checker = UsageChecker(reporter, parallel_checks="N" not in program.options)
    for spec in program.specs:
        checker.spec(spec)


def _at_most_one_copy(rep: S.Replicator) -> bool:
    """A replicated PAR whose count is a constant of at most 1."""
    count = rep.count.const
    return isinstance(count, int) and not isinstance(count, bool) and count <= 1
