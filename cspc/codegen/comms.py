"""Communication and ALT: outputs, inputs, CASE inputs, timers, guards, and
occam-pi's extended rendezvous and CLAIM.

A message is the single value of a one-item protocol, a tuple for a
sequential protocol, ``(count, items)`` for a counted array, and
``(tag, items...)`` for a variant protocol; arrays are sent as copies.  A
timer read is ``timer.read()`` and `tim ? AFTER t` is ``timer.after(t)``.

An ALT builds its guards (``InputGuard``, ``TimeoutGuard``, ``SkipGuard``,
each with its precondition) and calls the runtime's ``alt``, which returns
the index of the chosen guard and the value it received; the branches then
dispatch on that index.  Nested ALTs are flattened; replicated alternatives
build the guard list at run time, keeping beside each guard which
alternative it is and its replicator values.
"""

from __future__ import annotations

import ast

from cspc import syntax as S

from .control import assign_one, replicated, write_backs
from .core import Generator, translates
from .pyast import (
    assign,
    call,
    const,
    expr_stmt,
    load,
    method,
    stamp,
    store,
    store_tuple,
    subscript,
)
from .values import array_target, moved_away, out_value, store_location


def is_tag(item: S.Expr) -> bool:
    return isinstance(item, S.Name) and item.symbol is not None and item.symbol.kind == "tag"


@translates(S.Output)
def output(g: Generator, p: S.Output) -> list[ast.stmt]:
    items = p.items
    if items and is_tag(items[0]):
        message = ast.Tuple(
            [const(items[0].name)] + [out_value(g, i) for i in items[1:]], ast.Load()
        )
    elif len(items) == 1:
        message = out_value(g, items[0])
    else:
        message = ast.Tuple([out_value(g, i) for i in items], ast.Load())
    return [expr_stmt(method(g.expr(p.chan), "write", message))] + moved_away(g, items)


@translates(S.Input)
def input_(g: Generator, p: S.Input) -> list[ast.stmt]:
    read = method(g.expr(p.chan), "read")
    if p.timer:
        return assign_one(g, p.items[0], read)
    return receive(g, read, p.items)


def receive(g: Generator, message: ast.expr, items: list[S.Expr]) -> list[ast.stmt]:
    """Store a received ``message`` into the input items."""
    if len(items) == 1 and not is_tag(items[0]):
        return receive_item(g, items[0], message)
    tmp = g.temp("m")
    stmts: list[ast.stmt] = [assign(store(tmp), message)]
    first = 0
    if items and is_tag(items[0]):  # `c ? tag; x`: the message must carry that tag
        got, want = subscript(load(tmp), 0), const(items[0].name)
        mismatch = expr_stmt(call(g.helper("tag_mismatch"), subscript(load(tmp), 0), want))
        stmts.append(ast.If(ast.Compare(got, [ast.NotEq()], [want]), [mismatch], []))
        first = 1
    for k, item in enumerate(items[first:], start=first):
        stmts.extend(receive_item(g, item, subscript(load(tmp), k)))
    return stmts


def receive_item(g: Generator, item: S.Expr, value: ast.expr) -> list[ast.stmt]:
    if isinstance(item, S.CountedItem):
        tmp = g.temp("c")
        stored = call(
            g.helper("counted_input"),
            array_target(g, item.array),
            subscript(load(tmp), 0),
            subscript(load(tmp), 1),
        )
        return [assign(store(tmp), value), assign(store_location(g, item.count), stored)]
    return assign_one(g, item, value)


@translates(S.CaseInput)
def case_input(g: Generator, p: S.CaseInput) -> list[ast.stmt]:
    tmp = g.temp("m")
    stmts: list[ast.stmt] = [assign(store(tmp), method(g.expr(p.chan), "read"))]
    return stmts + variant_dispatch(g, load(tmp), p.variants)


def variant_dispatch(
    g: Generator, message: ast.expr, variants: list[S.Variant], held: str | None = None
) -> list[ast.stmt]:
    """The variants' branches, by the message's tag; with ``held`` (the local
    holding the channel of an extended `?? CASE'), each runs its during
    process, releases the writer and runs its after process."""
    tag = subscript(message, 0)
    chain: list[ast.stmt] = [expr_stmt(call(g.helper("tag_mismatch"), tag, const(None)))]
    for variant in reversed(variants):
        body = g.specs(variant.specs)
        for k, item in enumerate(variant.items, start=1):
            body.extend(receive_item(g, item, subscript(message, k)))
        if held is None:
            body.extend(g.block(variant.body))
        else:
            body.extend(rendezvous_end(g, held, variant.body, variant.after))
        body.extend(write_backs(g, variant.specs))
        test = ast.Compare(tag, [ast.Eq()], [const(variant.tag.name)])
        chain = [stamp(ast.If(test, body, chain), variant.span)]
    return chain


