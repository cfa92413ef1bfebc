"""The resolver and typer: names to Symbols, expressions to types and constants.

One pass in program order (occam is declare-before-use).  It sets ``Name.symbol``
on every name, ``Expr.type`` and ``Expr.const`` on every expression, and reports
the rules that need only names and types: undeclared and misused names, call
arity and argument kinds, type agreement, protocols, channel directions, VAL and
the abbreviation alias rule (:mod:`cspc.check.aliases`), FUNCTION purity.  Its
rules come in mixins: specifications (:mod:`cspc.check.declarations`),
expressions, communication, aliases; this module holds scopes, types,
processes and calls.  The usage rules that compare
whole processes (PAR) run afterwards in :mod:`cspc.check.usage`.

One file, over 600 lines: the Resolver's core (scopes, types, the process dispatch and calls);
its rule families are mixins of their own modules, listed above.
"""

from __future__ import annotations

from collections import Counter

from cspc import syntax as S
from cspc.check import types as T
from cspc.check.access import (
    described_end,
    direction_of,
    elements_read,
    is_mobile_var,
    paths_disjoint,
    root_and_path,
    root_name,
    rule_for,
)
from cspc.check.aliases import AliasRules
from cspc.check.claims import ClaimRules
from cspc.check.declarations import DeclarationRules
from cspc.check.expressions import ExpressionRules, declared_note
from cspc.check.placed import PlacementRules
from cspc.check.processes import ProcessRules
from cspc.check.protocols import CommunicationRules
from cspc.check.scopes import KIND_WORDS, Scopes
from cspc.diagnostics import Reporter

# Stands for an undeclared name after its first report, so it is reported once.
_UNDECLARED = S.Symbol("<undeclared>", "unknown", S.Skip())



def routine_words(function: S.FunctionDecl) -> str:
    """A FUNCTION as messages name it: `FUNCTION `f'', or a VALOF in an expression."""
    if function.name.name == VALOF_EXPRESSION:
        return "a VALOF in an expression"
    return f"FUNCTION `{function.name.name}'"

VALOF_EXPRESSION = "(VALOF ...)"  # the name of the FUNCTION that stands for a VALOF in an expression


