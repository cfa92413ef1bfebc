"""A warning for a variable that may be read before anything sets it, and
occam-pi's undefined-ness check of mobiles.

A forward pass over each process with the set of scalar variables that are
certainly set at each point (assignment, input and reference-parameter passing
set them).  IF, CASE and ALT keep only what every branch sets; PAR keeps what
any branch sets (all branches finish); a WHILE or a replicated SEQ that may run
zero times sets nothing for what follows it.  Arrays and records are not
tracked (their elements are set one by one), nor are parameters and
abbreviations (their values come from outside).

Mobiles are tracked the same way, with a second kind of fact, ``("moved", k)``:
mobile k is certainly undefined (moved away by `a := k` or `c ! k`, or a
dynamic mobile array not allocated yet).  A use of a mobile that is certainly
undefined is an error; one that may be undefined (on some path only, or on a
loop's next iteration) a warning.  `DEFINED m` and passing m to a MOBILE
parameter are no uses; `#PRAGMA DEFINED m` tells the check that m is defined
there.  Mobile parameters are defined when the PROC starts.

The elements of a declared array of mobiles (`[4]MOBILE []INT a:`) are tracked
by constant subscript, and only to find certain errors: ``("moved", (k, i))``
says element i of array k is certainly undefined (every element of an array
of dynamic mobiles, as declared; `a[2]' after `c ! a[2]').  A subscript that
is no constant may be any element: setting `a[i]' forgets what was known of
every element, moving it away adds nothing, and using it is an error only
when every element is certainly undefined.  Element uses that may be
undefined get no warning: the run-time check (which names the line) covers
them.  Passing the whole array to a PROC, or abbreviating it, forgets what
was known of its elements.
"""

from __future__ import annotations

from dataclasses import fields

from cspc import syntax as S
from cspc.check import layout as L
from cspc.check import types as T
from cspc.check.access import is_mobile_var, mobile_label, rule_for
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


def _moved(key: int) -> tuple:
    """The fact "mobile ``key`` is certainly undefined"."""
    return ("moved", key)


def _settle(state):
    """A mobile moved on one path of a PAR is not defined after it."""
    if state is not NEVER:
        state -= {fact[1] for fact in state if isinstance(fact, tuple)}
    return state


# The largest array of mobiles whose elements are tracked one by one.
_MOST_ELEMENTS = 1024


def _element(array: int, index: int) -> tuple:
    """The key of element ``index`` of the array of mobiles whose symbol's id is ``array``."""
    return (array, index)


def _mobile_uses(node: S.Node):
    """The mobiles (names and elements of arrays of mobiles) whose values
    ``node`` uses (not under DEFINED)."""
    for current in _walk(node, lambda n: isinstance(n, S.Defined)):
        if is_mobile_var(current):
            yield current


_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in fields(cls) if f.name not in ("span", "symbol", "type"))
        _FIELDS[cls] = names
    return names


def _nodes(node: S.Node):
    """The nodes under ``node`` that a read could reach (SIZE and BYTESIN read no values)."""
    return _walk(node, lambda n: isinstance(n, S.Unary) and n.op == "SIZE" or isinstance(n, S.BytesIn))


