"""The AST builder: one method per grammar rule, called as the parser reduces.

:class:`ToAST` turns each reduced rule into a :mod:`cspc.syntax` node (see
:mod:`cspc.parse.lalr` for how the parser calls it); no Lark tree is ever
built.  Decisions about the AST (see also ``cspc/syntax.py``):

* Hex literals keep their raw unsigned value (``#FFFFFFFF`` is 4294967295)
  with ``Literal.hex = True``; the checks wrap it into the target type.
* Strings are ``Literal("string", bytes)`` with escapes decoded (UTF-8 for
  non-ASCII characters); byte literals are ``Literal("byte", int)``; reals
  keep their decimal text; ``TRUE``/``FALSE`` are ``Literal("bool", bool)``.
* ``-1`` is ``Unary("-", Literal(1))``.
* A shared formal type (``VAL INT a, b``) gives each Param the same Type node,
  as a declaration ``INT a, b:`` shares one type between its names.
* ``#PRAGMA`` lines become :class:`~cspc.syntax.Pragma` specifications; an
  unknown pragma adds a warning to ``ToAST.warnings``.
* ``#INCLUDE``/``#USE`` lines become :class:`Include` placeholders, which
  :mod:`cspc.parse.includes` replaces with the included file's specifications.

One file, over 600 lines: one method per grammar rule, in the grammar's order, so that
grammar/occam.lark and this file can be read side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lark import Token

from cspc import syntax as S
from cspc.diagnostics import CompileError, Diagnostic, Span
from cspc.parse.literals import BadEscape, decode_occam_text

__all__ = ["DANGLING_PYTHON", "KNOWN_PRAGMAS", "Include", "ToAST", "split_pragma", "unknown_pragma"]

# Pragmas cspc acts on (or knowingly accepts); any other is ignored with a warning.
# PYTHON "module:function" binds the next PROC/FUNCTION to Python (the checks bind it; see cspc/check).
# SHARED names variables whose parallel use is not checked; EXTERNAL and its
# kin (calling native code) are refused by the checks with a message.
KNOWN_PRAGMAS = frozenset({"PYTHON", "SHARED", "PERMITALIASES", "DEFINED", "EXTERNAL", "DEXTERNAL", "LINKAGE"})


# What a #PRAGMA PYTHON that binds nothing is told (by the checks, or the layout
# when it ends a block).
DANGLING_PYTHON = "#PRAGMA PYTHON must come just before the PROC or FUNCTION it implements, in the same file"


def split_pragma(text: str) -> tuple[str, str]:
    """A `#PRAGMA NAME args' line as (NAME, args); NAME is "" if there is none.
    A comment after it (`#PRAGMA SHARED c -- why') is not part of the args."""
    words = _PRAGMA_COMMENT.sub(lambda m: m.group(1) or "", text[len("#PRAGMA") :]).split(None, 1)
    return (words[0], words[1].strip()) if len(words) == 2 else (words[0] if words else "", "")


# `--' and what follows it, when it is not inside a string
_PRAGMA_COMMENT = re.compile(r'("[^"]*")|--.*$')


def unknown_pragma(name: str, span: Span) -> Diagnostic:
    return Diagnostic("warning", f"#PRAGMA {name} is not known to cspc; ignored", span)


@dataclass(eq=False)
class Include(S.Spec):
    """An #INCLUDE/#USE directive before it is resolved (never leaves cspc.parse)."""

    path: str
    directive: str  # "#INCLUDE" or "#USE"


# The operators a FUNCTION may define (`INT FUNCTION "+" (VAL MYINT a, b)').
OPERATORS = frozenset(
    "+ - * / \\ REM PLUS MINUS TIMES /\\ \\/ >< BITAND BITOR << >> = <> < > <= >= AFTER "
    "AND OR NOT ~ BITNOT".split()
) | S.USER_OPERATORS


def _is_spec(x) -> bool:
    return isinstance(x, S.Spec)