class Resolver(
    DeclarationRules, ExpressionRules, CommunicationRules, AliasRules, ClaimRules, ProcessRules, PlacementRules
):
    """Names, types and the rules that need only them, in one pass over the program."""

    def __init__(self, reporter: Reporter, warn_unused: bool = False, predefined=None) -> None:
        self.reporter = reporter
        self.warn_unused = warn_unused
        self.scopes = Scopes(predefined)
        self.uses: Counter[int] = Counter()  # id(symbol) -> references
        self.tags: dict[int, dict[str, S.Symbol]] = {}  # id(protocol symbol) -> tags
        self.fields: dict[int, dict[str, S.Symbol]] = {}  # id(record symbol) -> fields
        self.alias_checks = True  # off for `#OPTION "A"'
        self.init_alias_rules()
        self.init_claim_rules()
        self.init_process_rules()
        self.functions: list[tuple[S.FunctionDecl, int]] = []  # enclosing FUNCTIONs
        self.declaring: list[str] = []  # the routines whose bodies are being checked, not RECURSIVE
        self.user_operators: set[str] = set()  # operators some FUNCTION defines (`INT FUNCTION "+"')
        self.pending_python: str | None = None  # a `#PRAGMA PYTHON` waiting for its PROC
        self.allocating = False  # typing the `MOBILE T' of `cli, svr := MOBILE T'
        self.unevaluated = 0  # > 0 in what never runs: `FALSE AND e', `TRUE OR e', a FALSE guard

    # ------------------------------------------------------------------ reporting

    def error(self, span, message, *notes) -> None:
        self.reporter.error(span, message, *notes)

    def first_time(self, seen: dict, key, node, message: str) -> bool:
        """Record ``node`` under ``key`` and say True; if ``key`` was seen before,
        report ``message`` with a note at the first place and say False."""
        first = seen.get(key)
        if first is not None:
            self.error(node.span, message, (first.span, "first here"))
            return False
        seen[key] = node
        return True

    # ------------------------------------------------------------------ entry

    def program(self, program: S.Program) -> None:
        self.alias_checks = "A" not in program.options
        self.specs(program.specs)

    # ------------------------------------------------------------------ scopes

    def open_scope(self) -> None:
        self.scopes.push()

    def close_scope(self) -> None:
        depth = self.scopes.depth
        scope = self.scopes.pop()
        self.release_held(depth)
        if self.warn_unused:
            for symbol in scope.declared:
                if self.uses[id(symbol)] == 0 and isinstance(
                    symbol.decl, (S.VarDecl, S.Abbreviation, S.ProcDecl, S.FunctionDecl)
                ):
                    self.reporter.warning(symbol.span, f"`{symbol.name}' is declared but never used")

    def declare(self, name: S.Name, kind: str, decl, type_=None, direction=None) -> S.Symbol:
        symbol = S.Symbol(name.name, kind, decl, type_, direction, span=name.span)
        name.symbol = symbol
        name.type = type_
        return self.scopes.declare(symbol)

    def scoped(self, specs, body) -> None:
        """Run ``body()`` inside a new scope opened by ``specs``."""
        self.open_scope()
        self.specs(specs)
        body()
        self.close_scope()

    def lookup(self, name: S.Name) -> S.Symbol | None:
        symbol = self.scopes.lookup(name.name)
        if symbol is None:
            near = self.scopes.nearest(name.name)
            hint = f": did you mean `{near}'?" if near else ""
            if name.name in self.declaring:
                hint = " here: a PROC or FUNCTION that calls itself must be declared RECURSIVE"
            self.error(name.span, f"undeclared name `{name.name}'{hint}")
            self.scopes.hide(name.name, _UNDECLARED)
            return None
        if symbol is _UNDECLARED:
            return None
        name.symbol = symbol
        self.uses[id(symbol)] += 1
        return symbol

    def no_duplicates(self, names: list[S.Name], what: str) -> None:
        seen: dict[str, S.Name] = {}
        for name in names:
            if name.name in seen:
                self.error(
                    name.span,
                    f"`{name.name}' is declared twice in one {what}",
                    (seen[name.name].span, "first declared here"),
                )
            else:
                seen[name.name] = name

    # ------------------------------------------------------------------ types

    def type_(self, t: S.Type, open_ok: bool = False, run_time_ok: bool = False,
              mobiles_ok: bool = False) -> S.Type:
        """Resolve the names in a written type and fold its array sizes.  For
        `MOBILE t' the result is t, the type of the mobile's values (an open size
        in t makes a dynamic mobile array).  ``run_time_ok``: the sizes may be
        computed as the program runs (the new name of a RETYPES or RESHAPES).
        ``mobiles_ok``: arrays of mobiles may be declared here (a variable,
        parameter or abbreviation; not a protocol, field or named type)."""
        if isinstance(t, S.MobileType):
            return self.mobile_type(t)
        if isinstance(t, S.ArrayType):
            if t.size is None:
                if not open_ok:
                    self.error(t.span, "an array declaration needs a size")
            elif run_time_ok:
                self.run_time_size(t.size)
            else:
                self.const_int(t.size, "array size", minimum=0)
            self.type_(t.elem, open_ok, run_time_ok, mobiles_ok)
            self.mobile_elements(t, mobiles_ok)
        elif isinstance(t, S.NamedType):
            symbol = self.lookup(t.name)
            if symbol is not None and symbol.kind not in ("record", "protocol", "proc type"):
                self.error(
                    t.name.span, f"`{symbol.name}' is {KIND_WORDS.get(symbol.kind, symbol.kind)}, not a type"
                )
        elif isinstance(t, S.ChanType):
            self.protocol(t.protocol)
        elif isinstance(t, S.EndType):
            symbol = self.lookup(t.name)
            if symbol is not None and symbol.kind != "chantype":
                self.error(t.name.span, f"`{symbol.name}{t.direction}' names an end of a CHAN TYPE, "
                                        f"and `{symbol.name}' is {KIND_WORDS.get(symbol.kind, symbol.kind)}")
                t.name.symbol = None
        elif isinstance(t, S.CountedArray):
            self.type_(t.count)
            if not T.is_integer(T.base(t.count)):
                self.error(
                    t.span, f"the count of a counted array must be an integer type, not {T.type_str(t.count)}"
                )
            self.type_(t.elem, open_ok=True)
        return t

    def mobile_elements(self, t: S.ArrayType, mobiles_ok: bool) -> None:
        """An array whose elements are mobiles (`[3]MOBILE []INT', `[4]FOO!'):
        declared as variables, parameters and abbreviations; its elements
        are mobile data or ends of CHAN TYPEs."""
        elem = t.elem
        if isinstance(elem, S.EndType):
            what = "arrays of CHAN TYPE ends"
        elif isinstance(elem, S.MobileType):
            what = "arrays of mobiles"
            if isinstance(elem.inner, S.BarrierType):
                self.error(elem.span, "arrays of mobile barriers are not supported yet")
                return
            if T.is_process_type(elem.inner):
                self.error(elem.span, "arrays of mobile processes are not supported yet")
                return
        else:
            return
        if not mobiles_ok:
            self.error(elem.span, f"{what} are declared as variables, parameters or abbreviations: "
                                  "they cannot be communicated, nor be fields or named types, in cspc")

    def mobile_type(self, t: S.MobileType) -> S.Type:
        """`MOBILE t': t must be data or a BARRIER (mobile channel types and
        processes are other occam-pi features)."""
        inner = t.inner
        if isinstance(inner, S.MobileType):
            self.error(t.span, "MOBILE MOBILE: a type is mobile once")
            return self.type_(inner.inner, open_ok=True)
        if isinstance(inner, S.ArrayType) and T.has_mobile_elements(inner):
            self.error(t.span, "a mobile array of mobiles (`MOBILE []MOBILE ...') is not supported yet: "
                               "declare an array of them, `[n]MOBILE []T a:'")
            return self.type_(inner, open_ok=True, mobiles_ok=True)
        self.type_(inner, open_ok=True)
        if T.is_mobile(inner):
            self.error(t.span, f"`{T.type_str(inner)}' is mobile already")
        elif isinstance(inner, S.BarrierType):
            pass  # a mobile barrier
        elif not T.is_data(inner):
            what = "arrays of mobile barriers" if T.is_barrier(inner) else "only data can be MOBILE"
            self.error(t.span, f"`MOBILE {T.type_str(inner)}' is not supported yet ({what})")
        elif isinstance(T.strip_arrays(inner), S.NamedType):
            symbol = T.strip_arrays(inner).name.symbol
            if symbol is not None and symbol.kind == "proc type" and inner is not T.strip_arrays(inner):
                self.error(t.span, "arrays of mobile processes are not supported yet")
            if symbol is not None and symbol.kind == "protocol":
                self.error(t.span, f"`{symbol.name}' is a PROTOCOL, not data: it cannot be MOBILE")
        return inner

    def protocol(self, p: S.Type) -> None:
        if isinstance(p, (S.AnyProtocol, S.PrimType)):
            return
        self.type_(p, open_ok=isinstance(p, S.CountedArray))

    def run_time_size(self, e: S.Expr) -> None:
        """An array size that may be computed as the program runs: an integer,
        not negative if it is a constant."""
        self.expr(e, T.INT)
        if T.is_unknown(e.type):
            return
        if not T.is_integer(e.type):
            self.error(e.span, f"array size must be an integer, not {T.type_str(e.type)}")
        elif e.const is not None and e.const < 0:
            self.error(e.span, f"array size must not be negative ({e.const})")

    def const_int(self, e: S.Expr, what: str, minimum: int | None = None) -> int | None:
        self.expr(e, T.INT)
        if T.is_unknown(e.type):
            return None
        if not T.is_integer(e.type):
            self.error(e.span, f"{what} must be an integer, not {T.type_str(e.type)}")
            return None
        if e.const is None:
            self.error(e.span, f"{what} must be a constant")
            return None
        if minimum is not None and e.const < minimum:
            self.error(e.span, f"{what} must not be negative ({e.const})")
        return e.const

    def expect(self, e: S.Expr, want: S.Type, context: str) -> S.Type:
        """Type ``e`` in a context that needs ``want``; report a mismatch."""
        got = self.expr(e, want)
        if not T.same_type(got, want):
            self.error(e.span, f"type mismatch in {context}: {T.type_str(want)} and {T.type_str(got)}")
        return got

    def condition(self, e: S.Expr, what: str) -> None:
        got = self.expr(e, T.BOOL)
        if not T.is_unknown(got) and T.prim(got) != "BOOL":
            self.error(e.span, f"{what} must be BOOL, not {T.type_str(got)}")

    # ------------------------------------------------------------------ function purity

    def in_function(self) -> S.FunctionDecl | None:
        return self.functions[-1][0] if self.functions else None

    def no_side_effect(self, span, what: str) -> None:
        function = self.in_function()
        if function is not None:
            self.error(span, f"{routine_words(function)} cannot {what}")

    # ------------------------------------------------------------------ elements

    def reference(self, e: S.Expr, how: str, writing: bool) -> None:
        """``e`` is assigned, input to, or passed/abbreviated by reference."""
        name = root_name(e)
        if name is None:
            if not T.is_unknown(e.type):
                self.error(e.span, f"only a variable can be {how}")
            return
        symbol = name.symbol
        if symbol is None:
            return
        if symbol.kind == "value":
            self.error(e.span, f"`{symbol.name}' is VAL and cannot be {how}")
            return
        if symbol.kind not in ("variable", "abbreviation") and not (
            how == "abbreviated" and symbol.kind in ("channel", "timer", "barrier")
        ) and not (symbol.kind == "barrier" and symbol.mobile):  # a MOBILE BARRIER moves like data
            self.error(
                e.span, f"`{symbol.name}' is {KIND_WORDS.get(symbol.kind, symbol.kind)} and cannot be {how}"
            )
            return
        if writing:
            self.alias_change(e, how)
        function = self.functions[-1] if self.functions else None
        if function is not None and self.scopes.declared_depth(symbol) < function[1]:
            self.error(
                e.span,
                f"{routine_words(function[0])} cannot change `{symbol.name}', "
                "which is declared outside it",
            )

    # ------------------------------------------------------------------ processes

    def process(self, p: S.Process) -> None:
        rule_for(self, "proc_", p)(p)

    def proc_Skip(self, p) -> None:
        pass

    def proc_Stop(self, p) -> None:
        pass

    def proc_Specified(self, p: S.Specified) -> None:
        self.scoped(p.specs, lambda: self.process(p.body))

    def proc_Assign(self, p: S.Assign) -> None:
        if len(p.values) == 1:
            self.mobile_named(p.values[0])
        if len(p.values) == 1 and isinstance(p.values[0], S.EndsAllocation):
            self.ends_allocation(p, p.values[0])
            return
        targets = [self.expr(t) for t in p.targets]
        for t in p.targets:
            self.reference(t, "assigned to", writing=True)
        if len(p.values) == 1 and len(p.targets) > 1 and isinstance(p.values[0], (S.Call, S.ValofExpr)):
            got = self.expr(p.values[0])
            results = got.types if isinstance(got, T.ResultsType) else [got]
            if not T.is_unknown(got) and len(results) != len(targets):
                self.error(p.span, f"assignment of {len(results)} value(s) to {len(targets)} variable(s)")
                return
            for target, result in zip(p.targets, results):
                if not T.same_type(target.type, result):
                    self.error(
                        target.span,
                        f"type mismatch in assignment: {T.type_str(target.type)} and "
                        f"{T.type_str(result)}",
                    )
            return
        if len(p.values) != len(p.targets):
            self.error(p.span, f"assignment of {len(p.values)} value(s) to {len(p.targets)} variable(s)")
        for target, value in zip(p.targets, p.values):
            self.assign_value(target, value)
            if self.moves(target, value):  # `a, b := b, a' moves both (each is given back a value)
                self.move(value)
        for value in p.values[len(p.targets) :]:
            self.expr(value)

    def mobile_named(self, e: S.Expr) -> None:
        """`MOBILE name' parses as an EndsAllocation (a CHAN TYPE's bundle); when
        the name is a PROC's, it is a mobile process: the node becomes a
        ProcessAllocation (both have just ``name``)."""
        if isinstance(e, S.EndsAllocation):
            symbol = self.scopes.lookup(e.name.name)
            if symbol is not None and getattr(symbol, "kind", None) == "proc":
                e.__class__ = S.ProcessAllocation

    def ends_allocation(self, p: S.Assign, e: S.EndsAllocation) -> None:
        """`cli, svr := MOBILE T': a client end `T!' and a server end `T?' (either
        SHARED, in either order) are given the two ends of a new bundle."""
        targets = [self.expr(t) for t in p.targets]
        for t in p.targets:
            self.reference(t, "assigned to", writing=True)
        self.allocating = True
        made = self.expr(e)
        self.allocating = False
        if T.is_unknown(made):
            return
        chantype = e.name.name
        usage = f"`cli, svr := MOBILE {chantype}', cli a `{chantype}!' and svr a `{chantype}?'"
        if len(p.targets) != 2:
            self.error(p.span, f"`MOBILE {chantype}' makes two ends, given to two variables: {usage}")
            return
        directions = []
        for target, t in zip(p.targets, targets):
            if T.is_unknown(t):
                return
            if not isinstance(t, S.EndType) or t.name.symbol is not e.name.symbol:
                self.error(target.span, f"type mismatch in assignment: an end of `{chantype}' "
                                        f"and {T.type_str(t)}", *declared_note(target))
                return
            directions.append(t.direction)
        if sorted(directions) != ["!", "?"]:
            self.error(p.span, f"`MOBILE {chantype}' gives one client end and one server end: {usage}")

    def assign_value(self, target: S.Expr, value: S.Expr) -> None:
        got = self.expr(value, target.type)
        if T.has_mobile_elements(target.type) and not T.is_unknown(got):
            self.error(target.span, f"an array of mobiles ({T.type_str(target.type)}) is not assigned whole "
                                    "in cspc: assign (move) its elements one by one", *declared_note(target))
            return
        if isinstance(got, T.ResultsType):
            self.error(value.span, "a FUNCTION with several results needs a multiple assignment")
        elif not T.same_type(target.type, got):
            self.error(
                value.span,
                f"type mismatch in assignment: {T.type_str(target.type)} and {T.type_str(got)}",
                *declared_note(target),
            )

    # -- constructors

    def replicated(self, r: S.Replicator | None, body, constant_count: bool = False) -> None:
        if r is None:
            body()
            return
        self.expect(r.base, T.INT, "replicator base")
        self.expect(r.count, T.INT, "replicator count")
        if constant_count and isinstance(r.count.const, int) and r.count.const < 0:
            # occam-pi: a PAR's count may be computed as it runs (`PAR i = 0 FOR SIZE m'),
            # as in KRoC; a constant one must not be negative.
            self.error(r.count.span, f"the replicator count of a PAR must not be negative ({r.count.const})")
        if r.step is not None:
            self.expect(r.step, T.INT, "replicator step")
        self.open_scope()
        symbol = S.Symbol(r.name.name, "value", r, T.INT, span=r.name.span)
        r.name.symbol = symbol
        r.name.type = T.INT
        self.scopes.stack[-1].names[symbol.name] = symbol
        self.scopes.depth_of[id(symbol)] = self.scopes.depth
        body()
        self.close_scope()

    def proc_Seq(self, p: S.Seq) -> None:
        self.replicated(p.replicator, lambda: [self.process(b) for b in p.body])

    def proc_Par(self, p: S.Par) -> None:
        self.no_side_effect(p.span, "contain a PAR")
        for name in p.enroll:
            symbol = self.lookup(name)
            if symbol is not None and symbol.kind != "barrier":
                self.error(name.span, f"a PAR ENROLLs barriers: `{name.name}' is "
                                      f"{KIND_WORDS.get(symbol.kind, symbol.kind)}")
        self.replicated(p.replicator, lambda: self.par_body(p), constant_count=True)

    def par_body(self, p: S.Par) -> None:
        self.processor_numbers(p)  # a PLACED PAR's
        for b in p.body:
            self.process(b)

    def proc_If(self, p: S.If) -> None:
        self.replicated(p.replicator, lambda: [self.choice(c) for c in p.choices])

    def choice(self, c: S.Choice) -> None:
        def body() -> None:
            if c.nested is not None:
                self.process(c.nested)
                return
            self.condition(c.condition, "an IF condition")
            self.process(c.body)

        self.no_writing_retypes(c.specs, "an IF choice")
        self.scoped(c.specs, body)

    def proc_While(self, p: S.While) -> None:
        self.condition(p.condition, "a WHILE condition")
        self.process(p.body)

    def proc_Case(self, p: S.Case) -> None:
        selector = self.expr(p.selector)
        shape = T.base(selector)  # a named integer or BOOL type selects as its base
        strings = T.is_string(shape)  # occam-pi: a []BYTE selects among strings
        if not T.is_unknown(selector) and not (T.is_integer(shape) or T.prim(shape) == "BOOL" or strings):
            self.error(
                p.selector.span,
                f"a CASE selector must be an integer, BYTE, BOOL or a string ([]BYTE), not "
                f"{T.type_str(selector)}",
            )
            selector = T.UNKNOWN
        seen: dict[object, S.Expr] = {}
        elses: list[S.Option] = []
        for option in p.options:
            if option.is_else:
                if elses:
                    self.error(option.span, "CASE has more than one ELSE", (elses[0].span, "first ELSE here"))
                elses.append(option)

            def body(option=option) -> None:
                for value in option.values:
                    if strings:  # any length: a string of another length just does not match
                        got = self.expr(value)
                        if not T.is_unknown(got) and not T.is_string(T.base(got)):
                            self.error(value.span, f"type mismatch in CASE option: a string ([]BYTE) "
                                                   f"and {T.type_str(got)}")
                            continue
                    else:
                        self.expect(value, selector, "CASE option")
                    if T.is_unknown(value.type):
                        continue
                    if value.const is None:
                        self.error(value.span, "a CASE option must be a constant")
                    else:
                        key = bytes(value.const) if strings else value.const
                        shown = '"' + key.decode("latin-1") + '"' if strings else key
                        self.first_time(seen, key, value, f"CASE option {shown} appears twice")
                self.process(option.body)

            self.scoped(option.specs, body)

    def proc_Alt(self, p: S.Alt) -> None:
        self.no_side_effect(p.span, "contain an ALT")
        self.replicated(p.replicator, lambda: [self.alternative(a) for a in p.alternatives])

    def alternative(self, a: S.Alternative) -> None:
        def body() -> None:
            if a.nested is not None:
                self.process(a.nested)
                return
            guard = a.guard
            if guard is not None:
                never = False
                if guard.precondition is not None:
                    self.condition(guard.precondition, "an ALT guard's precondition")
                    never = guard.precondition.const is False
                # A guard whose precondition is FALSE is never evaluated: a
                # constant subscript of its channel is not range-checked.
                with self.never_evaluated(never):
                    self.guard(guard.guard)
            if a.body is not None:
                self.process(a.body)

        self.no_writing_retypes(a.specs, "an ALT guard")
        self.scoped(a.specs, body)

    def no_writing_retypes(self, specs: list[S.Spec], before: str) -> None:
        for spec in specs:
            if isinstance(spec, S.Abbreviation) and spec.retypes is not None and spec.mode == "REF":
                self.error(spec.span, f"cspc does not support a {spec.retypes} of a variable before {before}: "
                                      f"move it into the process that uses it")

    def guard(self, g) -> None:
        if isinstance(g, S.Input) and self.is_timer_read(g):
            self.error(g.span, "a timer read cannot be an ALT guard: use `tim ? AFTER t'")
            g.timer = True
            self.timer_read(g)
        elif g is not None:
            self.process(g)

    # -- calls

    def proc_ProcCall(self, p: S.ProcCall) -> None:
        symbol = self.lookup(p.proc)
        if symbol is None:
            for arg in p.args:
                self.expr(arg)
            return
        if symbol.mobile and T.is_process_type(symbol.type):
            self.activation(p, symbol)
            return
        if symbol.kind == "proc" and isinstance(symbol.decl, S.ProcDecl) and symbol.decl.implements is not None:
            self.error(p.proc.span, f"`{symbol.name}' is a MOBILE PROC: it runs as a mobile process "
                                    f"(`m := MOBILE {symbol.name}', then `m (...)'), not by a call")
            for arg in p.args:
                self.expr(arg)
            return
        if symbol.kind != "proc":
            self.error(
                p.proc.span, f"`{symbol.name}' is {KIND_WORDS.get(symbol.kind, symbol.kind)}, not a PROC"
            )
            for arg in p.args:
                self.expr(arg)
            return
        self.arguments(symbol, symbol.decl.params, p.args, p.span)
        self.alias_call(symbol, p.span)
        self.no_side_effect_through(symbol, p.span)

    def no_side_effect_through(self, callee: S.Symbol, span) -> None:
        """Inside a FUNCTION, a PROC called may not change what the FUNCTION
        may not: a variable declared outside the FUNCTION."""
        if not self.functions:
            return
        function, depth = self.functions[-1]
        for use in self.free_uses.get(id(callee), []):
            if use.written and self.scopes.declared_depth(use.symbol) < depth:
                self.error(
                    span,
                    f"{routine_words(function)} cannot call `{callee.name}' here: it changes "
                    f"`{use.symbol.name}', which is declared outside the FUNCTION",
                )
                return

    def arguments(self, callee: S.Symbol, params: list[S.Param], args: list[S.Expr], span) -> None:
        what = {"proc": "PROC", "function": "FUNCTION"}.get(callee.kind, "mobile process")
        if len(params) != len(args):
            takes = f"{len(params)} parameter{'' if len(params) == 1 else 's'}"
            given = f"{len(args)} {'is' if len(args) == 1 else 'are'} given"
            self.error(span, f"{what} `{callee.name}' takes {takes}, but {given}", (callee.span, "declared here"))
            # Which argument was meant for which parameter is anybody's guess:
            # the arguments are checked on their own, not against the parameters.
            for arg in args:
                self.expr(arg)
            return
        for param, arg in zip(params, args):
            self.actual(callee, param, arg)
        self.no_aliasing(callee, params, args)

    def actual(self, callee: S.Symbol, param: S.Param, arg: S.Expr) -> None:
        formal = param.type
        context = f"parameter `{param.name.name}' of `{callee.name}'"
        if param.mode == "VAL":
            got = self.as_plain_array(arg, self.expr(arg, formal), formal)
            if not T.same_type(formal, got):
                self.error(
                    arg.span,
                    f"type mismatch for {context}: {T.type_str(formal)} and {T.type_str(got)}",
                    (param.name.span, f"`{param.name.name}' is declared {T.type_str(formal)} here"),
                )
            return
        got = self.as_plain_array(arg, self.expr(arg, formal if T.is_data(formal) else None), formal)
        if T.is_unknown(got):
            return
        if T.is_channel(formal):
            self.channel_actual(param, arg, got, context)
        elif T.is_timer(formal) or T.is_barrier(formal) and not T.is_mobile(formal):
            if not T.same_type(formal, got):
                self.error(arg.span, f"{context} needs {T.type_str(formal)}, not {T.type_str(got)}")
        elif T.is_mobile(formal) and not is_mobile_var(arg):
            self.error(arg.span, f"{context} is {T.type_str(formal)}: it needs a MOBILE variable",
                       (param.name.span, f"`{param.name.name}' is declared {T.type_str(formal)} here"))
        else:
            self.reference(arg, f"passed to reference {context}", writing=True)
            if not T.same_type(formal, got):
                self.error(
                    arg.span,
                    f"type mismatch for {context}: {T.type_str(formal)} and {T.type_str(got)}",
                    (param.name.span, f"`{param.name.name}' is declared {T.type_str(formal)} here"),
                )

    @staticmethod
    def as_plain_array(arg: S.Expr, got, formal):
        """A mobile of a named mobile type (`RASTER', `DATA TYPE RASTER IS MOBILE
        [][]INT:') passed for a parameter that is not mobile is taken as the
        array it holds, as KRoC does (`[][]INT raster' given a RASTER)."""
        if (is_mobile_var(arg)
                and isinstance(got, S.NamedType) and T.is_mobile(got) and not T.is_mobile(formal)
                and isinstance(T.base(got), S.ArrayType)):
            return T.base(got)
        return got

    def channel_actual(self, param: S.Param, arg: S.Expr, got, context: str) -> None:
        if not T.is_channel(got):
            self.error(arg.span, f"{context} needs a channel, not {T.type_str(got)}")
            return
        self.no_side_effect(arg.span, "communicate")
        self.end_claimed(arg, "pass")
        if not T.passes_for(param.type, got, param.direction):
            self.error(
                arg.span, f"type mismatch for {context}: {T.type_str(param.type)} and {T.type_str(got)}"
            )
        given = direction_of(arg)
        if param.direction is None or given is None or given == param.direction:
            self.shared_actual(param, arg, context)
            return
        verb = "input" if param.direction == "?" else "output"
        name = root_name(arg)
        label = name.name if name is not None else "?"
        if isinstance(arg, S.ChanEnd):
            self.error(arg.span, f"channel end `{label}{given}' passed for {verb} {context}")
        else:
            self.error(arg.span, f"{described_end(name)} cannot be used for {verb}")

    def no_aliasing(self, callee: S.Symbol, params: list[S.Param], args: list[S.Expr]) -> None:
        """A reference actual shares storage with no other actual of the same call.

        occam treats actuals as abbreviations: two reference actuals may not
        overlap, nor may a reference actual be read by a VAL actual.
        """
        if not self.alias_checks:
            return
        references: list[tuple[S.Symbol, list, S.Expr]] = []
        values: list[tuple[S.Symbol, list, S.Expr]] = []
        for param, arg in zip(params, args):
            if param.mode == "VAL":
                values.extend(elements_read(arg))
                continue
            if not T.is_data(param.type):
                continue
            symbol, path = root_and_path(arg)
            if symbol is None:
                continue
            for other_symbol, other_path, other_arg in references:
                if other_symbol is symbol and not paths_disjoint(path, other_path):
                    self.error(
                        arg.span,
                        f"`{symbol.name}' is passed twice by reference to `{callee.name}' "
                        "(the actuals alias)",
                        (other_arg.span, "also passed here"),
                    )
            references.append((symbol, path, arg))
        for symbol, path, arg in references:
            for other_symbol, other_path, other in values:
                if other_symbol is symbol and not paths_disjoint(path, other_path):
                    self.error(
                        arg.span,
                        f"`{symbol.name}' is passed by reference to `{callee.name}' and also read by "
                        "a VAL actual (the actuals alias)",
                        (other.span, "read here"),
                    )
                    break