# --------------------------------------------------------------------------- extended rendezvous


def rendezvous_end(g: Generator, held: str, during: S.Process, after: S.Process | None) -> list[ast.stmt]:
    """The during process, the writer's release (``held`` is the local holding
    the channel), then the after process."""
    stmts = g.block(during)
    stmts.append(expr_stmt(method(load(held), "release_extended")))
    if after is not None:
        stmts.extend(g.process(after))
    return stmts


@translates(S.ExtendedInput)
def extended_input(g: Generator, p: S.ExtendedInput) -> list[ast.stmt]:
    held = g.temp("x")  # the channel, worked out once: the during process may change its subscripts
    stmts: list[ast.stmt] = [assign(store(held), g.expr(p.chan))]
    stmts.extend(receive(g, method(load(held), "read_extended"), p.items))
    return stmts + rendezvous_end(g, held, p.during, p.after)


@translates(S.ExtendedCaseInput)
def extended_case_input(g: Generator, p: S.ExtendedCaseInput) -> list[ast.stmt]:
    held, tmp = g.temp("x"), g.temp("m")
    stmts: list[ast.stmt] = [
        assign(store(held), g.expr(p.chan)),
        assign(store(tmp), method(load(held), "read_extended")),
    ]
    return stmts + variant_dispatch(g, load(tmp), p.variants, held)


# --------------------------------------------------------------------------- CLAIM


@translates(S.Claim)
def claim(g: Generator, p: S.Claim) -> list[ast.stmt]:
    """``_c = claim_of(chan, side); _c.acquire(); body; _c.release()``.  No
    try/finally: a process that fails stops the whole program."""
    if isinstance(p.chan.type, S.EndType):  # `CLAIM cli': the whole bundle, at that end
        side = "client" if p.chan.type.direction == "!" else "server"
    else:
        direction = p.direction or p.chan.symbol.direction
        side = "writing" if direction == "!" else "reading"
    held = g.temp("claim")
    stmts: list[ast.stmt] = [
        assign(store(held), call(g.rt("claim_of"), g.expr(p.chan), const(side))),
        expr_stmt(method(load(held), "acquire")),
    ]
    stmts.extend(g.process(p.body))
    stmts.append(expr_stmt(method(load(held), "release")))
    return stmts


@translates(S.Delay)
def delay(g: Generator, p: S.Delay) -> list[ast.stmt]:
    return [expr_stmt(method(g.expr(p.timer), "after", g.expr(p.time)))]


# --------------------------------------------------------------------------- ALT


def alt_leaves(alt: S.Alt, layers: tuple = ()):
    """The guarded alternatives of an ALT, nested ALTs flattened: each with
    what encloses its guard, outermost first: the replicators of the ALTs
    around it and the specifications in front of the nested ALTs that hold it
    (``VAL n IS s + 1:`` above an inner ``ALT j = 0 FOR n``, ``INT z:`` above
    one whose guards input to z), each a Replicator or a list of specs."""
    if alt.replicator is not None:
        layers = layers + (alt.replicator,)
    for alternative in alt.alternatives:
        if alternative.nested is not None:
            yield from alt_leaves(alternative.nested, layers + (alternative.specs,))
        else:
            yield alternative, layers + (alternative.specs,)


def _replicators(layers: tuple) -> list[S.Replicator]:
    return [layer for layer in layers if isinstance(layer, S.Replicator)]


def _specs(layers: tuple) -> list:
    return [spec for layer in layers if not isinstance(layer, S.Replicator) for spec in layer]


@translates(S.Alt)
def alt(g: Generator, p: S.Alt) -> list[ast.stmt]:
    leaves = list(alt_leaves(p))
    index, value = g.temp("i"), g.temp("v")
    if not any(_replicators(layers) for _, layers in leaves):
        stmts: list[ast.stmt] = []
        guards = []
        for leaf, layers in leaves:
            pre, guard_ = guard(g, leaf, _specs(layers))
            stmts.extend(pre)
            guards.append(guard_)
        stmts.append(alt_call(g, p, index, value, ast.List(guards, ast.Load())))
        chain: list[ast.stmt] = []
        for k in reversed(range(len(leaves))):
            leaf, layers = leaves[k]
            body = alt_body(g, leaf, load(value), _specs(layers))
            if k == len(leaves) - 1:
                chain = body
            else:
                test = ast.Compare(load(index), [ast.Eq()], [const(k)])
                chain = [stamp(ast.If(test, body, chain), leaf.span)]
        return stmts + chain
    # Some alternatives are replicated: build the guard list at run time with,
    # beside each guard, which leaf it is and its replicator values.
    guards, keys = g.temp("g"), g.temp("keys")
    stmts = [
        assign(store(guards), ast.List([], ast.Load())),
        assign(store(keys), ast.List([], ast.Load())),
    ]
    for n, (leaf, layers) in enumerate(leaves):
        key = ast.Tuple([const(n)] + [load(g.declare(r.name)) for r in _replicators(layers)], ast.Load())
        stmts.extend(guard_loops(g, leaf, layers, guards, keys, key))
    stmts.append(alt_call(g, p, index, value, load(guards)))
    key = g.temp("key")
    stmts.append(assign(store(key), subscript(load(keys), load(index))))
    chain = []
    for n in reversed(range(len(leaves))):
        leaf, layers = leaves[n]
        body = [
            assign(store(g.ident_of(r.name)), subscript(load(key), j))
            for j, r in enumerate(_replicators(layers), 1)
        ]
        body.extend(alt_body(g, leaf, load(value), _specs(layers)))
        test = ast.Compare(subscript(load(key), 0), [ast.Eq()], [const(n)])
        chain = [stamp(ast.If(test, body, chain), leaf.span)]
    return stmts + chain


