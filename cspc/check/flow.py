"""A warning for a variable that may be read before anything sets it.

A forward pass over each process with the set of scalar variables that are
certainly set at each point (assignment, input and reference-parameter passing
set them).  IF, CASE and ALT keep only what every branch sets; PAR keeps what
any branch sets (all branches finish); a WHILE or a replicated SEQ that may run
zero times sets nothing for what follows it.  Arrays and records are not
tracked (their elements are set one by one), nor are parameters and
abbreviations (their values come from outside).
"""

from __future__ import annotations

from dataclasses import fields

from cspc import syntax as S
from cspc.check import types as T
from cspc.check.access import rule_for
from cspc.diagnostics import Reporter

# The state after a process that never finishes (STOP): every variable is "set".
NEVER = None


def _meet(states):
    """What is set after whichever of several branches ran."""
    result = NEVER
    for state in states:
        if state is NEVER:
            continue
        result = set(state) if result is NEVER else result & state
    return result


_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in fields(cls) if f.name not in ("span", "symbol", "type"))
        _FIELDS[cls] = names
    return names


def _nodes(node: S.Node):
    """The nodes under ``node`` that a read could reach (SIZE and BYTESIN read no values)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, S.Unary) and current.op == "SIZE" or isinstance(current, S.BytesIn):
            continue
        yield current
        for name in _child_fields(type(current)):
            value = getattr(current, name)
            if isinstance(value, S.Node):
                stack.append(value)
            elif isinstance(value, list):
                stack.extend(v for v in value if isinstance(v, S.Node))


class Flow:
    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.tracked: set[int] = set()
        self.warned: set[int] = set()
        # id(PROC symbol) -> tracked variables from outside it that its body may set.
        self.sets_free: dict[int, set[int]] = {}

    # -- expressions

    def read(self, e: S.Node | None, state) -> None:
        if e is None or state is NEVER:
            return
        for node in _nodes(e):
            if isinstance(node, S.Name) and node.symbol is not None:
                key = id(node.symbol)
                if key in self.tracked and key not in state and key not in self.warned:
                    self.warned.add(key)
                    self.reporter.warning(node.span, f"variable `{node.name}' may be read before it is set")

    def set_target(self, e: S.Expr, state) -> None:
        """``e`` is assigned or input: subscripts are read, a plain name becomes set."""
        if state is NEVER:
            return
        if isinstance(e, S.Name):
            if e.symbol is not None:
                state.add(id(e.symbol))
            return
        if isinstance(e, S.CountedItem):
            self.set_target(e.count, state)
            self.set_target(e.array, state)
            return
        while isinstance(e, (S.Subscript, S.Slice)):
            if isinstance(e, S.Subscript):
                if not (
                    isinstance(e.index, S.Name)
                    and e.index.symbol is not None
                    and e.index.symbol.kind == "field"
                ):
                    self.read(e.index, state)
            else:
                self.read(e.start, state)
                self.read(e.count, state)
            e = e.base

    # -- specifications

    def specs(self, specs: list[S.Spec], state) -> None:
        for spec in specs:
            if isinstance(spec, S.VarDecl):
                if isinstance(T.base(spec.type), S.PrimType):  # scalars, named ones too
                    self.tracked.update(id(n.symbol) for n in spec.names if n.symbol is not None)
            elif isinstance(spec, S.Abbreviation):
                if spec.mode == "REF":
                    # Whatever the abbreviation does, count the abbreviated variable as set.
                    self.set_target(spec.value, state)
                    self.mark_root_set(spec.value, state)
                else:
                    self.read(spec.value, state)
            elif isinstance(spec, S.ProcDecl):
                # Free variables of a nested PROC are set by the time it is called.
                self.process(spec.body, set(self.tracked))
                self.sets_free[id(spec.name.symbol)] = self.written_in(spec.body) & self.tracked
            elif isinstance(spec, S.FunctionDecl):
                if isinstance(spec.body, S.Valof):
                    self.valof(spec.body, set(self.tracked))
                else:
                    for e in spec.body:
                        self.read(e, set(self.tracked))

    @staticmethod
    def mark_root_set(e: S.Expr, state) -> None:
        while isinstance(e, (S.Subscript, S.Slice)):
            e = e.base
        if state is not NEVER and isinstance(e, S.Name) and e.symbol is not None:
            state.add(id(e.symbol))

    def valof(self, valof: S.Valof, state) -> None:
        self.specs(valof.specs, state)
        state = self.process(valof.body, state)
        for e in valof.results:
            self.read(e, state)

    # -- processes

    def process(self, p: S.Process | None, state):
        """The set of certainly-set variables after ``p``, given those before."""
        if p is None or state is NEVER:
            return state
        return rule_for(self, "proc_", p)(p, state)

    def proc_Skip(self, p, state):
        return state

    def proc_Stop(self, p, state):
        return NEVER

    def proc_Specified(self, p: S.Specified, state):
        self.specs(p.specs, state)
        return self.process(p.body, state)

    def proc_Assign(self, p: S.Assign, state):
        for value in p.values:
            self.read(value, state)
        for target in p.targets:
            self.set_target(target, state)
        return state

    def proc_Output(self, p: S.Output, state):
        self.read(p.chan, state)
        for item in p.items:
            if not (isinstance(item, S.Name) and item.symbol is not None and item.symbol.kind == "tag"):
                self.read(item, state)
        return state

    def proc_Input(self, p: S.Input | S.ExtendedInput, state):
        self.read(p.chan, state)
        for item in p.items:
            if not (isinstance(item, S.Name) and item.symbol is not None and item.symbol.kind == "tag"):
                self.set_target(item, state)
        return state

    def proc_CaseInput(self, p: S.CaseInput | S.ExtendedCaseInput, state):
        self.read(p.chan, state)
        results = []
        for v in p.variants:
            branch = set(state)
            self.specs(v.specs, branch)
            for item in v.items:
                self.set_target(item, branch)
            results.append(self.process(v.after, self.process(v.body, branch)))
        return _meet(results)

    proc_ExtendedCaseInput = proc_CaseInput

    def proc_ExtendedInput(self, p: S.ExtendedInput, state):
        state = self.proc_Input(p, state)
        return self.process(p.after, self.process(p.during, state))

    def proc_Claim(self, p: S.Claim, state):
        self.read(p.chan, state)
        return self.process(p.body, state)

    def proc_Sync(self, p: S.Sync, state):
        self.read(p.barrier, state)
        return state

    def proc_Delay(self, p: S.Delay, state):
        self.read(p.time, state)
        return state

    def replicator(self, r: S.Replicator | None, state) -> bool:
        """Read the replicator's expressions; True if the body surely runs at least once."""
        if r is None:
            return True
        for e in (r.base, r.count, r.step):
            self.read(e, state)
        return isinstance(r.count.const, int) and r.count.const > 0

    def proc_Seq(self, p: S.Seq, state):
        runs = self.replicator(p.replicator, state)
        after = set(state)
        for b in p.body:
            after = self.process(b, after)
        return after if runs else state

    def proc_Par(self, p: S.Par, state):
        runs = self.replicator(p.replicator, state)
        results = [self.process(b, set(state)) for b in p.body]
        if any(r is NEVER for r in results):
            return NEVER
        union = set(state).union(*results)
        return union if runs else state

    def proc_If(self, p: S.If, state):
        self.replicator(p.replicator, state)
        results = []
        for c in p.choices:
            branch = set(state)
            self.specs(c.specs, branch)
            if c.nested is not None:
                results.append(self.process(c.nested, branch))
            else:
                self.read(c.condition, branch)
                results.append(self.process(c.body, branch))
        return _meet(results)

    def proc_While(self, p: S.While, state):
        self.read(p.condition, state)
        self.process(p.body, set(state))
        if isinstance(p.condition, S.Literal) and p.condition.const is True:
            return NEVER
        return state

    def proc_Case(self, p: S.Case, state):
        self.read(p.selector, state)
        results = []
        for option in p.options:
            branch = set(state)
            self.specs(option.specs, branch)
            results.append(self.process(option.body, branch))
        return _meet(results)

    def proc_Alt(self, p: S.Alt, state):
        self.replicator(p.replicator, state)
        results = []
        for a in p.alternatives:
            branch = set(state)
            self.specs(a.specs, branch)
            if a.nested is not None:
                results.append(self.process(a.nested, branch))
                continue
            if a.guard is not None:
                self.read(a.guard.precondition, branch)
                branch = self.process(a.guard.guard, branch)
            results.append(self.process(a.body, branch))
        return _meet(results)

    def written_in(self, body: S.Process) -> set[int]:
        """Every variable a process may set (its targets, inputs and calls' effects)."""
        found: set[int] = set()
        for node in S.walk(body):
            targets: list = []
            if isinstance(node, S.Assign):
                targets = node.targets
            elif isinstance(node, (S.Input, S.ExtendedInput, S.Variant)):
                targets = node.items
            elif isinstance(node, S.ProcCall) and node.proc.symbol is not None:
                found |= self.sets_free.get(id(node.proc.symbol), set())
                targets = node.args
            found.update(id(t.symbol) for t in targets if isinstance(t, S.Name) and t.symbol is not None)
        return found

    def proc_ProcCall(self, p: S.ProcCall, state):
        if p.proc.symbol is not None and state is not NEVER:
            state |= self.sets_free.get(id(p.proc.symbol), set())
        decl = p.proc.symbol.decl if p.proc.symbol is not None else None
        params = decl.params if isinstance(decl, S.ProcDecl) else []
        for i, arg in enumerate(p.args):
            param = params[i] if i < len(params) else None
            if param is not None and param.mode == "REF" and T.is_data(param.type):
                self.set_target(arg, state)
            else:
                self.read(arg, state)
        return state


def check_flow(program: S.Program, reporter: Reporter) -> None:
    Flow(reporter).specs(program.specs, set())
