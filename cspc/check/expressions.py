"""Typing and folding expressions (part of the resolver).

Each ``expr_<Node>`` method gives the type of one kind of expression node,
typing its operands first; ``want`` is the type the context expects, which
types context-dependent literals (see :mod:`cspc.check.literals`).  occam has
no implicit conversions: the operands of a dyadic operator have one type,
conversions are written.  Constant expressions are folded into ``Expr.const``
with occam's arithmetic (:mod:`cspc.check.constants`).

A named type (`DATA TYPE MYINT IS INT:`) is a type of its own: it meets no
other type in an operator, but its operators, conversions, MOSTPOS/MOSTNEG,
subscripts and fields are its base's (``types.base``), and arithmetic keeps it
(MYINT + MYINT is a MYINT; MYINT < MYINT a BOOL).

One file, over 600 lines: one method per expression node, as the dispatch in resolve.py
expects; literals, constants and calls are already modules of their own.
"""

from __future__ import annotations

from contextlib import contextmanager

from cspc import syntax as S
from cspc.check import layout as L
from cspc.check import types as T
from cspc.check.access import described_end, is_mobile_var, root_name, rule_for
from cspc.check.constants import ConstError, fold_binary, fold_conversion, fold_unary
from cspc.check.literals import named_shape, type_literal
from cspc.check.scopes import KIND_WORDS

ARITHMETIC = {"+", "-", "*", "/", "\\", "REM"}
WRAPPING = {"PLUS", "MINUS", "TIMES"}
BITWISE = {"/\\", "\\/", "><", "BITAND", "BITOR"}
SHIFTS = {"<<", ">>"}
EQUALITY = {"=", "<>"}
ORDERING = {"<", ">", "<=", ">="}
BOOLEAN = {"AND", "OR"}
USER_ONLY = S.USER_OPERATORS  # operators that mean something only as a FUNCTION defines them


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


# A VALOF in an expression is checked under the rules of a FUNCTION: this one.
_VALOF_EXPRESSION = S.FunctionDecl([], S.Name("(VALOF ...)"), [], [])


def _operand_shapes(types: list) -> list[list]:
    """The parameter types an operator FUNCTION could have for operands of
    ``types``: each as it is, or, for an array, with its outer size open."""
    options = [[t] + ([S.ArrayType(None, t.elem)] if isinstance(t, S.ArrayType) and t.size is not None else [])
               for t in types]
    shapes = [[]]
    for choice in options:
        shapes = [shape + [t] for shape in shapes for t in choice]
    return shapes


