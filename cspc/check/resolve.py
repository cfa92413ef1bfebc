"""The resolver and typer: names to Symbols, expressions to types and constants.

One pass in program order (occam is declare-before-use).  It sets ``Name.symbol``
on every name, ``Expr.type`` and ``Expr.const`` on every expression, and reports
the rules that need only names and types: undeclared and misused names, call
arity and argument kinds, type agreement, protocols, channel directions, VAL and
the abbreviation alias rule, FUNCTION purity.  The usage rules that compare
whole processes (PAR) run afterwards in :mod:`cspc.check.usage`.
"""

from __future__ import annotations

from collections import Counter

from cspc import syntax as S
from cspc.check import types as T
from cspc.check.access import direction_of, paths_disjoint, root_and_path, root_name
from cspc.check.constants import ConstError, fold_binary, fold_conversion, fold_unary
from cspc.check.literals import type_literal
from cspc.check.scopes import Scopes, kind_for
from cspc.diagnostics import Reporter

ARITHMETIC = {"+", "-", "*", "/", "\\", "REM"}
WRAPPING = {"PLUS", "MINUS", "TIMES"}
BITWISE = {"/\\", "\\/", "><", "BITAND", "BITOR"}
SHIFTS = {"<<", ">>"}
EQUALITY = {"=", "<>"}
ORDERING = {"<", ">", "<=", ">="}
BOOLEAN = {"AND", "OR"}

KIND_WORDS = {
    "proc": "a PROC",
    "function": "a FUNCTION",
    "protocol": "a PROTOCOL",
    "record": "a DATA TYPE",
    "tag": "a protocol tag",
    "field": "a record field",
    "channel": "a channel",
    "timer": "a TIMER",
    "barrier": "a BARRIER",
    "variable": "a variable",
    "abbreviation": "a variable",
    "value": "a VAL",
}

# Stands for an undeclared name after its first report, so it is reported once.
_UNDECLARED = S.Symbol("<undeclared>", "unknown", S.Skip())


def untyped(e: S.Expr) -> bool:
    """An expression whose type comes from its context: `3`, `-1`, `#FF /\\ 2`."""
    if isinstance(e, S.Literal):
        return e.kind in ("int", "byte", "real") and e.explicit is None
    if isinstance(e, S.Unary):
        return e.op in ("-", "MINUS", "~", "BITNOT") and untyped(e.operand)
    if isinstance(e, S.Binary):
        if e.op in SHIFTS:
            return untyped(e.left)
        if e.op in ARITHMETIC | WRAPPING | BITWISE:
            return untyped(e.left) and untyped(e.right)
    return False