class ToAST:
    """One method per grammar rule (or alias): ``method(span, children)`` returns
    an AST node or a list.  ``children`` are the rule's values (sub-results and
    named tokens, as Lark would pass them); ``span`` covers all of the rule's
    text, keywords included.  Called by the parser as it reduces (see
    :class:`_Callbacks`), so no parse tree is ever built."""

    def __init__(self, filename: str):
        self.filename = filename
        self.warnings: list[Diagnostic] = []

    # ---- helpers
    def _tok_span(self, tok: Token) -> Span:
        return Span(self.filename, tok.line, tok.column, tok.end_line, tok.end_column)

    # ---- program
    def start(self, span, children):
        return list(children)

    def include(self, span, children):
        return Include(self._string_path(children[0]), "#INCLUDE", span=span)

    def use(self, span, children):
        return Include(self._string_path(children[0]), "#USE", span=span)

    def _string_path(self, tok: Token) -> str:
        return self._decode(tok, tok.value[1:-1]).decode("utf-8", errors="replace")

    def pragma(self, span, children):
        name, args = split_pragma(children[0].value)
        if not name:
            raise CompileError.at(span, "#PRAGMA needs a name")
        if name not in KNOWN_PRAGMAS:
            self.warnings.append(unknown_pragma(name, span))
        return S.Pragma(name, args, span=span)

    # ---- specifications
    def declaration(self, span, children):
        type_, names = children
        return S.VarDecl(type_, names, span=span)

    def name_list(self, span, children):
        return list(children)

    def val_abbreviation(self, span, children):
        return self._abbreviation("VAL", span, children)

    def ref_abbreviation(self, span, children):
        return self._abbreviation("REF", span, children)

    def end_abbreviation(self, span, children):
        """`CHAN INT c? IS in?:' -- the name may repeat the direction of the end it names."""
        *type_, name, value = [c for c in children if not isinstance(c, str)]
        marks = [c for c in children if isinstance(c, str)]
        if not isinstance(value, S.ChanEnd):  # `CHAN INT d! IS c:' names c's output end
            value = S.ChanEnd(value, marks[0], span=value.span)
        if marks and marks[0] != value.direction:
            end = {"?": "an input end", "!": "an output end"}
            raise CompileError.at(
                span, f"`{name.name}{marks[0]}' is {end[marks[0]]}, but it abbreviates {end[value.direction]}"
            )
        return S.Abbreviation("REF", type_[0] if type_ else None, name, value, span=span)

    def chan_end(self, span, children):
        element, direction = children
        return S.ChanEnd(element, direction, span=span)

    result_abbreviation = ref_abbreviation  # occam-pi's RESULT: a reference that is only assigned

    def placement(self, span, children):
        name, area = children
        return S.Placement(name, area.value, span=span)

    def placement_at(self, span, children):
        name, address = children
        return S.Placement(name, "AT", address, span=span)

    def val_retypes(self, span, children):
        return self._retypes("VAL", span, children)

    def ref_retypes(self, span, children):
        return self._retypes("REF", span, children)

    def _retypes(self, mode, span, children):
        type_, name, keyword, value = children
        return S.Abbreviation(mode, type_, name, value, retypes=keyword.value, span=span)

    def initial_abbreviation(self, span, children):
        return self._abbreviation("INITIAL", span, children)

    def _abbreviation(self, mode, span, children):
        *type_, name, value = children
        return S.Abbreviation(mode, type_[0] if type_ else None, name, value, span=span)

    def recursive(self, span, children):
        return True

    def operand(self, span, children):
        (inner,) = children  # `( expression )': the parentheses belong to its span
        inner.span = span
        return inner

    def proc_decl(self, span, children):
        recursive, (name, *rest) = _recursive_first(children)
        body = rest[-1]
        params = rest[0] if len(rest) == 2 else []
        return S.ProcDecl(name, params, body, recursive=recursive, span=span)

    def proc_type_decl(self, span, children):
        name, *params = children
        return S.ProcTypeDecl(name, params[0] if params else [], span=span)

    def mobile_proc_decl(self, span, children):
        _mobile, name, *rest = children
        body, implements = rest[-1], rest[-2]
        params = rest[0] if len(rest) == 3 else []
        return S.ProcDecl(name, params, body, implements=implements, span=span)

    def formals(self, span, children):
        params = []
        for param in children:
            if param.type is None:  # a name sharing the type of the formal before it
                if not params:
                    raise CompileError.at(param.span, f"parameter `{param.name.name}' needs a type")
                before = params[-1]
                param.mode, param.type, param.result = before.mode, before.type, before.result
            params.append(param)
        return params

    def val_formal(self, span, children):
        type_, name = children
        return S.Param("VAL", type_, name, span=span)

    def result_formal(self, span, children):
        type_, name = children
        return S.Param("REF", type_, name, result=True, span=span)

    def ref_formal(self, span, children):
        type_, name, *direction = children
        return S.Param("REF", type_, name, direction[0] if direction else None, span=span)

    def shared_formal(self, span, children):
        name, *direction = children
        return S.Param(None, None, name, direction[0] if direction else None, span=span)

    def direction(self, span, children):
        return children[0].value

    def function_is(self, span, children):
        results, *children = children
        recursive, (name, *rest) = _recursive_first(children)
        params = rest[0] if len(rest) == 2 else []
        return S.FunctionDecl(results, name, params, rest[-1], recursive=recursive, span=span)

    def function_valof(self, span, children):
        return self.function_is(span, children)

    def operator_name(self, span, children):
        """`"+"' in `INT FUNCTION "+" (...)': the FUNCTION defines an operator."""
        (tok,) = children
        op = self._string_path(tok)  # an occam string: `"**"' is `*'
        if op not in OPERATORS:
            raise CompileError.at(span, f"`{op}' is not an operator that a FUNCTION can define (those are "
                                        f"{' '.join(sorted(OPERATORS))})")
        return S.Name(f'"{op}"', span=span)

    def result_types(self, span, children):
        """The result types; the names that start the list were read as an
        assignment's targets would be (see the grammar): they are DATA TYPE names."""
        types = []
        for child in children:
            if isinstance(child, S.Name):
                child = S.NamedType(child, span=child.span)
            elif not isinstance(child, S.Type):
                raise CompileError.at(child.span, "a FUNCTION's results are types: this is not one")
            types.append(child)
        return types

    def valof(self, span, children):
        *specs, body, results = children
        return S.Valof(specs, body, results, span=span)

    def valof_expression(self, span, children):
        (valof,) = children
        return S.ValofExpr(valof, span=span)

    def expression_list_operand(self, span, children):
        return S.ExprList(list(children), span=span)

    def protocol_sequential(self, span, children):
        name, items = children
        return S.ProtocolDecl(name, items=items, span=span)

    def protocol_any(self, span, children):
        (name,) = children
        return S.ProtocolDecl(name, items=[S.AnyProtocol(span=span)], span=span)

    def sequential_protocol(self, span, children):
        return list(children)

    def counted_protocol(self, span, children):
        count, elem = children
        return S.CountedArray(count, elem, span=span)

    def protocol_variant(self, span, children):
        name, *tags = children
        return S.ProtocolDecl(name, tags=tags[0] if tags else [], span=span)

    def protocol_extends(self, span, children):
        name, *rest = children
        parents = [c for c in rest if isinstance(c, S.Name)]
        tags = next((c for c in rest if isinstance(c, list)), [])
        return S.ProtocolDecl(name, tags=tags, extends=parents, span=span)

    def tag_block(self, span, children):
        return list(children)

    def tag(self, span, children):
        name, *items = children
        return S.Tag(name, items, span=span)

    def data_type_alias(self, span, children):
        name, alias = children
        return S.DataTypeDecl(name, alias=alias, span=span)

    def data_type_record(self, span, children):
        name, *rest = children
        words = [t.type for t in rest if isinstance(t, Token)]
        rest = [r for r in rest if not isinstance(r, Token)]
        fields = [f for group in rest for f in group]
        return S.DataTypeDecl(
            name, fields=fields, packed="PACKED" in words, mobile="MOBILE" in words, span=span
        )

    def chan_type_decl(self, span, children):
        recursive, (name, _mobile, *groups) = _recursive_first(children)
        fields = [f for group in groups for f in group]
        return S.ChanTypeDecl(name, fields, recursive=recursive, span=span)

    def chan_field(self, span, children):
        type_, *ends = children
        return [S.ChanField(type_, name, direction, span=name.span) for name, direction in ends]

    def field_end(self, span, children):
        name, direction = children
        return name, direction

    def end_type(self, span, children):
        *shared, name, mark = children  # mark: an END_MARK token, or a direction's text
        return S.EndType(name, str(mark), shared=bool(shared), span=span)

    def ends_allocation(self, span, children):
        _mobile, name = children
        return S.EndsAllocation(name, span=span)

    def barrier_allocation(self, span, children):
        return S.BarrierAllocation(span=span)

    def field_decl(self, span, children):
        type_, names = children
        return [S.Field(type_, name, span=name.span) for name in names]

    # ---- types
    def primitive_type(self, span, children):
        return S.PrimType(children[0].value, span=span)

    size_element = primitive_type

    def named_type(self, span, children):
        return S.NamedType(children[0], span=span)

    def array_type(self, span, children):
        size, elem = children
        return S.ArrayType(size, elem, span=span)

    def open_array_type(self, span, children):
        return S.ArrayType(None, children[0], span=span)

    def chan_type(self, span, children):
        return S.ChanType(children[0], span=span)

    def shared_chan_type(self, span, children):
        *direction, protocol = [c for c in children if not isinstance(c, Token)]  # SHARED is kept
        return S.ChanType(protocol, shared=direction[0] if direction else "?!", span=span)

    def mobile_type(self, span, children):
        _mobile, inner = children
        return S.MobileType(inner, span=span)

    def mobile_allocation(self, span, children):
        _mobile, *sizes, t = children
        return S.MobileAllocation(_array_type(sizes, t, span), span=span)

    def clone(self, span, children):
        return S.Clone(children[0], span=span)

    def defined(self, span, children):
        return S.Defined(children[0], span=span)

    def timer_type(self, span, children):
        return S.TimerType(span=span)

    def barrier_type(self, span, children):
        return S.BarrierType(span=span)

    def any_protocol(self, span, children):
        return S.AnyProtocol(span=span)

    # ---- processes
    def specified(self, span, children):
        *specs, body = children
        return S.Specified(specs, body, span=span)

    def skip(self, span, children):
        return S.Skip(span=span)

    def stop(self, span, children):
        return S.Stop(span=span)

    def assignment(self, span, children):
        *targets, values = children
        return S.Assign(targets, values, span=span)

    def output(self, span, children):
        chan, *items = children
        return S.Output(chan, items, span=span)

    def input(self, span, children):
        chan, *items = children
        return S.Input(chan, items, span=span)

    input_guard = input

    def counted_item(self, span, children):
        count, array = children
        return S.CountedItem(count, array, span=span)

    def delay(self, span, children):
        timer, time = children
        return S.Delay(timer, time, span=span)

    delay_guard = delay

    def case_input(self, span, children):
        chan, *variants = children
        return S.CaseInput(chan, variants, span=span)

    def tagged_input(self, span, children):
        chan, tag, *items = children
        variant = S.Variant([], tag, items, S.Skip(span=span), span=span)
        return S.CaseInput(chan, [variant], span=span)

    def variant(self, span, children):
        specs = [c for c in children if _is_spec(c)]
        tag, *items, body = children[len(specs) :]
        return S.Variant(specs, tag, items, body, span=span)

    def proc_call(self, span, children):
        name, *args = children
        return S.ProcCall(name, args[0] if args else [], span=span)

    def fork(self, span, children):
        name, *args = children
        return S.Fork(S.ProcCall(name, args[0] if args else [], span=span), span=span)

    def forking(self, span, children):
        return S.Forking(children[0], span=span)

    def suspend(self, span, children):
        return S.Suspend(span=span)

    def actuals(self, span, children):
        return list(children)

    def size_of(self, span, children):
        (operand,) = children
        return S.Unary("SIZE", operand, span=span)

    def size_of_type(self, span, children):
        """`SIZE [4][2]INT`: the first size of an array type written out."""
        *sizes, t = children
        return S.SizeOfType(_array_type(sizes, t, span), span=span)

    def bytes_in(self, span, children):
        return S.BytesIn(children[0], span=span)

    def offset_of(self, span, children):
        record, field = children
        return S.OffsetOf(record, field, span=span)

    def size_of_end(self, span, children):
        element, _direction = children  # `SIZE c?': the size of the array, whichever end
        return S.Unary("SIZE", element, span=span)

    def chan_end_in(self, span, children):
        return S.ChanEnd(children[0], "?", span=span)

    def chan_end_out(self, span, children):
        return S.ChanEnd(children[0], "!", span=span)

    def sync(self, span, children):
        return S.Sync(children[0], span=span)

    def resign(self, span, children):
        barrier, body = children
        return S.Resign(barrier, body, span=span)

    def claim(self, span, children):
        chan, *direction, body = children
        return S.Claim(chan, direction[0] if direction else None, body, span=span)

    # ---- occam-pi's extended rendezvous (`??')
    def extended_input(self, span, children):
        chan, *rest = children
        items, (during, after) = _items_and_body(rest)
        return S.ExtendedInput(chan, items, during, after, span=span)

    def extended_case_input(self, span, children):
        chan, *variants = children
        return S.ExtendedCaseInput(chan, variants, span=span)

    def extended_tagged_input(self, span, children):
        chan, tag, *rest = children
        items, (during, after) = _items_and_body(rest)
        variant = S.Variant([], tag, items, during, after, span=span)
        return S.ExtendedCaseInput(chan, [variant], span=span)

    def extended_variant(self, span, children):
        specs = [c for c in children if _is_spec(c)]
        tag, *rest = children[len(specs) :]
        items, (during, after) = _items_and_body(rest)
        return S.Variant(specs, tag, items, during, after, span=span)

    # ---- constructions
    def _pri(self, children):
        if children and isinstance(children[0], Token) and children[0].type == "PRI":
            return True, children[1:]
        return False, children

    def _body(self, children):
        """(replicator, components) from a construction's children."""
        if children and isinstance(children[0], S.Replicator):
            return children[0], [children[1]]
        return None, (children[0] if children else [])

    def seq(self, span, children):
        replicator, body = self._body(children)
        return S.Seq(body, replicator, span=span)

    def par(self, span, children):
        pri, children = self._pri(children)
        enroll = [c for c in children if isinstance(c, _Enroll)]
        children = [c for c in children if not isinstance(c, _Enroll)]
        replicator, body = self._body(children)
        return S.Par(body, replicator, pri, enroll[0].names if enroll else [], span=span)

    def placed_par(self, span, children):
        replicator, items = self._body(children)
        processors = [number for number, _ in items]
        return S.Par([body for _, body in items], replicator, processors=processors, span=span)

    def processor(self, span, children):
        return tuple(children)  # (number, process), taken apart by placed_par

    def enroll(self, span, children):
        return _Enroll(children[0])

    def process_block(self, span, children):
        return list(children)

    choice_block = option_block = alternative_block = processor_block = process_block

    def replicator(self, span, children):
        name, base, count, *step = children
        return S.Replicator(name, base, count, step[0] if step else None, span=span)

    def if_(self, span, children):
        replicator, choices = self._body(children)
        return S.If(choices, replicator, span=span)

    def guarded_choice(self, span, children):
        specs = [c for c in children if _is_spec(c)]
        *conditions, body = children[len(specs) :]
        if len(conditions) > 1:  # `a, b' reads like the targets of an assignment (see the grammar)
            raise CompileError.at(conditions[1].span, "an IF choice has one condition, not a list")
        return S.Choice(specs, conditions[0], body, span=span)

    def nested_choice(self, span, children):
        *specs, nested = children
        return S.Choice(specs, None, None, nested, span=span)

    def while_(self, span, children):
        condition, body = children
        return S.While(condition, body, span=span)

    def case(self, span, children):
        selector, *options = children
        return S.Case(selector, options[0] if options else [], span=span)

    def option(self, span, children):
        specs = [c for c in children if _is_spec(c)]
        *values, body = children[len(specs) :]
        return S.Option(specs, values, body, span=span)

    def else_option(self, span, children):
        *specs, body = children
        return S.Option(specs, [], body, is_else=True, span=span)

    def alt(self, span, children):
        pri, children = self._pri(children)
        replicator, alternatives = self._body(children)
        return S.Alt(alternatives, replicator, pri, span=span)

    def guarded_alternative(self, span, children):
        *specs, guard, body = children
        if isinstance(guard.guard, S.CaseInput):  # `c ? CASE tag; x': the body is the variant's
            guard.guard.variants[0].body = body
            return S.Alternative(specs, guard, None, span=span)
        return S.Alternative(specs, guard, body, span=span)

    def case_alternative(self, span, children):
        specs = [c for c in children if _is_spec(c)]
        guard, *variants = children[len(specs) :]
        guard.guard.variants = variants
        if variants:
            guard.guard.span = guard.guard.span.to(variants[-1].span)
        return S.Alternative(specs, guard, None, span=span)

    tagged_guard = tagged_input  # `c ? CASE tag; x' as a guard: its body comes with the alternative

    def extended_alternative(self, span, children):
        specs = [c for c in children if _is_spec(c)]
        guard, *body = children[len(specs) :]
        during, after = body if len(body) == 2 else (body[0], None)
        extended = guard.guard
        if isinstance(extended, S.ExtendedCaseInput):  # `c ?? CASE tag; x'
            extended.variants[0].body, extended.variants[0].after = during, after
        else:
            extended.during, extended.after = during, after
        return S.Alternative(specs, guard, None, span=span)

    def extended_case_alternative(self, span, children):
        specs = [c for c in children if _is_spec(c)]
        guard, *variants = children[len(specs) :]
        guard.guard.variants = variants
        guard.guard.span = guard.guard.span.to(variants[-1].span)
        return S.Alternative(specs, guard, None, span=span)

    def extended_guard(self, span, children):
        """`[cond &] c ?? x; ...': read as a dyadic expression's operands (see the
        grammar), so the operator between them must be `??'."""
        at = next(i for i, c in enumerate(children) if isinstance(c, str))
        precondition = children[0] if at == 2 else None
        chan, op, items = children[at - 1], children[at], children[at + 1 :]
        if op != "??":
            raise CompileError.at(span, f"an ALT guard inputs with `?' or `??', not `{op}'")
        extended = S.ExtendedInput(chan, items, S.Skip(span=span), span=chan.span.to(span))
        return S.Guard(precondition, extended, span=span)

    def extended_tagged_guard(self, span, children):
        precondition, (chan, tag, *items) = _guard_parts(children)
        variant = S.Variant([], tag, items, S.Skip(span=span), span=span)
        return S.Guard(precondition, S.ExtendedCaseInput(chan, [variant], span=chan.span.to(span)), span=span)

    def extended_case_guard(self, span, children):
        precondition, (chan,) = _guard_parts(children)
        return S.Guard(precondition, S.ExtendedCaseInput(chan, [], span=chan.span.to(span)), span=span)

    def nested_alternative(self, span, children):
        *specs, nested = children
        return S.Alternative(specs, None, None, nested, span=span)

    def guard(self, span, children):
        *precondition, guard = children
        return S.Guard(precondition[0] if precondition else None, guard, span=span)

    def skip_guard(self, span, children):
        return S.Guard(children[0] if children else None, None, span=span)

    def case_guard(self, span, children):
        *precondition, chan = children
        case_input = S.CaseInput(chan, [], span=chan.span.to(span))
        return S.Guard(precondition[0] if precondition else None, case_input, span=span)

    # ---- expressions
    def expression_list(self, span, children):
        return list(children)

    def monadic(self, span, children):
        op, operand = children
        return S.Unary(op, operand, span=span)

    def dyadic(self, span, children):
        left, op, right = children
        return S.Binary(op, left, right, span=span)

    def and_chain(self, span, children):
        return _chain("AND", children)

    def or_chain(self, span, children):
        return _chain("OR", children)

    def monadic_op(self, span, children):
        return children[0].value

    dyadic_op = round_mode = monadic_op

    def most_pos(self, span, children):
        return S.MostPos(children[0], span=span)

    def most_neg(self, span, children):
        return S.MostNeg(children[0], span=span)

    def conversion(self, span, children):
        target, *mode, operand = children
        return S.Conversion(target, mode[0] if mode else None, operand, span=span)

    def function_call(self, span, children):
        name, *args = children
        return S.Call(name, args[0] if args else [], span=span)

    def table(self, span, children):
        children = list(children)
        explicit = children.pop() if isinstance(children[-1], S.Type) else None
        return S.ArrayLit(list(children), explicit, span=span)

    def table_from_equal(self, span, children):
        """`[a = b, c]`: a table whose first item compares a name."""
        children = list(children)
        explicit = children.pop() if isinstance(children[-1], S.Type) else None
        name, right, *rest = children
        first = S.Binary("=", name, right, span=name.span.to(right.span))
        return S.ArrayLit([first, *rest], explicit, span=span)

    def array_constructor(self, span, children):
        name, base, count, *step, value = children
        replicator = S.Replicator(name, base, count, step[0] if step else None, span=name.span.to((step or [count])[0].span))
        return S.ArrayConstructor(replicator, value, span=span)

    def subscript(self, span, children):
        base, index = children
        return S.Subscript(base, index, span=span)

    def table_subscript(self, span, children):
        """`[1, 2, 4][i]`: a table of two or more items, subscripted."""
        *items, index = children
        last = items[-1].span
        table_span = Span(span.file, span.line, span.col, last.end_line, last.end_col + 1)
        return S.Subscript(S.ArrayLit(items, span=table_span), index, span=span)

    def end_slice_from_for(self, span, children):
        """`[c? FROM i FOR n]`: the input ends of a slice of a channel array."""
        base, direction, start, count = children
        return S.ChanEnd(S.Slice(base, start, count, span=span), direction, span=span)

    def end_slice_from(self, span, children):
        base, direction, start = children
        return S.ChanEnd(S.Slice(base, start, None, span=span), direction, span=span)

    def end_slice_for(self, span, children):
        base, direction, count = children
        return S.ChanEnd(S.Slice(base, None, count, span=span), direction, span=span)

    def slice_from_for(self, span, children):
        base, start, count = children
        return S.Slice(base, start, count, span=span)

    def slice_from(self, span, children):
        base, start = children
        return S.Slice(base, start, None, span=span)

    def slice_for(self, span, children):
        base, count = children
        return S.Slice(base, None, count, span=span)

    def name(self, span, children):
        return S.Name(children[0].value, span=self._tok_span(children[0]))

    # ---- literals
    def literal_type(self, span, children):
        return children[0]

    def _typed(self, kind, value, span, children, **extra):
        explicit = children[1] if len(children) > 1 else None
        return S.Literal(kind, value, explicit, span=span, **extra)

    def int_literal(self, span, children):
        return self._typed("int", int(children[0].value), span, children)

    def hex_literal(self, span, children):
        return self._typed("int", int(children[0].value[1:], 16), span, children, hex=True)

    def real_literal(self, span, children):
        return self._typed("real", children[0].value, span, children)

    def byte_literal(self, span, children):
        tok = children[0]
        data = self._decode(tok, tok.value[1:-1])
        if len(data) != 1:
            raise CompileError.at(self._tok_span(tok), "a byte literal holds exactly one byte")
        return self._typed("byte", data[0], span, children)

    def string_literal(self, span, children):
        tok = children[0]
        return S.Literal("string", self._decode(tok, tok.value[1:-1], string=True), span=span)

    def true_literal(self, span, children):
        return S.Literal("bool", True, children[0] if children else None, span=span)

    def false_literal(self, span, children):
        return S.Literal("bool", False, children[0] if children else None, span=span)

    def _decode(self, tok: Token, body: str, string: bool = False) -> bytes:
        try:
            return decode_occam_text(body, string=string)
        except BadEscape as bad:
            before = body[: bad.offset]
            line = tok.line + before.count("\n")
            col = (len(before) - before.rfind("\n")) if "\n" in before else tok.column + 1 + len(before)
            raise CompileError.at(
                Span(self.filename, line, col, line, col + len(bad.escape)),
                bad.message or f"unknown escape `{bad.escape}' (use *n *c *t *s ** *\" *' or *#hh)",
            ) from None