def _walk(node: S.Node, skip):
    """``node`` and the nodes under it, leaving out those ``skip`` picks and all under them."""
    stack = [node]
    while stack:
        current = stack.pop()
        if skip(current):
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
        self.mobiles: set[int] = set()  # tracked mobiles
        self.arrays: dict[int, int] = {}  # tracked arrays of mobiles: their sizes
        self.moved_at: dict = {}  # where each mobile (or element) was last moved away

    # -- expressions

    def read(self, e: S.Node | None, state) -> None:
        if e is None or state is NEVER:
            return
        for name in _mobile_uses(e):
            self.use_mobile(name, state)
        for node in _nodes(e):
            if isinstance(node, S.Name) and node.symbol is not None:
                key = id(node.symbol)
                if key in self.tracked and key not in state and key not in self.warned:
                    self.warned.add(key)
                    self.reporter.warning(node.span, f"variable `{node.name}' may be read before it is set")

    def use_mobile(self, name: S.Name | S.Subscript, state) -> None:
        """``name``, a mobile, is used here: it must be defined."""
        if isinstance(name, S.Subscript):
            self.use_element(name, state)
            return
        key = id(name.symbol)
        if key not in self.mobiles or key in state or key in self.warned:
            return
        self.warned.add(key)
        if _moved(key) not in state:
            self.reporter.warning(name.span, f"MOBILE `{name.name}' may be undefined here")
            return
        moved = self.moved_at.get(key)
        why = (f"it was moved away at line {moved.span.line}" if moved is not None
               else "it has no value until it is allocated or input")
        self.reporter.error(name.span, f"MOBILE `{name.name}' is undefined here: {why}")

    def tracked_element(self, e: S.Subscript) -> tuple[int, int | None] | None:
        """(array key, constant subscript or None) for an element of a tracked
        array of mobiles; None for any other element."""
        base = e.base
        if not (isinstance(base, S.Name) and base.symbol is not None and id(base.symbol) in self.arrays):
            return None
        index = e.index.const
        return id(base.symbol), index if isinstance(index, int) and not isinstance(index, bool) else None

    def use_element(self, e: S.Subscript, state) -> None:
        """An element of an array of mobiles is used: an error when it is certainly undefined."""
        tracked = self.tracked_element(e)
        if tracked is None or state is NEVER:
            return
        array, index = tracked
        indexes = range(self.arrays[array]) if index is None else [index]
        facts = [_moved(_element(array, k)) for k in indexes]
        if not facts or not all(fact in state for fact in facts):
            return
        warned = (array, index)
        if warned in self.warned:
            return
        self.warned.add(warned)
        label = mobile_label(e)
        if index is None:
            why = f"every element of `{e.base.name}' is undefined (moved away, or never allocated)"
        else:
            moved = self.moved_at.get(_element(array, index))
            why = (f"it was moved away at line {moved.span.line}" if moved is not None
                   else "it has no value until it is allocated or input")
        self.reporter.error(e.span, f"MOBILE `{label}' is undefined here: {why}")

    def define_element(self, e: S.Subscript, state) -> None:
        """An element is given a value: a constant subscript's element is
        defined, any other may be any element."""
        tracked = self.tracked_element(e)
        if tracked is None:
            return
        array, index = tracked
        if index is None:
            self.forget_elements(array, state)
        else:
            state.discard(_moved(_element(array, index)))

    def forget_elements(self, array: int, state) -> None:
        """Nothing is known any more of the elements of array ``array``."""
        if array in self.arrays:
            state -= {fact for fact in state if isinstance(fact, tuple) and isinstance(fact[1], tuple)
                      and fact[1][0] == array}

    def define(self, key: int, state) -> None:
        if state is not NEVER:
            state.add(key)
            state.discard(_moved(key))

    def move(self, e: S.Expr, state) -> None:
        """``e`` was moved away (``Name.moved``): undefined from here."""
        if state is NEVER or not (isinstance(e, (S.Name, S.Subscript)) and e.moved):
            return
        if isinstance(e, S.Subscript):
            tracked = self.tracked_element(e)
            if tracked is not None and tracked[1] is not None:
                state.add(_moved(_element(*tracked)))
                self.moved_at[_element(*tracked)] = e
            return
        if e.symbol is None:
            return
        key = id(e.symbol)
        if key in self.mobiles:
            state.discard(key)
            state.add(_moved(key))
            self.moved_at[key] = e

    def set_target(self, e: S.Expr, state) -> None:
        """``e`` is assigned or input: subscripts are read, a plain name becomes
        set; an element of a mobile uses the mobile."""
        if state is NEVER:
            return
        if isinstance(e, S.Name):
            if e.symbol is not None:
                self.define(id(e.symbol), state)
                self.forget_elements(id(e.symbol), state)  # an array of mobiles passed whole
            return
        if isinstance(e, S.Subscript) and e.mobile:
            self.define_element(e, state)
        root, inside = e.base if isinstance(e, (S.Subscript, S.Slice)) else e, False
        while True:
            if is_mobile_var(root):  # a part of a mobile is set: the mobile is used
                self.use_mobile(root, state)
                inside = True
            if not isinstance(root, (S.Subscript, S.Slice)):
                break
            root = root.base
        if isinstance(root, S.Name) and root.symbol is not None and not inside and not (
                isinstance(e, S.Subscript) and e.mobile):
            self.forget_elements(id(root.symbol), state)  # a slice of an array of mobiles
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
                if T.has_mobile_elements(spec.type):
                    for n in spec.names:
                        self.declare_elements(n, spec.type, state)
                elif T.is_mobile(spec.type):
                    for n in spec.names:
                        self.declare_mobile(n, state, defined=not T.is_dynamic(spec.type))
                elif isinstance(T.base(spec.type), S.PrimType):  # scalars, named ones too
                    self.tracked.update(id(n.symbol) for n in spec.names if n.symbol is not None)
            elif isinstance(spec, S.Pragma):
                for symbol in spec.symbols:  # `#PRAGMA DEFINED m'
                    self.define(id(symbol), state)
            elif isinstance(spec, S.Abbreviation) and spec.name.symbol is not None and spec.name.symbol.mobile:
                self.read(spec.value, state)
                self.move(spec.value, state)
                self.declare_mobile(spec.name, state, defined=True)
            elif isinstance(spec, S.Abbreviation):
                for size in L.run_time_sizes(spec):  # `[n][]INT m RESHAPES a:' reads n
                    self.read(size, state)
                if spec.mode == "REF":
                    # Whatever the abbreviation does, count the abbreviated variable as set.
                    self.set_target(spec.value, state)
                    self.mark_root_set(spec.value, state)
                else:
                    self.read(spec.value, state)
            elif isinstance(spec, S.ProcDecl):
                # Free variables of a nested PROC are set by the time it is called;
                # its mobile parameters hold what the caller passed.
                mobiles = {id(p.name.symbol) for p in spec.params
                           if p.name.symbol is not None and p.name.symbol.mobile}
                self.mobiles |= mobiles
                self.process(spec.body, set(self.tracked) | self.mobiles)
                self.sets_free[id(spec.name.symbol)] = self.written_in(spec.body) & self.tracked
            elif isinstance(spec, S.FunctionDecl):
                if isinstance(spec.body, S.Valof):
                    self.valof(spec.body, set(self.tracked))
                else:
                    for e in spec.body:
                        self.read(e, set(self.tracked))

    def declare_elements(self, name: S.Name, t: S.ArrayType, state) -> None:
        """`[n]MOBILE []T a:': its elements are tracked (dynamic ones start undefined)."""
        size = T.array_size(t)
        if (name.symbol is None or state is NEVER or size is None or size > _MOST_ELEMENTS
                or not T.is_mobile(t.elem)):
            return
        key = id(name.symbol)
        self.arrays[key] = size
        if T.is_dynamic(t.elem):
            state.update(_moved(_element(key, k)) for k in range(size))

    def declare_mobile(self, name: S.Name, state, defined: bool) -> None:
        if name.symbol is None or state is NEVER:
            return
        key = id(name.symbol)
        self.mobiles.add(key)
        if defined:
            self.define(key, state)
        else:
            state.add(_moved(key))

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
        for value in p.values:
            self.move(value, state)
        for target in p.targets:
            self.set_target(target, state)
        return state

    def proc_Output(self, p: S.Output, state):
        self.read(p.chan, state)
        for item in p.items:
            if not (isinstance(item, S.Name) and item.symbol is not None and item.symbol.kind == "tag"):
                self.read(item, state)
        for item in p.items:
            self.move(item, state)
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

    def proc_Resign(self, p: S.Resign, state):
        self.read(p.barrier, state)
        return self.process(p.body, state)

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
        if p.replicator is not None:
            after = self.again(lambda s: self.proc_Seq(S.Seq(p.body, span=p.span), s), state, after)
        return after if runs else self.without_moved(state, after)

    def again(self, body, before, after):
        """A loop's body once more, when its first time round moved a mobile
        away: the next iteration starts from what either left."""
        if after is NEVER or not any(key in self.mobiles and key not in after for key in before
                                     if not isinstance(key, tuple)):
            return after
        return body(_meet([before, after]))

    @staticmethod
    def without_moved(before, after):
        """After a loop that may not run: what holds both before and after it
        (a mobile it may have moved away, or given a value, is neither
        certainly defined nor certainly undefined)."""
        if after is NEVER:
            return before
        return _meet([before, after])

    def proc_Par(self, p: S.Par, state):
        runs = self.replicator(p.replicator, state)
        results = [self.process(b, set(state)) for b in p.body]
        if any(r is NEVER for r in results):
            return NEVER
        union = set(state).union(*results)
        for r in results:  # a mobile moved in any branch is not defined after
            union -= {key for key in state if key not in r}
        return _settle(union) if runs else self.without_moved(state, _settle(union))

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
        after = self.process(p.body, set(state))
        after = self.again(lambda s: self.process(p.body, s), state, after)
        if isinstance(p.condition, S.Literal) and p.condition.const is True:
            return NEVER
        return self.without_moved(state, after)

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

    def proc_Fork(self, p: S.Fork, state):
        """VAL actuals are read and mobiles moved into the forked process."""
        decl = p.call.proc.symbol.decl if p.call.proc.symbol is not None else None
        params = decl.params if isinstance(decl, S.ProcDecl) else []
        for i, arg in enumerate(p.call.args):
            param = params[i] if i < len(params) else None
            if param is not None and param.name.symbol is not None and param.name.symbol.mobile:
                for name in _mobile_uses(arg):
                    self.use_mobile(name, state)
                self.move(arg, state)
            else:
                self.read(arg, state)
        return state

    def proc_Forking(self, p: S.Forking, state):
        return self.process(p.body, state)

    def proc_Suspend(self, p: S.Suspend, state):
        return state

    def proc_ProcCall(self, p: S.ProcCall, state):
        if p.activates:
            self.use_mobile(p.proc, state)
        if p.proc.symbol is not None and state is not NEVER:
            state |= self.sets_free.get(id(p.proc.symbol), set())
        decl = p.proc.symbol.decl if p.proc.symbol is not None else None
        params = decl.params if isinstance(decl, S.ProcDecl) else []
        for i, arg in enumerate(p.args):
            param = params[i] if i < len(params) else None
            mobile_param = param is not None and param.name.symbol is not None and param.name.symbol.mobile
            if param is not None and param.mode == "REF" and T.is_data(param.type):
                if not mobile_param:  # a mobile passed for its value is used
                    for name in _mobile_uses(arg):
                        self.use_mobile(name, state)
                self.set_target(arg, state)
            else:
                self.read(arg, state)
        return state


def check_flow(program: S.Program, reporter: Reporter) -> None:
    Flow(reporter).specs(program.specs, set())