class Resolver:
    def __init__(self, reporter: Reporter, warn_unused: bool = False) -> None:
        self.reporter = reporter
        self.warn_unused = warn_unused
        self.scopes = Scopes()
        self.uses: Counter[int] = Counter()  # id(symbol) -> references
        self.tags: dict[int, dict[str, S.Symbol]] = {}  # id(protocol symbol) -> tags
        self.fields: dict[int, dict[str, S.Symbol]] = {}  # id(record symbol) -> fields
        # id(abbreviated symbol) -> (abbreviation symbol, "VAL"/"REF", scope depth)
        self.abbreviated: dict[int, tuple[S.Symbol, str, int]] = {}
        self.functions: list[tuple[S.FunctionDecl, int]] = []  # enclosing FUNCTIONs

    # ------------------------------------------------------------------ reporting

    def error(self, span, message, *notes) -> None:
        self.reporter.error(span, message, *notes)

    # ------------------------------------------------------------------ entry

    def program(self, program: S.Program) -> None:
        for spec in program.specs:
            self.spec(spec)

    # ------------------------------------------------------------------ scopes

    def open_scope(self) -> None:
        self.scopes.push()

    def close_scope(self) -> None:
        depth = self.scopes.depth
        scope = self.scopes.pop()
        for key in [k for k, v in self.abbreviated.items() if v[2] == depth]:
            del self.abbreviated[key]
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
        for spec in specs:
            self.spec(spec)
        body()
        self.close_scope()

    def lookup(self, name: S.Name) -> S.Symbol | None:
        symbol = self.scopes.lookup(name.name)
        if symbol is None:
            self.error(name.span, f"undeclared name `{name.name}'")
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

    def type_(self, t: S.Type, open_ok: bool = False) -> S.Type:
        """Resolve the names in a written type and fold its array sizes."""
        if isinstance(t, S.ArrayType):
            if t.size is None:
                if not open_ok:
                    self.error(t.span, "an array declaration needs a size")
            else:
                self.const_int(t.size, "array size", minimum=0)
            self.type_(t.elem, open_ok)
        elif isinstance(t, S.NamedType):
            symbol = self.lookup(t.name)
            if symbol is not None and symbol.kind not in ("record", "protocol"):
                self.error(
                    t.name.span, f"`{symbol.name}' is {KIND_WORDS.get(symbol.kind, symbol.kind)}, not a type"
                )
        elif isinstance(t, S.ChanType):
            self.protocol(t.protocol)
        elif isinstance(t, S.CountedArray):
            self.type_(t.count)
            if not T.is_integer(t.count):
                self.error(
                    t.span, f"the count of a counted array must be an integer type, not {T.type_str(t.count)}"
                )
            self.type_(t.elem, open_ok=True)
        return t

    def protocol(self, p: S.Type) -> None:
        if isinstance(p, (S.AnyProtocol, S.PrimType)):
            return
        self.type_(p, open_ok=isinstance(p, S.CountedArray))

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

    # ------------------------------------------------------------------ specifications

    def spec(self, spec: S.Spec) -> None:
        getattr(self, "spec_" + type(spec).__name__)(spec)

    def spec_Pragma(self, spec: S.Pragma) -> None:
        pass

    def spec_VarDecl(self, spec: S.VarDecl) -> None:
        t = self.type_(spec.type)
        self.no_duplicates(spec.names, "declaration")
        if isinstance(T.strip_arrays(t), S.NamedType):
            symbol = T.strip_arrays(t).name.symbol
            if symbol is not None and symbol.kind == "protocol":
                self.error(spec.span, f"`{symbol.name}' is a PROTOCOL: declare a CHAN of it")
        for name in spec.names:
            self.declare(name, kind_for("var", t), spec, t)

    def spec_Abbreviation(self, spec: S.Abbreviation) -> None:
        declared = self.type_(spec.type, open_ok=True) if spec.type is not None else None
        if spec.mode == "REF":
            t = self.expr(spec.value)
            self.reference(spec.value, "abbreviated", writing=True)
        else:
            t = self.expr(spec.value, declared)
            if not T.is_unknown(t) and not T.is_data(t) and spec.mode == "VAL":
                self.error(spec.value.span, f"a VAL abbreviation needs a data value, not {T.type_str(t)}")
        if declared is not None and not T.same_type(declared, t):
            self.error(
                spec.value.span, f"type mismatch in abbreviation: {T.type_str(declared)} and {T.type_str(t)}"
            )
        if isinstance(t, T.ResultsType):
            self.error(spec.value.span, "a FUNCTION with several results cannot be abbreviated by one name")
            t = T.UNKNOWN
        # Keep the value's type when it knows more (a size) than the declared open one.
        if declared is not None and not (T.array_size(declared) is None and T.array_size(t) is not None):
            t = declared
        mode = {"VAL": "val", "REF": "ref", "INITIAL": "var"}[spec.mode]
        symbol = self.declare(spec.name, kind_for(mode, t), spec, t, direction_of(spec.value))
        self.note_abbreviated(spec, symbol)

    def note_abbreviated(self, spec: S.Abbreviation, symbol: S.Symbol) -> None:
        """occam's alias rule: the abbreviated name is out of bounds while the abbreviation lives."""
        if spec.mode == "INITIAL" or not isinstance(spec.value, (S.Name, S.ChanEnd)):
            return
        victim = root_name(spec.value)
        if victim is None or victim.symbol is None:
            return
        if victim.symbol.kind in ("variable", "abbreviation", "channel", "timer"):
            self.abbreviated[id(victim.symbol)] = (symbol, spec.mode, self.scopes.depth)

    def spec_ProtocolDecl(self, spec: S.ProtocolDecl) -> None:
        tags: dict[str, S.Symbol] = {}
        if spec.items is not None:
            for item in spec.items:
                self.protocol(item)
        for tag in spec.tags or []:
            for item in tag.items:
                self.protocol(item)
            if tag.name.name in tags:
                self.error(
                    tag.name.span,
                    f"tag `{tag.name.name}' appears twice in protocol `{spec.name.name}'",
                    (tags[tag.name.name].span, "first here"),
                )
                continue
            symbol = S.Symbol(tag.name.name, "tag", tag, None, span=tag.name.span)
            tag.name.symbol = symbol
            tags[tag.name.name] = symbol
        symbol = self.declare(spec.name, "protocol", spec)
        self.tags[id(symbol)] = tags
        for tag_symbol in tags.values():
            tag_symbol.decl.name.type = S.NamedType(spec.name, span=spec.name.span)

    def spec_DataTypeDecl(self, spec: S.DataTypeDecl) -> None:
        fields: dict[str, S.Symbol] = {}
        alias = self.type_(spec.alias) if spec.alias is not None else None
        for f in spec.fields or []:
            t = self.type_(f.type)
            if f.name.name in fields:
                self.error(
                    f.name.span,
                    f"field `{f.name.name}' appears twice in `{spec.name.name}'",
                    (fields[f.name.name].span, "first here"),
                )
                continue
            symbol = S.Symbol(f.name.name, "field", f, t, span=f.name.span)
            f.name.symbol = symbol
            f.name.type = t
            fields[f.name.name] = symbol
        symbol = self.declare(spec.name, "record", spec, alias)
        self.fields[id(symbol)] = fields

    def params(self, params: list[S.Param]) -> None:
        self.no_duplicates([p.name for p in params], "parameter list")
        for p in params:
            t = self.type_(p.type, open_ok=True)
            kind = "value" if p.mode == "VAL" else kind_for("ref", t)
            if p.direction is not None and kind != "channel":
                self.error(p.name.span, f"only a channel parameter can have a direction (`{p.name.name}')")
            symbol = S.Symbol(p.name.name, kind, p, t, p.direction, span=p.name.span)
            p.name.symbol = symbol
            p.name.type = t
            # Parameters are used by the caller; they never count as unused.
            self.scopes.stack[-1].names[symbol.name] = symbol
            self.scopes.depth_of[id(symbol)] = self.scopes.depth

    def spec_ProcDecl(self, spec: S.ProcDecl) -> None:
        symbol = S.Symbol(spec.name.name, "proc", spec, span=spec.name.span)
        spec.name.symbol = symbol
        if spec.recursive:
            self.scopes.declare(symbol)
        self.open_scope()
        self.params(spec.params)
        self.process(spec.body)
        self.close_scope()
        if not spec.recursive:
            self.scopes.declare(symbol)

    def spec_FunctionDecl(self, spec: S.FunctionDecl) -> None:
        symbol = S.Symbol(spec.name.name, "function", spec, span=spec.name.span)
        spec.name.symbol = symbol
        for t in spec.results:
            self.type_(t, open_ok=True)
        self.open_scope()
        self.params(spec.params)
        for p in spec.params:
            if p.mode != "VAL":
                self.error(p.name.span, f"FUNCTION parameter `{p.name.name}' must be VAL")
        self.functions.append((spec, self.scopes.depth))
        if isinstance(spec.body, S.Valof):
            self.valof(spec.body, spec.results)
        else:
            self.results(spec.body, spec.results, spec.span)
        self.functions.pop()
        self.close_scope()
        self.scopes.declare(symbol)

    def valof(self, valof: S.Valof, wants: list[S.Type] | None) -> list[S.Type]:
        types: list[S.Type] = []

        def body() -> None:
            self.process(valof.body)
            types.extend(self.results(valof.results, wants, valof.span))

        self.scoped(valof.specs, body)
        return types

    def results(self, exprs: list[S.Expr], wants, span) -> list[S.Type]:
        if wants is not None and len(exprs) != len(wants):
            self.error(span, f"FUNCTION returns {len(wants)} result(s), but RESULT gives {len(exprs)}")
            wants = None
        if wants is None:
            return [self.expr(e) for e in exprs]
        return [self.expect(e, w, "FUNCTION result") for e, w in zip(exprs, wants)]

    # ------------------------------------------------------------------ function purity

    def in_function(self) -> S.FunctionDecl | None:
        return self.functions[-1][0] if self.functions else None

    def no_side_effect(self, span, what: str) -> None:
        function = self.in_function()
        if function is not None:
            self.error(span, f"FUNCTION `{function.name.name}' cannot {what}")

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
        ):
            self.error(
                e.span, f"`{symbol.name}' is {KIND_WORDS.get(symbol.kind, symbol.kind)} and cannot be {how}"
            )
            return
        entry = self.abbreviated.get(id(symbol))
        if entry is not None and writing and entry[1] == "VAL":
            self.error(
                e.span,
                f"`{symbol.name}' cannot be {how} while abbreviated by VAL `{entry[0].name}'",
                (entry[0].span, "abbreviated here"),
            )
        function = self.functions[-1] if self.functions else None
        if function is not None and self.scopes.declared_depth(symbol) < function[1]:
            self.error(
                e.span,
                f"FUNCTION `{function[0].name.name}' cannot change `{symbol.name}', "
                "which is declared outside it",
            )

    # ------------------------------------------------------------------ processes

    def process(self, p: S.Process) -> None:
        getattr(self, "proc_" + type(p).__name__)(p)

    def proc_Skip(self, p) -> None:
        pass

    def proc_Stop(self, p) -> None:
        pass

    def proc_Specified(self, p: S.Specified) -> None:
        self.scoped(p.specs, lambda: self.process(p.body))

    def proc_Assign(self, p: S.Assign) -> None:
        targets = [self.expr(t) for t in p.targets]
        for t in p.targets:
            self.reference(t, "assigned to", writing=True)
        if len(p.values) == 1 and len(p.targets) > 1 and isinstance(p.values[0], S.Call):
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
        for value in p.values[len(p.targets) :]:
            self.expr(value)

    def assign_value(self, target: S.Expr, value: S.Expr) -> None:
        got = self.expr(value, target.type)
        if isinstance(got, T.ResultsType):
            self.error(value.span, "a FUNCTION with several results needs a multiple assignment")
        elif not T.same_type(target.type, got):
            self.error(
                value.span,
                f"type mismatch in assignment: {T.type_str(target.type)} and {T.type_str(got)}",
                *declared_note(target),
            )

    def channel(self, chan: S.Expr, direction: str) -> S.Type:
        """Check a channel used for input ("?") or output ("!"); give its protocol."""
        t = self.expr(chan)
        if T.is_unknown(t):
            return T.UNKNOWN
        verb = "input" if direction == "?" else "output"
        if not isinstance(t, S.ChanType):
            self.error(chan.span, f"{verb} needs a channel, not {T.type_str(t)}")
            return T.UNKNOWN
        declared = direction_of(chan)
        if declared is not None and declared != direction:
            name = root_name(chan)
            label = name.name if name is not None else "?"
            if isinstance(chan, S.ChanEnd):
                self.error(chan.span, f"channel end `{label}{declared}' cannot be used for {verb}")
            else:
                self.error(chan.span, f"channel parameter `{label}' cannot be used for {verb}")
        self.no_side_effect(chan.span, "communicate")
        return t.protocol

    def proc_Output(self, p: S.Output) -> None:
        protocol = self.channel(p.chan, "!")
        self.communicate(protocol, p.items, p.chan, p.span, is_input=False)

    def proc_Input(self, p: S.Input) -> None:
        if self.is_timer_read(p):
            self.timer_read(p)
            return
        protocol = self.channel(p.chan, "?")
        self.communicate(protocol, p.items, p.chan, p.span, is_input=True)

    def is_timer_read(self, p: S.Input) -> bool:
        """`tim ? t`: an Input whose channel's symbol is a timer."""
        name = root_name(p.chan)
        if name is None:
            return False
        symbol = name.symbol or self.scopes.lookup(name.name)
        return symbol is not None and symbol.kind == "timer"

    def timer_read(self, p: S.Input) -> None:
        """`tim ? t`: exactly one INT variable."""
        t = self.expr(p.chan)
        if not T.is_unknown(t) and not isinstance(t, S.TimerType):
            self.error(p.chan.span, "a timer read needs a single TIMER, not an array of them")
        self.no_side_effect(p.span, "read a timer")
        if len(p.items) != 1:
            self.error(p.span, "a timer read takes exactly one INT variable")
        for item in p.items:
            got = self.expr(item, T.INT)
            self.reference(item, "input to", writing=True)
            if not T.same_type(got, T.INT):
                self.error(item.span, f"type mismatch in timer read: INT and {T.type_str(got)}")

    def proc_Sync(self, p: S.Sync) -> None:
        t = self.expr(p.barrier)
        if not T.is_unknown(t) and not isinstance(t, S.BarrierType):
            self.error(p.barrier.span, f"SYNC needs a BARRIER, not {T.type_str(t)}")
        self.no_side_effect(p.span, "synchronise on a barrier")

    def proc_Delay(self, p: S.Delay) -> None:
        t = self.expr(p.timer)
        if not T.is_unknown(t) and not isinstance(t, S.TimerType):
            self.error(p.timer.span, f"AFTER needs a TIMER, not {T.type_str(t)}")
        self.expect(p.time, T.INT, "timer delay")
        self.no_side_effect(p.span, "wait on a timer")

    # -- protocols

    def communicate(self, protocol, items, chan, span, is_input: bool) -> None:
        if T.is_unknown(protocol) or isinstance(protocol, S.AnyProtocol):
            for item in items:
                self.expr(item)
                if is_input:
                    self.reference(item, "input to", writing=True)
            return
        decl = self.protocol_decl(protocol)
        if decl is not None and decl.tags is not None:
            self.variant(decl, items, span, chan, is_input)
            return
        wanted = decl.items if decl is not None else [protocol]
        self.sequence(wanted, items, span, chan, is_input)

    @staticmethod
    def chan_label(chan: S.Expr) -> str:
        name = root_name(chan)
        return f"channel `{name.name}'" if name is not None else "channel"

    def protocol_decl(self, protocol) -> S.ProtocolDecl | None:
        if isinstance(protocol, S.NamedType) and protocol.name.symbol is not None:
            decl = protocol.name.symbol.decl
            if isinstance(decl, S.ProtocolDecl):
                return decl
        return None

    def sequence(self, wanted: list[S.Type], items: list[S.Expr], span, chan: S.Expr, is_input: bool) -> None:
        label = self.chan_label(chan)
        verb = "input" if is_input else "output"
        if len(items) != len(wanted):
            self.error(
                span, f"{verb} on {label} has {len(items)} item(s), but its protocol has {len(wanted)}"
            )
        for want, item in zip(wanted, items):
            self.item(want, item, chan, is_input)
        for item in items[len(wanted) :]:
            self.expr(item)

    def item(self, want: S.Type, item: S.Expr, chan: S.Expr, is_input: bool) -> None:
        label = self.chan_label(chan)
        verb = "input" if is_input else "output"
        how = "input to"
        if isinstance(want, S.CountedArray):
            if not isinstance(item, S.CountedItem):
                self.expr(item)
                self.error(item.span, f"{verb} on {label} needs a counted array `n::a' ({T.type_str(want)})")
                return
            count = self.expect(item.count, want.count, f"{verb} count on {label}")
            array = self.expr(
                item.array,
                S.ArrayType(None, want.elem.elem if isinstance(want.elem, S.ArrayType) else want.elem),
            )
            if is_input:
                self.reference(item.count, how, writing=True)
                self.reference(item.array, how, writing=True)
            elem = want.elem.elem if isinstance(want.elem, S.ArrayType) else want.elem
            if not T.is_unknown(array) and not (
                isinstance(array, S.ArrayType) and T.same_type(array.elem, elem)
            ):
                self.error(
                    item.array.span,
                    f"type mismatch in {verb} on {label}: {T.type_str(want.elem)} and "
                    f"{T.type_str(array)}",
                )
            item.type = S.CountedArray(count, array)
            return
        if isinstance(item, S.CountedItem):
            self.expr(item.count)
            self.expr(item.array)
            item.type = T.UNKNOWN
            self.error(item.span, f"{label} does not carry a counted array")
            return
        got = self.expr(item, want)
        if is_input:
            self.reference(item, how, writing=True)
        if not T.same_type(want, got):
            self.error(
                item.span,
                f"type mismatch in {verb} on {label}: {T.type_str(want)} and {T.type_str(got)}",
                *declared_note(chan),
            )

    def tag_of(self, decl: S.ProtocolDecl, name: S.Name) -> S.Tag | None:
        symbol = decl.name.symbol
        tag_symbol = self.tags.get(id(symbol), {}).get(name.name) if symbol is not None else None
        if tag_symbol is None:
            self.error(name.span, f"`{name.name}' is not a tag of protocol `{decl.name.name}'")
            return None
        name.symbol = tag_symbol
        name.type = S.NamedType(decl.name)
        self.uses[id(tag_symbol)] += 1
        return tag_symbol.decl

    def variant(self, decl: S.ProtocolDecl, items, span, chan: S.Expr, is_input: bool) -> None:
        label = self.chan_label(chan)
        first = items[0] if items else None
        if not isinstance(first, S.Name):
            self.error(
                span, f"{label} carries variant protocol `{decl.name.name}': the first item must be a tag"
            )
            for item in items:
                self.expr(item)
            return
        tag = self.tag_of(decl, first)
        if tag is None:
            for item in items[1:]:
                self.expr(item)
            return
        self.sequence(tag.items, items[1:], span, chan, is_input)

    def proc_CaseInput(self, p: S.CaseInput) -> None:
        protocol = self.channel(p.chan, "?")
        decl = self.protocol_decl(protocol)
        label = self.chan_label(p.chan)
        if not T.is_unknown(protocol) and (decl is None or decl.tags is None):
            self.error(
                p.chan.span,
                f"CASE input needs a channel of a variant protocol ({label} "
                f"carries {T.type_str(protocol)})",
            )
            decl = None
        seen: dict[str, S.Name] = {}
        for v in p.variants:
            if v.tag.name in seen:
                self.error(
                    v.tag.span,
                    f"tag `{v.tag.name}' appears twice in this CASE input",
                    (seen[v.tag.name].span, "first here"),
                )
            seen.setdefault(v.tag.name, v.tag)

            def body(v=v) -> None:
                tag = self.tag_of(decl, v.tag) if decl is not None else None
                if tag is not None:
                    self.sequence(tag.items, v.items, v.span, p.chan, is_input=True)
                else:
                    for item in v.items:
                        self.expr(item)
                self.process(v.body)

            self.scoped(v.specs, body)

    # -- constructors

    def replicated(self, r: S.Replicator | None, body, constant_count: bool = False) -> None:
        if r is None:
            body()
            return
        self.expect(r.base, T.INT, "replicator base")
        if constant_count:
            self.const_int(r.count, "the replicator count of a PAR", minimum=0)
        else:
            self.expect(r.count, T.INT, "replicator count")
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
        self.replicated(p.replicator, lambda: [self.process(b) for b in p.body], constant_count=True)

    def proc_If(self, p: S.If) -> None:
        self.replicated(p.replicator, lambda: [self.choice(c) for c in p.choices])

    def choice(self, c: S.Choice) -> None:
        def body() -> None:
            if c.nested is not None:
                self.process(c.nested)
                return
            self.condition(c.condition, "an IF condition")
            self.process(c.body)

        self.scoped(c.specs, body)

    def proc_While(self, p: S.While) -> None:
        self.condition(p.condition, "a WHILE condition")
        self.process(p.body)

    def proc_Case(self, p: S.Case) -> None:
        selector = self.expr(p.selector)
        if not T.is_unknown(selector) and not (T.is_integer(selector) or T.prim(selector) == "BOOL"):
            self.error(
                p.selector.span,
                f"a CASE selector must be an integer, BYTE or BOOL, not " f"{T.type_str(selector)}",
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
                    self.expect(value, selector, "CASE option")
                    if T.is_unknown(value.type):
                        continue
                    if value.const is None:
                        self.error(value.span, "a CASE option must be a constant")
                    elif value.const in seen:
                        self.error(
                            value.span,
                            f"CASE option {value.const} appears twice",
                            (seen[value.const].span, "first here"),
                        )
                    else:
                        seen[value.const] = value
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
                if guard.precondition is not None:
                    self.condition(guard.precondition, "an ALT guard's precondition")
                self.guard(guard.guard)
            if a.body is not None:
                self.process(a.body)

        self.scoped(a.specs, body)

    def guard(self, g) -> None:
        if isinstance(g, S.Input) and self.is_timer_read(g):
            self.error(g.span, "a timer read cannot be an ALT guard: use `tim ? AFTER t'")
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
        if symbol.kind != "proc":
            self.error(
                p.proc.span, f"`{symbol.name}' is {KIND_WORDS.get(symbol.kind, symbol.kind)}, not a PROC"
            )
            for arg in p.args:
                self.expr(arg)
            return
        self.arguments(symbol, symbol.decl.params, p.args, p.span)

    def arguments(self, callee: S.Symbol, params: list[S.Param], args: list[S.Expr], span) -> None:
        what = "PROC" if callee.kind == "proc" else "FUNCTION"
        if len(params) != len(args):
            self.error(
                span,
                f"{what} `{callee.name}' takes {len(params)} parameter(s), but {len(args)} given",
                (callee.span, "declared here"),
            )
        for param, arg in zip(params, args):
            self.actual(callee, param, arg)
        for arg in args[len(params) :]:
            self.expr(arg)
        self.no_aliasing(callee, params, args)

    def actual(self, callee: S.Symbol, param: S.Param, arg: S.Expr) -> None:
        formal = param.type
        context = f"parameter `{param.name.name}' of `{callee.name}'"
        if param.mode == "VAL":
            got = self.expr(arg, formal)
            if not T.same_type(formal, got):
                self.error(
                    arg.span,
                    f"type mismatch for {context}: {T.type_str(formal)} and {T.type_str(got)}",
                    (param.name.span, f"`{param.name.name}' is declared {T.type_str(formal)} here"),
                )
            return
        got = self.expr(arg, formal if T.is_data(formal) else None)
        if T.is_unknown(got):
            return
        if T.is_channel(formal):
            self.channel_actual(param, arg, got, context)
        elif T.is_timer(formal) or T.is_barrier(formal):
            if not T.same_type(formal, got):
                self.error(arg.span, f"{context} needs {T.type_str(formal)}, not {T.type_str(got)}")
        else:
            self.reference(arg, f"passed to reference {context}", writing=True)
            if not T.same_type(formal, got):
                self.error(
                    arg.span,
                    f"type mismatch for {context}: {T.type_str(formal)} and {T.type_str(got)}",
                    (param.name.span, f"`{param.name.name}' is declared {T.type_str(formal)} here"),
                )

    def channel_actual(self, param: S.Param, arg: S.Expr, got, context: str) -> None:
        if not T.is_channel(got):
            self.error(arg.span, f"{context} needs a channel, not {T.type_str(got)}")
            return
        self.no_side_effect(arg.span, "communicate")
        if not T.same_type(param.type, got):
            self.error(
                arg.span, f"type mismatch for {context}: {T.type_str(param.type)} and {T.type_str(got)}"
            )
        given = direction_of(arg)
        if param.direction is None or given is None or given == param.direction:
            return
        verb = "input" if param.direction == "?" else "output"
        name = root_name(arg)
        label = name.name if name is not None else "?"
        if isinstance(arg, S.ChanEnd):
            self.error(arg.span, f"channel end `{label}{given}' passed for {verb} {context}")
        else:
            self.error(arg.span, f"channel parameter `{label}' cannot be used for {verb}")

    def no_aliasing(self, callee: S.Symbol, params: list[S.Param], args: list[S.Expr]) -> None:
        """Two reference actuals of one call must not share storage."""
        seen: list[tuple[S.Symbol, list, S.Expr]] = []
        for param, arg in zip(params, args):
            if param.mode == "VAL" or not T.is_data(param.type):
                continue
            symbol, path = root_and_path(arg)
            if symbol is None:
                continue
            for other_symbol, other_path, other_arg in seen:
                if other_symbol is symbol and not paths_disjoint(path, other_path):
                    self.error(
                        arg.span,
                        f"`{symbol.name}' is passed twice by reference to `{callee.name}' "
                        "(the actuals alias)",
                        (other_arg.span, "also passed here"),
                    )
            seen.append((symbol, path, arg))

    # ------------------------------------------------------------------ expressions

    def expr(self, e: S.Expr, want: S.Type | None = None) -> S.Type:
        """Type ``e`` (``want`` types context-typed literals), fold it, return its type."""
        if e.type is not None:  # already typed (an item visited twice after an error)
            return e.type
        t = getattr(self, "expr_" + type(e).__name__)(e, want)
        e.type = t if t is not None else T.UNKNOWN
        return e.type

    def expr_Name(self, e: S.Name, want) -> S.Type:
        symbol = self.lookup(e)
        if symbol is None:
            return T.UNKNOWN
        entry = self.abbreviated.get(id(symbol))
        if entry is not None and entry[1] == "REF":
            self.error(
                e.span,
                f"`{symbol.name}' cannot be used while abbreviated by `{entry[0].name}'",
                (entry[0].span, "abbreviated here"),
            )
        if symbol.kind in ("variable", "abbreviation", "value", "channel", "timer", "barrier"):
            decl = symbol.decl
            if symbol.kind == "value" and isinstance(decl, S.Abbreviation):
                e.const = decl.value.const
            return symbol.type if symbol.type is not None else T.UNKNOWN
        self.error(e.span, f"`{symbol.name}' is {KIND_WORDS.get(symbol.kind, symbol.kind)}, not a value")
        return T.UNKNOWN

    def expr_Literal(self, e: S.Literal, want) -> S.Type:
        if e.explicit is not None:
            self.type_(e.explicit)
        return type_literal(e, want, self.error)

    def expr_ArrayLit(self, e: S.ArrayLit, want) -> S.Type:
        hint = want.elem if isinstance(want, S.ArrayType) else None
        if hint is None:
            for item in e.items:
                if not untyped(item):
                    hint = self.expr(item)
                    break
        elems = [self.expr(item, hint) for item in e.items]
        elem = next((t for t in elems if not T.is_unknown(t)), T.UNKNOWN)
        for item, t in zip(e.items, elems):
            if not T.same_type(elem, t):
                self.error(item.span, f"type mismatch in table: {T.type_str(elem)} and {T.type_str(t)}")
        consts = [item.const for item in e.items]
        if all(c is not None for c in consts):
            e.const = tuple(consts)
        return S.ArrayType(size_literal(len(e.items), e.span), elem, span=e.span)

    def expr_Subscript(self, e: S.Subscript, want) -> S.Type:
        base = self.expr(e.base)
        if T.is_unknown(base):
            self.expr(e.index, T.INT)
            return T.UNKNOWN
        record = self.record_of(base)
        if record is not None:
            return self.field(e, record)
        if not isinstance(base, S.ArrayType):
            self.expr(e.index, T.INT)
            self.error(e.base.span, f"cannot subscript {T.type_str(base)}: it is not an array")
            return T.UNKNOWN
        index = self.expr(e.index, T.INT)
        if not T.is_unknown(index) and T.prim(index) != "INT":
            self.error(e.index.span, f"an array subscript must be INT, not {T.type_str(index)}")
        size = T.array_size(base)
        if isinstance(e.index.const, int) and size is not None and not 0 <= e.index.const < size:
            self.error(e.index.span, f"subscript {e.index.const} is out of range for {T.type_str(base)}")
        elif (
            isinstance(e.base.const, tuple)
            and isinstance(e.index.const, int)
            and 0 <= e.index.const < len(e.base.const)
        ):
            e.const = e.base.const[e.index.const]
        return base.elem

    def record_of(self, t) -> dict[str, S.Symbol] | None:
        if isinstance(t, S.NamedType) and t.name.symbol is not None and t.name.symbol.kind == "record":
            return self.fields.get(id(t.name.symbol))
        return None

    def field(self, e: S.Subscript, fields: dict[str, S.Symbol]) -> S.Type:
        index = e.index
        if not isinstance(index, S.Name):
            self.expr(index)
            self.error(index.span, f"`{T.type_str(e.base.type)}' is a record: select a field by its name")
            return T.UNKNOWN
        symbol = fields.get(index.name)
        if symbol is None:
            self.error(index.span, f"`{index.name}' is not a field of `{T.type_str(e.base.type)}'")
            index.type = T.UNKNOWN
            return T.UNKNOWN
        index.symbol = symbol
        index.type = symbol.type
        self.uses[id(symbol)] += 1
        return symbol.type

    def expr_Slice(self, e: S.Slice, want) -> S.Type:
        base = self.expr(e.base)
        for part in (e.start, e.count):
            if part is not None:
                self.expect(part, T.INT, "array slice")
        if T.is_unknown(base):
            return T.UNKNOWN
        if not isinstance(base, S.ArrayType):
            self.error(e.base.span, f"cannot slice {T.type_str(base)}: it is not an array")
            return T.UNKNOWN
        size = T.array_size(base)
        start = e.start.const if e.start is not None else 0
        count = (
            e.count.const
            if e.count is not None
            else (size - start if size is not None and isinstance(start, int) else None)
        )
        if isinstance(start, int) and isinstance(count, int):
            if start < 0 or count < 0 or size is not None and start + count > size:
                self.error(e.span, f"slice [{start} FOR {count}] is out of range for {T.type_str(base)}")
        size_expr = size_literal(count, e.span) if isinstance(count, int) else None
        return S.ArrayType(size_expr, base.elem, span=e.span)

    def expr_Binary(self, e: S.Binary, want) -> S.Type:
        op = e.op
        if op in BOOLEAN:
            self.condition(e.left, f"an operand of {op}")
            self.condition(e.right, f"an operand of {op}")
            self.fold(e, lambda: fold_binary(op, e.left.const, e.right.const, T.BOOL), e.left, e.right)
            return T.BOOL
        if op in SHIFTS:
            left = self.expr(e.left, want)
            self.expect(e.right, T.INT, f"shift count of `{op}'")
            if not T.is_unknown(left) and not T.is_integer(left):
                self.error(e.left.span, f"`{op}' needs an integer operand, not {T.type_str(left)}")
                return T.UNKNOWN
            self.fold(e, lambda: fold_binary(op, e.left.const, e.right.const, left), e.left, e.right)
            return left
        result_is_bool = op in EQUALITY | ORDERING | {"AFTER"}
        hint = None if result_is_bool else want
        if untyped(e.left) and not untyped(e.right):
            right = self.expr(e.right, hint)
            left = self.expr(e.left, right)
        else:
            left = self.expr(e.left, hint)
            right = self.expr(e.right, left)
        if not T.same_type(left, right):
            self.error(
                e.span,
                f"type mismatch in operands of `{op}': {T.type_str(left)} and {T.type_str(right)}",
                (e.left.span, f"left operand is {T.type_str(left)}"),
                (e.right.span, f"right operand is {T.type_str(right)}"),
            )
            return T.BOOL if result_is_bool else T.UNKNOWN
        operand = right if T.is_unknown(left) else left
        if not T.is_unknown(operand) and not self.operator_accepts(op, operand):
            self.error(e.span, f"`{op}' cannot be applied to {T.type_str(operand)}")
            return T.BOOL if result_is_bool else T.UNKNOWN
        self.fold(e, lambda: fold_binary(op, e.left.const, e.right.const, operand), e.left, e.right)
        return T.BOOL if result_is_bool else operand

    @staticmethod
    def operator_accepts(op: str, t) -> bool:
        if op in ARITHMETIC or op in ORDERING:
            return T.is_numeric(t)
        if op in WRAPPING or op in BITWISE or op == "AFTER":
            return T.is_integer(t)
        if op in EQUALITY:
            return isinstance(t, S.PrimType)
        return False

    def fold(self, e: S.Expr, compute, *operands: S.Expr) -> None:
        if any(o.const is None or isinstance(o.const, tuple) for o in operands):
            return
        try:
            e.const = compute()
        except ConstError as err:
            self.error(e.span, str(err))

    def expr_Unary(self, e: S.Unary, want) -> S.Type:
        op = e.op
        if op == "SIZE":
            t = self.expr(e.operand)
            if not T.is_unknown(t) and not isinstance(t, S.ArrayType):
                self.error(e.operand.span, f"SIZE needs an array, not {T.type_str(t)}")
            e.const = T.array_size(t)
            return T.INT
        if op == "NOT":
            self.condition(e.operand, "the operand of NOT")
            self.fold(e, lambda: fold_unary(op, e.operand.const, T.BOOL), e.operand)
            return T.BOOL
        t = self.expr(e.operand, want)
        accepts = T.is_numeric if op == "-" else T.is_integer
        if not T.is_unknown(t) and not accepts(t):
            self.error(e.span, f"`{op}' cannot be applied to {T.type_str(t)}")
            return T.UNKNOWN
        self.fold(e, lambda: fold_unary(op, e.operand.const, t), e.operand)
        return t

    def expr_Conversion(self, e: S.Conversion, want) -> S.Type:
        target = self.type_(e.target)
        source = self.expr(e.operand)
        if T.is_unknown(source):
            return target
        if not isinstance(target, S.PrimType) or not isinstance(source, S.PrimType):
            self.error(e.span, f"cannot convert {T.type_str(source)} to {T.type_str(target)}")
            return target
        real_involved = T.is_real(source) or T.is_real(target)
        if T.prim(source) == "BOOL" and T.is_real(target) or T.prim(target) == "BOOL" and T.is_real(source):
            self.error(e.span, f"cannot convert {T.type_str(source)} to {T.type_str(target)}")
            return target
        needs_mode = (
            real_involved
            and T.prim(source) != T.prim(target)
            and not (T.prim(source) == "REAL32" and T.prim(target) == "REAL64")
        )
        if needs_mode and e.mode is None:
            self.error(
                e.span, f"converting {T.type_str(source)} to {T.type_str(target)} needs ROUND or TRUNC"
            )
        elif e.mode is not None and not real_involved:
            self.error(e.span, f"{e.mode} applies only to conversions to or from a REAL type")
        self.fold(e, lambda: fold_conversion(e.operand.const, source, target, e.mode), e.operand)
        return target

    def expr_MostPos(self, e: S.MostPos, want) -> S.Type:
        return self.most(e, 1)

    def expr_MostNeg(self, e: S.MostNeg, want) -> S.Type:
        return self.most(e, 0)

    def most(self, e, end: int) -> S.Type:
        target = self.type_(e.target)
        if T.is_integer(target):
            e.const = T.int_range(target)[end]
        elif T.is_real(target):
            e.const = (3.4028234663852886e38 if T.prim(target) == "REAL32" else 1.7976931348623157e308) * (
                1 if end else -1
            )
        else:
            word = "MOSTPOS" if end else "MOSTNEG"
            self.error(e.span, f"{word} needs a numeric type, not {T.type_str(target)}")
            return T.UNKNOWN
        return target

    def expr_Call(self, e: S.Call, want) -> S.Type:
        symbol = self.lookup(e.func)
        if symbol is None:
            for arg in e.args:
                self.expr(arg)
            return T.UNKNOWN
        if symbol.kind != "function":
            self.error(
                e.func.span, f"`{symbol.name}' is {KIND_WORDS.get(symbol.kind, symbol.kind)}, not a FUNCTION"
            )
            for arg in e.args:
                self.expr(arg)
            return T.UNKNOWN
        decl: S.FunctionDecl = symbol.decl
        self.arguments(symbol, decl.params, e.args, e.span)
        if len(decl.results) == 1:
            return decl.results[0]
        return T.ResultsType(list(decl.results), span=e.span)

    def expr_ChanEnd(self, e: S.ChanEnd, want) -> S.Type:
        t = self.expr(e.chan)
        if T.is_unknown(t):
            return T.UNKNOWN
        if not T.is_channel(t):
            self.error(e.span, f"`{e.direction}' can only follow a channel, not {T.type_str(t)}")
            return T.UNKNOWN
        name = root_name(e.chan)
        declared = name.symbol.direction if name is not None and name.symbol is not None else None
        if declared is not None and declared != e.direction:
            verb = "input" if e.direction == "?" else "output"
            self.error(e.span, f"channel parameter `{name.name}' cannot be used for {verb}")
        return t

    def expr_CountedItem(self, e: S.CountedItem, want) -> S.Type:
        count = self.expr(e.count, want.count if isinstance(want, S.CountedArray) else T.INT)
        array = self.expr(e.array)
        return S.CountedArray(count, array, span=e.span)

    def expr_ValofExpr(self, e: S.ValofExpr, want) -> S.Type:
        types = self.valof(e.valof, [want] if want is not None and len(e.valof.results) == 1 else None)
        if len(types) == 1:
            return types[0]
        return T.ResultsType(types, span=e.span)


def declared_note(e: S.Expr) -> list[tuple]:
    """A note pointing at the declaration of the element ``e`` names, if any."""
    name = root_name(e)
    if name is None or name.symbol is None or name.symbol.span.line == 0:
        return []
    symbol = name.symbol
    return [(symbol.span, f"`{symbol.name}' is declared {T.type_str(symbol.type)} here")]


def size_literal(n: int, span) -> S.Literal:
    """A made-up INT literal standing for a size the checks worked out."""
    literal = S.Literal("int", n, span=span)
    literal.type = T.INT
    literal.const = n
    return literal