def _recursive_first(children: list) -> tuple[bool, list]:
    """(whether the routine was declared RECURSIVE, its other children)."""
    if children and children[0] is True:
        return True, children[1:]
    return False, children


@dataclass
class _Enroll:
    """`ENROLL b, c' on its way into the Par."""

    names: list


def _items_and_body(rest: list) -> tuple[list, tuple]:
    """An extended input's items, and its (during, after) processes."""
    processes = [c for c in rest if isinstance(c, S.Process)]
    items = rest[: len(rest) - len(processes)]
    return items, (processes[0], processes[1] if len(processes) == 2 else None)


def _guard_parts(children: list) -> tuple:
    """A guard whose rule keeps its tokens: (precondition or None, its other values)."""
    values = [c for c in children if not isinstance(c, Token)]
    has_precondition = any(isinstance(c, Token) and c.value == "&" for c in children)
    return (values[0], values[1:]) if has_precondition else (None, values)


def _array_type(sizes: list, elem: S.Type, span: Span) -> S.ArrayType:
    """`[h][w]T` from its sizes, outermost first, and its element type."""
    for size in reversed(sizes):
        elem = S.ArrayType(size, elem, span=span)
    return elem


def _chain(op: str, operands: list) -> S.Binary:
    """``a AND b AND c`` as ``(a AND b) AND c``: each step spans its own operands."""
    expr = operands[0]
    for right in operands[1:]:
        expr = S.Binary(op, expr, right, span=expr.span.to(right.span))
    return expr
