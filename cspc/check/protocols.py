"""Communication (part of the resolver): channels, timers, protocols, directions.

Every output and input is matched against its channel's protocol item by item
(sequential protocols), by tag and items (variant protocols, also in CASE
inputs) and as `count::array` (counted arrays).  A channel end is used only in
its direction: a `?` end is never output to, a `!` end never input from.  A
timer read is an Input whose channel is a TIMER.
"""

from __future__ import annotations

from cspc import syntax as S
from cspc.check import types as T
from cspc.check.access import described_end, direction_of, mobile_label, root_name
from cspc.check.expressions import declared_note


def wrong_field_end(chan: S.Subscript, field, verb: str) -> str:
    """`cli[req]' used the other way: which end of which field it is."""
    end, symbol = field
    side = "server" if end.direction == "?" else "client"
    way = {"?": "input", "!": "output"}[T.field_direction(end, symbol)]
    return (f"`{mobile_label(chan.base)}' is a {side} end ({T.type_str(end)}), where channel `{symbol.name}' "
            f"(declared `{symbol.name}{symbol.direction}') is for {way}: it cannot be used for {verb}")


class CommunicationRules:
    """The communication half of :class:`cspc.check.resolve.Resolver`."""

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
            field = T.end_field(chan)
            if field is not None:
                self.error(chan.span, wrong_field_end(chan, field, verb))
            elif isinstance(chan, S.ChanEnd):
                self.error(chan.span, f"channel end `{label}{declared}' cannot be used for {verb}")
            else:
                self.error(chan.span, f"{described_end(name)} cannot be used for {verb}")
        self.no_side_effect(chan.span, "communicate")
        self.needs_claim(chan, direction, "use")
        return t.protocol

    def proc_Output(self, p: S.Output) -> None:
        protocol = self.channel(p.chan, "!")
        self.communicate(protocol, p.items, p.chan, p.span, is_input=False)

    def proc_Input(self, p: S.Input) -> None:
        if self.is_timer_read(p):
            p.timer = True
            self.timer_read(p)
            return
        protocol = self.channel(p.chan, "?")
        self.communicate(protocol, p.items, p.chan, p.span, is_input=True)

    def is_timer_read(self, p: S.Input) -> bool:
        """`tim ? t`: an Input whose channel's symbol is a timer (the one test of
        it; its verdict is left in ``Input.timer`` for the later passes)."""
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

    def proc_Resign(self, p: S.Resign) -> None:
        t = self.expr(p.barrier)
        if not T.is_unknown(t) and not T.is_barrier(t):
            self.error(p.barrier.span, f"RESIGN needs a BARRIER, not {T.type_str(t)}")
        self.no_side_effect(p.span, "resign from a barrier")
        symbol = p.barrier.symbol if isinstance(p.barrier, S.Name) else None
        self.process(p.body)
        if symbol is None:
            return
        for node in S.walk(p.body):
            if isinstance(node, S.Name) and node.symbol is symbol:
                self.error(node.span, f"`{symbol.name}' cannot be used inside `RESIGN {symbol.name}', "
                                      "which resigns from it", (p.span, "resigned here"))
                return

    def proc_Delay(self, p: S.Delay) -> None:
        t = self.expr(p.timer)
        if not T.is_unknown(t) and not isinstance(t, S.TimerType):
            self.error(p.timer.span, f"AFTER needs a TIMER, not {T.type_str(t)}")
        self.expect(p.time, T.INT, "timer delay")
        self.no_side_effect(p.span, "wait on a timer")

    # -- protocols

    def communicate(self, protocol, items, chan, span, is_input: bool) -> None:
        decl = self.protocol_decl(protocol)
        if T.is_unknown(protocol) or T.is_any_protocol(protocol):
            for item in items:
                self.expr(item)
                if is_input:
                    self.reference(item, "input to", writing=True)
            return
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
            elem = want.elem  # `INT::[]T' carries T's: the value is an array of them
            array = self.expr(item.array, S.ArrayType(None, elem))
            if is_input:
                self.reference(item.count, how, writing=True)
                self.reference(item.array, how, writing=True)
            if not T.is_unknown(array) and not (
                isinstance(array, S.ArrayType) and T.same_type(array.elem, elem)
            ):
                self.error(
                    item.array.span,
                    f"type mismatch in {verb} on {label}: []{T.type_str(elem)} and "
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
        elif T.is_mobile(want) and self.moves(None, item):
            self.move(item)  # `c ! m' on a mobile channel: m goes, and is undefined after
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

    def proc_CaseInput(self, p: S.CaseInput | S.ExtendedCaseInput) -> None:
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
            message = f"tag `{v.tag.name}' appears twice in this CASE input"
            self.first_time(seen, v.tag.name, v.tag, message)

            def body(v=v) -> None:
                tag = self.tag_of(decl, v.tag) if decl is not None else None
                if tag is not None:
                    self.sequence(tag.items, v.items, v.span, p.chan, is_input=True)
                else:
                    for item in v.items:
                        self.expr(item)
                if isinstance(p, S.ExtendedCaseInput):
                    self.during(v.body)
                else:
                    self.process(v.body)
                if v.after is not None:
                    self.process(v.after)

            self.scoped(v.specs, body)

    # -- occam-pi's extended rendezvous (`??')

    def proc_ExtendedInput(self, p: S.ExtendedInput) -> None:
        if self.is_timer_read(p):
            self.error(p.span, "a timer is read with `?', not `??' (an extended input is on a channel)")
            self.expr(p.chan)
            for item in p.items:
                self.expr(item)
        else:
            protocol = self.channel(p.chan, "?")
            self.communicate(protocol, p.items, p.chan, p.span, is_input=True)
        self.during(p.during)
        if p.after is not None:
            self.process(p.after)

    def proc_ExtendedCaseInput(self, p: S.ExtendedCaseInput) -> None:
        self.proc_CaseInput(p)  # the same tags and items; each variant's body is its during process