def guard_loops(
    g: Generator, leaf: S.Alternative, layers: tuple, guards: str, keys: str, key: ast.Tuple
) -> list[ast.stmt]:
    """The loops that append a leaf's guards and keys, each inside the
    specifications in scope at it: made outermost first, so that a name is
    declared before the replicator count or guard that uses it."""
    layer, rest = layers[0], layers[1:]
    if not rest:  # the leaf's own specifications, then its guard
        pre, guard_ = guard(g, leaf, layer)
        return pre + [
            expr_stmt(method(load(guards), "append", guard_)),
            expr_stmt(method(load(keys), "append", key)),
        ]
    if isinstance(layer, S.Replicator):
        return replicated(g, layer, guard_loops(g, leaf, rest, guards, keys, key))
    specs = g.specs(layer)  # before the loops inside, which may use its names
    return specs + guard_loops(g, leaf, rest, guards, keys, key)


def alt_call(g: Generator, p: S.Alt, index: str, value: str, guards: ast.expr) -> ast.stmt:
    """``i, v = alt(guards, pri=True)``, or with the ALT's site (for fair choice)."""
    if p.pri:
        kwargs = {"pri": const(True)}
    else:
        kwargs = {"site": const(f"{p.span.file}:{p.span.line}:{p.span.col}")}
    return assign(store_tuple([index, value]), call(g.rt("alt"), guards, **kwargs))


def guard(g: Generator, leaf: S.Alternative, specs: list) -> tuple[list[ast.stmt], ast.expr]:
    """Statements to run first (the specifications in scope) and the guard object."""
    pre = g.specs(specs)
    guarded = leaf.guard
    condition = g.expr(guarded.precondition) if guarded.precondition is not None else None
    if guarded.guard is None:
        made = call(g.rt("SkipGuard"), *([condition] if condition is not None else []))
        return pre, stamp(made, leaf.span)
    if isinstance(guarded.guard, S.Delay):
        made = call(g.rt("TimeoutGuard"), g.expr(guarded.guard.time))
    elif isinstance(guarded.guard, (S.ExtendedInput, S.ExtendedCaseInput)):
        made = call(g.rt("ExtendedInputGuard"), g.expr(guarded.guard.chan))
    else:
        made = call(g.rt("InputGuard"), g.expr(guarded.guard.chan))
    if condition is not None:
        # A FALSE precondition disables the guard before its channel (or time) is
        # worked out: `FALSE & c[k] ? x' never subscripts c, as in occam.
        made = ast.IfExp(condition, made, call(g.rt("SkipGuard"), const(False)))
    return pre, stamp(made, leaf.span)


def alt_body(g: Generator, leaf: S.Alternative, value: ast.expr, specs: list) -> list[ast.stmt]:
    body = g.specs(specs)  # evaluated again for the chosen branch: same Python names
    guarded = leaf.guard.guard
    if isinstance(guarded, S.Input):
        if guarded.timer:
            body.extend(assign_one(g, guarded.items[0], value))
        else:
            body.extend(receive(g, value, guarded.items))
    elif isinstance(guarded, S.CaseInput):
        tmp = g.temp("m")
        body.append(assign(store(tmp), value))
        return body + variant_dispatch(g, load(tmp), guarded.variants)
    elif isinstance(guarded, (S.ExtendedInput, S.ExtendedCaseInput)):
        # The guard's channel again, before the items change what it depends on.
        held = g.temp("x")
        body.append(assign(store(held), g.expr(guarded.chan)))
        if isinstance(guarded, S.ExtendedCaseInput):
            tmp = g.temp("m")
            body.append(assign(store(tmp), value))
            return body + variant_dispatch(g, load(tmp), guarded.variants, held)
        body.extend(receive(g, value, guarded.items))
        return body + rendezvous_end(g, held, guarded.during, guarded.after)
    body.extend(g.block(leaf.body) if leaf.body is not None else [ast.Pass()])
    return body