class ExpressionRules:
    """The expression half of :class:`cspc.check.resolve.Resolver`."""

    def expr(self, e: S.Expr, want: S.Type | None = None) -> S.Type:
        """Type ``e`` (``want`` types context-typed literals), fold it, return its type."""
        if e.type is not None:  # already typed (an item visited twice after an error)
            return e.type
        t = rule_for(self, "expr_", e)(e, want)
        e.type = t if t is not None else T.UNKNOWN
        self.alias_use(e)
        return e.type

    def expr_Name(self, e: S.Name, want) -> S.Type:
        symbol = self.lookup(e)
        if symbol is None:
            return T.UNKNOWN
        if symbol.kind in ("variable", "abbreviation", "value", "channel", "timer", "barrier"):
            decl = symbol.decl
            if symbol.kind == "value" and isinstance(decl, S.Abbreviation):
                # Only a value of the declared type (a mismatch was reported at the
                # abbreviation): `VAL INT k IS MOSTPOS REAL32:` must not make k a float.
                if T.same_type(symbol.type, decl.value.type):
                    e.const = decl.value.const
            return symbol.type if symbol.type is not None else T.UNKNOWN
        self.error(e.span, f"`{symbol.name}' is {KIND_WORDS.get(symbol.kind, symbol.kind)}, not a value")
        return T.UNKNOWN

    def expr_Literal(self, e: S.Literal, want) -> S.Type:
        if e.explicit is not None and T.is_unknown(self.data_type(e.explicit)):
            return T.UNKNOWN
        return type_literal(e, want, self.error)

    def expr_ArrayLit(self, e: S.ArrayLit, want) -> S.Type:
        if e.explicit is not None:
            return self.typed_table(e, self.data_type(e.explicit))
        if want is not None and self.record_of(want) is not None:
            return self.typed_table(e, want)  # `p := [3, 4]' with p a POINT
        shape = T.base(want)
        hint = shape.elem if isinstance(shape, S.ArrayType) else None
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
        return named_shape(S.ArrayType(size_literal(len(e.items), e.span), elem, span=e.span), want)

    def typed_table(self, e: S.ArrayLit, t: S.Type) -> S.Type:
        """`[3, 4](POINT)`, or `[3, 4]` where a POINT is wanted: a record's fields
        in order; `[1, 2](PAIR)`: a named array type's elements."""
        if T.is_unknown(t):
            for item in e.items:
                self.expr(item)
            return T.UNKNOWN
        fields = self.record_of(t)
        shape = T.base(t)
        if fields is not None:
            wanted = [f.type for f in fields.values()]
            what = f"the record `{T.type_str(t)}' has {len(wanted)} field{'s' if len(wanted) != 1 else ''}"
        elif isinstance(shape, S.ArrayType) and shape is not t:
            size = T.array_size(shape)
            wanted = [shape.elem] * (len(e.items) if size is None else size)
            what = f"`{T.type_str(t)}' has {len(wanted)} element{'s' if len(wanted) != 1 else ''}"
        else:
            for item in e.items:
                self.expr(item)
            self.error(e.explicit.span, f"a table's type must be a record or a named array type, not {T.type_str(t)}")
            return T.UNKNOWN
        if len(e.items) != len(wanted):
            self.error(e.span, f"{what}, but the table has {len(e.items)} item{'s' if len(e.items) != 1 else ''}")
        for item, field in zip(e.items, wanted):
            got = self.expr(item, field)
            if not T.same_type(got, field) and not T.is_unknown(got):
                self.error(item.span, f"type mismatch in table: {T.type_str(field)} wanted, not {T.type_str(got)}")
        for item in e.items[len(wanted) :]:
            self.expr(item)
        return t

    def expr_ArrayConstructor(self, e: S.ArrayConstructor, want) -> S.Type:
        shape = T.base(want)
        hint = shape.elem if isinstance(shape, S.ArrayType) else None
        elem: list[S.Type] = []
        self.replicated(e.replicator, lambda: elem.append(self.expr(e.value, hint)))
        if isinstance(elem[0], T.ResultsType):
            self.error(e.value.span, "an array constructor's value is one value, not a FUNCTION's several results")
            return T.UNKNOWN
        count = e.replicator.count.const
        if isinstance(count, int) and count < 0:
            self.error(e.replicator.count.span, f"an array constructor's count cannot be negative: it is {count}")
        size = size_literal(count, e.span) if isinstance(count, int) else None
        return named_shape(S.ArrayType(size, elem[0], span=e.span), want)

    def data_type(self, t: S.Type) -> S.Type:
        """The type named in a conversion, a typed literal or MOSTPOS/MOSTNEG:
        resolved, or UNKNOWN when its name is not declared or names no type
        (reported once, by ``type_``)."""
        self.type_(t)
        if isinstance(t, S.NamedType):
            symbol = t.name.symbol
            if symbol is None or symbol.kind not in ("record", "protocol"):
                return T.UNKNOWN
        return t

    def expr_Subscript(self, e: S.Subscript, want) -> S.Type:
        self.part_of_element(e.base)
        written = self.expr(e.base)
        base = T.base(written)
        if T.is_unknown(base):
            self.expr(e.index, T.INT)
            return T.UNKNOWN
        record = self.record_of(base)
        if record is not None:
            return self.field(e, record)
        if not isinstance(base, S.ArrayType):
            self.expr(e.index, T.INT)
            self.error(e.base.span, f"cannot subscript {T.type_str(written)}: it is not an array")
            return T.UNKNOWN
        index = self.expr(e.index, T.INT)
        if not T.is_unknown(index) and T.prim(index) != "INT":
            self.error(e.index.span, f"an array subscript must be INT, not {T.type_str(index)}")
        size = T.array_size(base)
        if isinstance(e.index.const, int) and size is not None and not 0 <= e.index.const < size:
            if not self.unevaluated:
                self.error(e.index.span, f"subscript {e.index.const} is out of range for {T.type_str(base)}")
        elif (
            isinstance(e.base.const, tuple)
            and isinstance(e.index.const, int)
            and 0 <= e.index.const < len(e.base.const)
        ):
            e.const = e.base.const[e.index.const]
        if T.is_mobile(base.elem):  # an element of an array of mobiles is a mobile
            e.mobile = True
        return T.unmobile(base.elem)

    def record_of(self, t) -> dict[str, S.Symbol] | None:
        """The fields of a record type, or of the CHAN TYPE an end belongs to."""
        if isinstance(t, S.EndType):
            return self.fields.get(id(t.name.symbol)) if t.name.symbol is not None else None
        t = T.base(t)  # `DATA TYPE Q IS POINT:' has POINT's fields
        if isinstance(t, S.NamedType) and t.name.symbol is not None and t.name.symbol.kind == "record":
            return self.fields.get(id(t.name.symbol))
        return None

    def field(self, e: S.Subscript, fields: dict[str, S.Symbol]) -> S.Type:
        index = e.index
        end = isinstance(e.base.type, S.EndType)
        if not isinstance(index, S.Name):
            self.expr(index)
            what = "an end of a CHAN TYPE: select a channel" if end else "a record: select a field"
            self.error(index.span, f"`{T.type_str(e.base.type)}' is {what} by its name")
            return T.UNKNOWN
        symbol = fields.get(index.name)
        if symbol is None:
            of = f"CHAN TYPE `{e.base.type.name.name}'" if end else f"`{T.type_str(e.base.type)}'"
            self.error(index.span, f"`{index.name}' is not a field of {of}")
            index.type = T.UNKNOWN
            return T.UNKNOWN
        index.symbol = symbol
        index.type = symbol.type
        self.uses[id(symbol)] += 1
        return symbol.type

    def expr_Slice(self, e: S.Slice, want) -> S.Type:
        self.part_of_element(e.base)
        written = self.expr(e.base)
        base = T.base(written)
        for part in (e.start, e.count):
            if part is not None:
                self.expect(part, T.INT, "array slice")
        if T.is_unknown(base):
            return T.UNKNOWN
        if not isinstance(base, S.ArrayType):
            self.error(e.base.span, f"cannot slice {T.type_str(written)}: it is not an array")
            return T.UNKNOWN
        size = T.array_size(base)
        start = e.start.const if e.start is not None else 0
        count = (
            e.count.const
            if e.count is not None
            else (size - start if size is not None and isinstance(start, int) else None)
        )
        if isinstance(start, int) and isinstance(count, int):
            if (start < 0 or count < 0 or size is not None and start + count > size) and not self.unevaluated:
                self.error(e.span, f"slice [{start} FOR {count}] is out of range for {T.type_str(base)}")
        size_expr = size_literal(count, e.span) if isinstance(count, int) else None
        return S.ArrayType(size_expr, base.elem, span=e.span)

    def expr_Binary(self, e: S.Binary, want) -> S.Type:
        op = e.op
        if isinstance(e.left, S.ExprList) or isinstance(e.right, S.ExprList):
            return self.list_comparison(e)
        if op in self.user_operators or op in USER_ONLY:
            found = self.user_operator(e, [e.left, e.right], None if op in EQUALITY | ORDERING | {"AFTER"} else want)
            if found is not None:
                return found
        if op in BOOLEAN:
            t = self.logical(e, op)
            self.fold(e, lambda: fold_binary(op, e.left.const, e.right.const, T.BOOL), e.left, e.right)
            return t
        if op in SHIFTS:
            left = self.expr(e.left, want)
            self.expect(e.right, T.INT, f"shift count of `{op}'")
            if not T.is_unknown(left) and not T.is_integer(T.base(left)):
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
            self.operand_mismatch(e, left, right)
            return T.BOOL if result_is_bool else T.UNKNOWN
        operand = right if T.is_unknown(left) else left
        if not T.is_unknown(operand) and not self.operator_accepts(op, T.base(operand)):
            self.error(e.span, f"`{op}' cannot be applied to {T.type_str(operand)}")
            return T.BOOL if result_is_bool else T.UNKNOWN
        self.fold(e, lambda: fold_binary(op, e.left.const, e.right.const, operand), e.left, e.right)
        return T.BOOL if result_is_bool else operand

    def list_comparison(self, e: S.Binary) -> S.Type:
        """`(a, b) = (e, f)`: two lists of as many items, compared item by
        item; `=' holds when every pair is equal, `<>' when some pair differs."""
        lists = (e.left, e.right)
        if e.op not in EQUALITY or not all(isinstance(x, S.ExprList) for x in lists):
            for x in lists:
                self.expr(x, None)
            return T.BOOL
        left, right = e.left.items, e.right.items
        if len(left) != len(right):
            self.error(e.span, f"`{e.op}' compares a list of {len(left)} items with one of {len(right)}: "
                               "they need as many")
            return T.BOOL
        types, equal = [], []
        for a, b in zip(left, right):
            if untyped(a) and not untyped(b):
                tb = self.expr(b, None)
                ta = self.expr(a, tb)
            else:
                ta = self.expr(a, None)
                tb = self.expr(b, ta)
            t = tb if T.is_unknown(ta) else ta
            if not T.same_type(ta, tb):
                self.error(b.span, f"this item is {T.type_str(tb)}, the one it is compared with "
                                   f"{T.type_str(ta)}")
            elif not T.is_unknown(t) and not self.operator_accepts("=", T.base(t)):
                self.error(b.span, f"`{e.op}' cannot compare {T.type_str(t)}")
            elif a.const is not None and b.const is not None:
                equal.append(fold_binary("=", a.const, b.const, t))
            types.append(t)
        e.left.type = e.right.type = T.ResultsType(types)
        if len(equal) == len(left):
            e.const = all(equal) if e.op == "=" else not all(equal)
        return T.BOOL

    def expr_ExprList(self, e: S.ExprList, want) -> S.Type:
        self.error(e.span, "a list in brackets, `(a, b)', can only be compared with another list, "
                           "by `=' or `<>'")
        for item in e.items:
            self.expr(item, None)
        return T.UNKNOWN

    @contextmanager
    def never_evaluated(self, never: bool):
        """Check what the ``with`` block checks as code that never runs, if
        ``never``: its constant subscripts are not range-checked."""
        self.unevaluated += never
        try:
            yield
        finally:
            self.unevaluated -= never

    def logical(self, e: S.Binary, op: str) -> S.Type:
        """The operands of AND and OR: both BOOL, or both of one type named over BOOL
        (which the result then has)."""
        left = self.expr(e.left, T.BOOL)
        # `FALSE AND e', `TRUE OR e': e is never evaluated, so its constant
        # subscripts are not range-checked (occ21 folds the operator first).
        decided = e.left.const is (op == "OR")
        with self.never_evaluated(decided):
            right = self.expr(e.right, T.BOOL)
        if decided:
            e.const = e.left.const
        named = [t for t in (left, right) if is_named_bool(t)]
        if not named:
            for operand, t in ((e.left, left), (e.right, right)):
                if not T.is_unknown(t) and T.prim(t) != "BOOL":
                    self.error(operand.span, f"an operand of {op} must be BOOL, not {T.type_str(t)}")
            return T.BOOL
        if not T.same_type(left, right):
            self.operand_mismatch(e, left, right)
            return T.UNKNOWN
        return named[0]

    def operand_mismatch(self, e: S.Binary, left, right) -> None:
        self.error(
            e.span,
            f"type mismatch in operands of `{e.op}': {T.type_str(left)} and {T.type_str(right)}",
            (e.left.span, f"left operand is {T.type_str(left)}"),
            (e.right.span, f"right operand is {T.type_str(right)}"),
        )

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
        if op in self.user_operators or op in USER_ONLY:
            found = self.user_operator(e, [e.operand], want)
            if found is not None:
                return found
        if op == "SIZE":
            named = self.type_named_by(e.operand)
            if named is not None:  # `SIZE VECTOR', a named array type
                return self.size_of_type(e, named)
            self.part_of_element(e.operand)  # the size of an array is no use of its elements
            t = self.expr(e.operand)
            if not T.is_unknown(t) and not isinstance(T.base(t), S.ArrayType):
                self.error(e.operand.span, f"SIZE needs an array, not {T.type_str(t)}")
            e.const = T.array_size(T.base(t))
            return T.INT
        if op == "NOT":
            t = self.expr(e.operand, T.BOOL)
            if not is_named_bool(t):
                if not T.is_unknown(t) and T.prim(t) != "BOOL":
                    self.error(e.operand.span, f"the operand of NOT must be BOOL, not {T.type_str(t)}")
                t = T.BOOL
            self.fold(e, lambda: fold_unary(op, e.operand.const, T.BOOL), e.operand)
            return t
        t = self.expr(e.operand, want)
        accepts = T.is_numeric if op == "-" else T.is_integer
        if not T.is_unknown(t) and not accepts(T.base(t)):
            self.error(e.span, f"`{op}' cannot be applied to {T.type_str(t)}")
            return T.UNKNOWN
        self.fold(e, lambda: fold_unary(op, e.operand.const, t), e.operand)
        return t

    def user_operator(self, e: S.Binary | S.Unary, operands: list[S.Expr], want):
        """The result type of ``e`` if a FUNCTION in scope defines its operator
        for its operands' types (``e.operator`` is then bound to it), else None.
        An operator with no meaning of its own (`**') must be defined.
        ``want`` is the type the context gives the operands, if any."""
        types = self.operand_types(e.op, operands, want)
        if types is None:
            return None
        if any(T.is_unknown(t) for t in types):
            return T.UNKNOWN
        symbol = None
        for shape in _operand_shapes(types):  # exact types first, then open arrays
            key = T.operator_key(e.op, shape)
            symbol = self.scopes.lookup(key)
            if symbol is not None and symbol.kind == "function":
                break
        if symbol is None or symbol.kind != "function":
            if e.op in USER_ONLY:
                self.error(e.span, f"no FUNCTION defines `{e.op}' for {' and '.join(T.type_str(t) for t in types)}")
                return T.UNKNOWN
            return None
        self.uses[id(symbol)] += 1
        e.operator = S.Name(key, span=e.span)
        e.operator.symbol = symbol
        return symbol.decl.results[0]

    def operand_types(self, op: str, operands: list[S.Expr], want) -> list | None:
        """The operands' types for finding an operator FUNCTION (None: the
        operator is the built-in one).  A literal (an untyped operand: `0`,
        `-1`) takes the type of the other operand when a FUNCTION defines the
        operator for that pair, as `angle < 0` finds `BOOL FUNCTION "<" (VAL
        ANGLE a, b)`; otherwise its own (INT).  Operands that are all literals
        (`-1`) take the type the context wants, if a FUNCTION is defined for
        it; if not, the built-in operator (typed by the context) applies."""
        typed = [None if untyped(x) else self.expr(x) for x in operands]
        known = [t for t in typed if t is not None]
        if not known and want is not None and not T.is_unknown(want):
            if self.defines_operator(op, [want] * len(operands)):
                return [self.expr(x, want) for x in operands]
            if op not in USER_ONLY:
                return None
        if len(known) != 1 or len(operands) != 2 or T.is_unknown(known[0]):
            return [self.expr(x) if t is None else t for x, t in zip(operands, typed)]
        adopted = [known[0] if t is None else t for t in typed]
        adopt = known[0] if self.defines_operator(op, adopted) else None
        return [self.expr(x, adopt) if t is None else t for x, t in zip(operands, typed)]

    def defines_operator(self, op: str, types: list) -> bool:
        """Whether a FUNCTION in scope defines ``op`` for exactly these operand types."""
        symbol = self.scopes.lookup(T.operator_key(op, types))
        return symbol is not None and symbol.kind == "function"

    def type_named_by(self, e: S.Node) -> S.NamedType | None:
        """The DATA TYPE a name standing as an operand names (`SIZE VECTOR`,
        `BYTESIN (MYINT)`: the parser reads it as a name), else None."""
        if not isinstance(e, S.Name):
            return None
        symbol = self.scopes.lookup(e.name)
        if symbol is None or symbol.kind != "record":
            return None
        e.symbol = symbol
        return S.NamedType(e, span=e.span)

    def expr_BytesIn(self, e: S.BytesIn, want) -> S.Type:
        of = self.type_named_by(e.of) or e.of  # `BYTESIN (MYINT)'
        if isinstance(of, S.Type):
            self.type_(of)
            t = of
        else:
            self.part_of_element(of)  # its size, not its value
            t = self.expr(of)
        if T.is_unknown(t):
            return T.UNKNOWN
        shape = L.layout(t)
        if shape is None or isinstance(of, S.Type) and L.layout_bytes(shape) is None:
            self.error(e.span, f"BYTESIN needs data of known size (primitive types, records and arrays of them), "
                               f"not {T.type_str(t)}")
            return T.UNKNOWN
        e.const = L.layout_bytes(shape)  # None for an open array: counted as the program runs
        e.unit = (L.element_bytes(shape[0]), len(shape[1]))
        return T.INT

    def expr_OffsetOf(self, e: S.OffsetOf, want) -> S.Type:
        """`OFFSETOF (R, f)`: the byte offset of field f in the record type R."""
        symbol = self.lookup(e.record)
        if symbol is None:
            return T.UNKNOWN
        named = S.NamedType(e.record, span=e.record.span)
        decl = L.record_decl(T.alias_base(named)) if symbol.kind == "record" else None  # a named type over one too
        if decl is None:
            self.error(e.record.span, f"OFFSETOF needs a RECORD type, not `{symbol.name}'")
            return T.UNKNOWN
        field = self.fields[id(decl.name.symbol)].get(e.field.name)
        if field is None:
            self.error(e.field.span, f"`{e.field.name}' is not a field of `{symbol.name}'")
            return T.UNKNOWN
        e.field.symbol = field
        e.const = L.offset_of(decl, e.field.name)
        return T.INT if e.const is not None else T.UNKNOWN

    def expr_SizeOfType(self, e: S.SizeOfType, want) -> S.Type:
        self.type_(e.of)
        if T.array_size(e.of) is None:
            return T.UNKNOWN  # a size that is no constant: reported by type_
        return self.size_of_type(e, e.of)

    def size_of_type(self, e: S.Expr, t: S.Type) -> S.Type:
        """`SIZE VECTOR` (VECTOR a named array type), `SIZE [4]INT`: the count of the first dimension."""
        shape = T.base(t)
        if T.is_unknown(shape):
            return T.UNKNOWN
        if not isinstance(shape, S.ArrayType) or T.array_size(shape) is None:
            self.error(e.span, f"SIZE of a type needs an array type of known size, not {T.type_str(t)}")
            return T.UNKNOWN
        e.const = T.array_size(shape)
        return T.INT

    def expr_ValofExpr(self, e: S.ValofExpr, want) -> S.Type:
        """`(VALOF ... RESULT e)`: checked as a FUNCTION's body is, so it may
        change nothing declared outside it and may not communicate."""
        self.functions.append((_VALOF_EXPRESSION, self.scopes.depth))
        try:
            types = self.valof(e.valof, None)
        finally:
            self.functions.pop()
        if len(types) == 1:
            return types[0]
        return T.ResultsType(types)

    def expr_Conversion(self, e: S.Conversion, want) -> S.Type:
        """`INT x`, `REAL32 ROUND n`, and to or from a named type as its base
        allows (`MYINT x`, `INT m`, `MYREAL ROUND i`)."""
        target = self.data_type(e.target)
        source = self.expr(e.operand)
        if T.is_unknown(target):
            return T.UNKNOWN
        if T.is_unknown(source):
            return target
        to, of = T.base(target), T.base(source)
        if not isinstance(to, S.PrimType) or not isinstance(of, S.PrimType):
            self.error(e.span, f"cannot convert {T.type_str(source)} to {T.type_str(target)}")
            return target
        real_involved = T.is_real(of) or T.is_real(to)
        if T.prim(of) == "BOOL" and T.is_real(to) or T.prim(to) == "BOOL" and T.is_real(of):
            self.error(e.span, f"cannot convert {T.type_str(source)} to {T.type_str(target)}")
            return target
        needs_mode = (
            real_involved
            and T.prim(of) != T.prim(to)
            and not (T.prim(of) == "REAL32" and T.prim(to) == "REAL64")
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
        target = self.data_type(e.target)
        if T.is_unknown(target):
            return T.UNKNOWN
        shape = T.base(target)
        if T.is_integer(shape):
            e.const = T.int_range(shape)[end]
        elif T.is_real(shape):
            e.const = (3.4028234663852886e38 if T.prim(shape) == "REAL32" else 1.7976931348623157e308) * (
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
        if symbol.kind == "record":
            return self.call_conversion(e)
        if symbol.kind != "function":
            self.error(
                e.func.span, f"`{symbol.name}' is {KIND_WORDS.get(symbol.kind, symbol.kind)}, not a FUNCTION"
            )
            for arg in e.args:
                self.expr(arg)
            return T.UNKNOWN
        decl: S.FunctionDecl = symbol.decl
        self.arguments(symbol, decl.params, e.args, e.span)
        self.alias_call(symbol, e.span)
        if len(e.args) == len(decl.params):
            # Constant arguments of the parameters' types (a mistyped one was
            # reported, and its value is no INT to fold) make a constant call.
            constant = all(
                a.const is not None and not T.is_unknown(a.type) and T.same_type(a.type, p.type)
                for a, p in zip(e.args, decl.params)
            )
            if symbol.predefined:
                self.predefined_call(symbol, e, fold_it=constant and len(decl.results) == 1)
            elif constant:
                self.fold_user_call(symbol, e)
        if len(decl.results) == 1:
            return decl.results[0]
        return T.ResultsType(list(decl.results), span=e.span)

    def fold_user_call(self, symbol: S.Symbol, e: S.Call) -> None:
        """`f (3)` with `INT FUNCTION f (VAL INT x) IS x + 1:` is the constant 4,
        as in occ21 (check/calls.py); an error in working it out is one of the
        constant expression's."""
        from cspc.check.calls import fold_call

        try:
            e.const = fold_call(symbol, [a.const for a in e.args])
        except ConstError as err:
            self.error(e.span, f"{err} (in a constant call of `{symbol.name}')")

    def predefined_call(self, symbol: S.Symbol, e: S.Call, fold_it: bool) -> None:
        """What occ21 checks at a call of a predefined FUNCTION: a constant count
        beyond the word for the shifts that take one, and the value of a call
        with one result when its arguments are constants (a constant
        expression, as in KRoC)."""
        from cspc.check.constants import ConstError
        from cspc.check.predefined import count_problem, fold

        problem = count_problem(symbol.name, e.args)
        if problem is not None:
            self.error(e.args[1].span, problem)
            return
        if not fold_it:
            return
        try:
            e.const = fold(symbol.name, [a.const for a in e.args])
        except ConstError as err:
            self.error(e.span, str(err))

    def call_conversion(self, e: S.Call) -> S.Type:
        """`T (x)` with T a DATA TYPE reads like a call; it is the conversion `T x`
        (``Call.conversion``, which the code generator translates instead)."""
        if len(e.args) != 1:
            for arg in e.args:
                self.expr(arg)
            self.error(e.span, f"a conversion to `{e.func.name}' takes one operand, not {len(e.args)}")
            return T.UNKNOWN
        target = S.NamedType(e.func, span=e.func.span)
        e.conversion = S.Conversion(target, None, e.args[0], span=e.span)
        t = self.expr(e.conversion)
        e.const = e.conversion.const
        return t

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
            self.error(e.span, f"{described_end(name)} cannot be used for {verb}")
        return t

    # -- occam-pi mobile data

    def expr_MobileAllocation(self, e: S.MobileAllocation, want) -> S.Type:
        """`MOBILE [n]T', `MOBILE [h][w]T': every size given, any INT
        expression; the value fits a mobile of a named type over `MOBILE []T'."""
        t = e.target
        while isinstance(t, S.ArrayType):
            if t.size is None:
                self.error(t.span, "an allocation `MOBILE [n]T' needs every size")
            else:
                size = self.expr(t.size, T.INT)
                if not T.is_unknown(size) and not T.is_integer(size):
                    self.error(t.size.span, f"array size must be an integer, not {T.type_str(size)}")
                elif isinstance(t.size.const, int) and t.size.const < 0:
                    self.error(t.size.span, f"array size must not be negative ({t.size.const})")
            if isinstance(t.elem, S.MobileType):
                self.error(t.elem.span, "an allocation of an array of mobiles (`MOBILE [n]MOBILE ...') is "
                                        "not supported yet: declare the array, `[n]MOBILE []T a:'")
                return T.UNKNOWN
            t = t.elem
        self.type_(t)
        if not T.is_unknown(t) and not T.is_data(t):
            self.error(e.span, f"a MOBILE array holds data, not {T.type_str(t)}")
            return T.UNKNOWN
        if isinstance(want, S.NamedType) and T.is_mobile(want) and T.same_type(T.base(want), e.target):
            return want
        return e.target

    def expr_EndsAllocation(self, e: S.EndsAllocation, want) -> S.Type:
        """`MOBILE T', T a CHAN TYPE: a new bundle; its type is T's client end.
        It stands only in `cli, svr := MOBILE T' (see ``ends_allocation``)."""
        self.mobile_named(e)
        if isinstance(e, S.ProcessAllocation):  # `MOBILE p', p a MOBILE PROC
            return self.expr_ProcessAllocation(e, want)
        symbol = self.lookup(e.name)
        if symbol is None:
            return T.UNKNOWN
        if symbol.kind != "chantype":
            self.error(e.name.span, f"`MOBILE {e.name.name}' allocates a CHAN TYPE's channels, and "
                                    f"`{e.name.name}' is {KIND_WORDS.get(symbol.kind, symbol.kind)}")
            return T.UNKNOWN
        if not self.allocating:
            self.error(e.span, f"`MOBILE {e.name.name}' makes both ends of a bundle of channels: "
                               f"assign it to the two, `cli, svr := MOBILE {e.name.name}'")
            return T.UNKNOWN
        return S.EndType(e.name, "!", span=e.span)

    def mobile_operand(self, e: S.Expr, what: str) -> S.Type:
        """The operand of CLONE or DEFINED: a mobile variable."""
        t = self.expr(e)
        if T.is_unknown(t):
            return t
        if not is_mobile_var(e):
            self.error(e.span, f"{what} needs a MOBILE variable")
            return T.UNKNOWN
        return t

    def expr_Clone(self, e: S.Clone, want) -> S.Type:
        t = self.mobile_operand(e.operand, "CLONE")
        if T.is_process_type(t):
            self.error(e.span, "CLONE of a mobile process is not supported yet")
            return T.UNKNOWN
        return t

    def expr_BarrierAllocation(self, e: S.BarrierAllocation, want) -> S.Type:
        return S.MobileType(S.BarrierType(span=e.span), span=e.span)

    def expr_Defined(self, e: S.Defined, want) -> S.Type:
        self.mobile_operand(e.operand, "DEFINED")
        return T.BOOL

    @staticmethod
    def moves(target: S.Expr | None, value: S.Expr) -> bool:
        """Does giving ``value`` to ``target`` (a mobile variable, or None for a
        mobile protocol item) move it?  Only a whole mobile moves; a CLONE,
        an allocation or any other value is a new one."""
        if target is not None and not is_mobile_var(target):
            return False
        # A SHARED end of a CHAN TYPE is copied: both names hold the same bundle.
        return is_mobile_var(value) and not T.is_shared_end(value.type)

    @staticmethod
    def move(e: S.Name | S.Subscript) -> None:
        e.moved = True

    def expr_CountedItem(self, e: S.CountedItem, want) -> S.Type:
        count = self.expr(e.count, want.count if isinstance(want, S.CountedArray) else T.INT)
        array = self.expr(e.array)
        return S.CountedArray(count, array, span=e.span)



def is_named_bool(t) -> bool:
    """A type named over BOOL (`DATA TYPE FLAG IS BOOL:`)."""
    return isinstance(t, S.NamedType) and T.base_prim(t) == "BOOL"


def declared_note(e: S.Expr) -> list[tuple]:
    """A note pointing at the declaration of the element ``e`` names, if any."""
    name = root_name(e)
    if name is None or name.symbol is None or name.symbol.span.line == 0:
        return []
    symbol = name.symbol
    written = symbol.type
    if symbol.mobile and not T.is_mobile(written):
        written = S.MobileType(written)
    return [(symbol.span, f"`{symbol.name}' is declared {T.type_str(written)} here")]


def size_literal(n: int, span) -> S.Literal:
    """A made-up INT literal standing for a size the checks worked out."""
    literal = S.Literal("int", n, span=span)
    literal.type = T.INT
    literal.const = n
    return literal
