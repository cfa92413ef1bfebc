"""Specifications (part of the resolver): declarations, abbreviations, PROTOCOLs,
DATA TYPEs, PROCs and FUNCTIONs, and the `#PRAGMA PYTHON` that binds the next
PROC or FUNCTION to a Python function.

Each declaration's names are declared after its own parts are checked (occam is
declare-before-use; a PROC is in scope in its own body only when RECURSIVE).
"""

from __future__ import annotations

import contextlib

from cspc import syntax as S
from cspc.check import layout as L
from cspc.check import types as T
from cspc.check.access import direction_of, is_mobile_var, rule_for
from cspc.check.expressions import size_literal
from cspc.check.scopes import kind_for
from cspc.parse.builder import DANGLING_PYTHON


class DeclarationRules:
    """The specification half of :class:`cspc.check.resolve.Resolver`."""

    def specs(self, specs: list[S.Spec]) -> None:
        """A specification list, in order.  A `#PRAGMA PYTHON` binds the PROC or
        FUNCTION that comes next in the same list and the same file; one followed
        by anything else, or by nothing, is an error (it must never reach across
        an #INCLUDE to replace someone else's PROC)."""
        pending: S.Pragma | None = None
        for spec in specs:
            if pending is not None and not (
                isinstance(spec, (S.ProcDecl, S.FunctionDecl)) and spec.span.file == pending.span.file
            ):
                self.dangling_python(pending)
                self.pending_python = None
            pending = spec if isinstance(spec, S.Pragma) and spec.name.upper() == "PYTHON" else None
            self.spec(spec)
        if pending is not None:
            self.dangling_python(pending)
            self.pending_python = None

    def dangling_python(self, pragma: S.Pragma) -> None:
        self.error(pragma.span, DANGLING_PYTHON)

    def spec(self, spec: S.Spec) -> None:
        rule_for(self, "spec_", spec)(spec)

    def spec_Pragma(self, spec: S.Pragma) -> None:
        name = spec.name.upper()
        if name == "PYTHON":
            self.pending_python = self.python_target(spec)
        elif name in ("SHARED", "PERMITALIASES", "DEFINED"):
            self.named_by_pragma(spec)
        elif name in ("EXTERNAL", "DEXTERNAL", "LINKAGE"):
            self.error(
                spec.span,
                f"#PRAGMA {spec.name} (a routine in native code) is not supported: cspc runs "
                "Python, so write the routine in occam, or bind it to Python with #PRAGMA PYTHON",
            )

    def spec_Placement(self, spec: S.Placement) -> None:
        if spec.address is not None:
            self.error(spec.span, f"`PLACE {spec.name.name} AT ...' is not supported on this target: "
                                  "a memory address (a transputer's link or device register) means "
                                  "nothing to a program run by Python")
            return
        symbol = self.lookup(spec.name)
        if symbol is not None and symbol.kind not in ("variable", "abbreviation"):
            self.error(spec.name.span, f"only a variable can be PLACEd IN {spec.where}")

    def named_by_pragma(self, pragma: S.Pragma) -> None:
        """`#PRAGMA SHARED x, y': the variables (or channels) x and y, declared
        already, may be used in parallel; `#PRAGMA PERMITALIASES x': x may be used while it is
        abbreviated.  The program takes care of it, as under KRoC."""
        name = pragma.name.upper()
        words = [w.strip() for w in pragma.args.strip().strip('"').split(",")]
        if not any(words):
            self.error(pragma.span, f"#PRAGMA {name} names the variables it is about: #PRAGMA {name} x")
            return
        for word in words:
            symbol = self.scopes.lookup(word)
            if symbol is None or not word:
                self.error(pragma.span, f"#PRAGMA {name}: no variable `{word}' is declared here")
            elif name == "SHARED" and symbol.kind == "channel" and isinstance(symbol.decl, S.VarDecl):
                symbol.shared = True  # KRoC's way past a usage check it cannot satisfy
            elif symbol.kind not in ("variable", "abbreviation") or not T.is_data(symbol.type):
                what = "a variable or channel" if name == "SHARED" else "a variable"
                self.error(pragma.span, f"#PRAGMA {name}: `{word}' is not {what}")
            elif name == "DEFINED":  # for the undefined-ness check (check/flow.py)
                pragma.symbols.append(symbol)
            elif name == "SHARED":
                symbol.shared = True
            else:
                symbol.aliases_permitted = True

    def python_target(self, pragma: S.Pragma) -> str | None:
        """The "module:function" of `#PRAGMA PYTHON "module:function"` (None if malformed)."""
        text = pragma.args.strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        module, _, func = text.partition(":")
        if module and all(part.isidentifier() for part in module.split(".")) and func.isidentifier():
            return f"{module}:{func}"
        self.error(pragma.span, f'#PRAGMA PYTHON wants "module:function", not {pragma.args.strip()!r}')
        return None

    def bind_python(self, spec: S.ProcDecl | S.FunctionDecl) -> None:
        """A PROC or FUNCTION after `#PRAGMA PYTHON` is implemented by that Python function
        (it runs with the user's rights, as any import does)."""
        spec.python, self.pending_python = self.pending_python, None

    def spec_VarDecl(self, spec: S.VarDecl) -> None:
        t = self.type_(spec.type, mobiles_ok=True)
        self.no_duplicates(spec.names, "declaration")
        if isinstance(T.strip_arrays(t), S.NamedType):
            symbol = T.strip_arrays(t).name.symbol
            if symbol is not None and symbol.kind == "protocol":
                self.error(spec.span, f"`{symbol.name}' is a PROTOCOL: declare a CHAN of it")
        if T.is_process_type(spec.type) and not T.is_mobile(spec.type):
            self.error(spec.type.span, f"a variable of PROC TYPE `{T.type_str(spec.type)}' must be MOBILE: "
                                       f"`MOBILE {T.type_str(spec.type)}'")
        for name in spec.names:
            self.declare(name, kind_for("var", t), spec, t).mobile = T.is_mobile(spec.type)

    def spec_Abbreviation(self, spec: S.Abbreviation) -> None:
        if spec.retypes is not None:
            self.retyping(spec)
            return
        declared = self.type_(spec.type, open_ok=True, mobiles_ok=True) if spec.type is not None else None
        if spec.mode == "REF":
            t = self.expr(spec.value)
            if isinstance(spec.value, S.ArrayLit) and T.is_channel(t):
                for item in spec.value.items:  # `c IS [c1, c2, c3]:', a table of channels
                    self.reference(item, "abbreviated", writing=True)
            else:
                self.reference(spec.value, "abbreviated", writing=True)
                if isinstance(spec.value, S.Subscript) and spec.value.mobile:
                    self.error(spec.value.span, "a reference abbreviation of an element of an array of "
                                                "mobiles is not supported yet: use the element itself")
                if T.is_channel(t):
                    self.shared_abbreviation(spec, declared)
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
        if spec.type is not None and T.is_mobile(spec.type):
            self.mobile_abbreviation(spec, symbol)
        self.hold(spec, symbol)

    def mobile_abbreviation(self, spec: S.Abbreviation, symbol: S.Symbol) -> None:
        """`INITIAL MOBILE []INT a IS MOBILE [n]INT:' declares a mobile, given
        its first value (moved there from a mobile variable); a VAL or
        reference abbreviation of a mobile is not supported yet."""
        if spec.mode != "INITIAL":
            self.error(spec.span, f"a {spec.mode} abbreviation of a MOBILE is not supported yet "
                                  "(occam-pi mobile data): abbreviate it without MOBILE")
            return
        symbol.mobile = True
        if is_mobile_var(spec.value):
            self.move(spec.value)

    def retyping(self, spec: S.Abbreviation) -> None:
        """`VAL [4]BYTE b RETYPES x:` and `INT16 h RETYPES [bytes FROM 2 FOR 2]:`:
        the value and the new name must be data of the same size in bytes (one
        size of the new name may be left open: it takes what fills it; the others
        may be computed as the program runs), and a REF one a variable."""
        declared = self.type_(spec.type, open_ok=True, run_time_ok=True)
        t = self.expr(spec.value)
        if spec.mode == "REF":
            self.reference(spec.value, "retyped", writing=True)
        word = spec.retypes
        source, target = L.layout(t), L.layout(declared)
        for what, kind, where in ((t, source, spec.value.span), (declared, target, spec.type.span)):
            if kind is None and not T.is_unknown(what):
                self.error(where, f"{word} works on data (primitive types, records and arrays of them), "
                                  f"not {T.type_str(what)}")
        if source is not None and target is not None:
            dims = retyped_dims(declared)
            if dims.count(None) > 1:
                self.error(spec.type.span, f"{word} can leave only one size open")
            else:
                dims = self.retyped_size(spec, t, declared, source, (target[0], dims))
                declared = with_sizes(declared, dims, spec.type.span)
                spec.layouts = (source, (target[0], tuple(dims)))
        symbol = self.declare(spec.name, kind_for("val" if spec.mode == "VAL" else "ref", declared), spec, declared)
        self.hold(spec, symbol)

    def retyped_size(self, spec: S.Abbreviation, t, declared, source, target) -> list:
        """The new name's sizes, an open one filled in when the value's size
        is known; a size mismatch is an error.  Sizes computed as the program
        runs are checked then."""
        element, dims = target
        dims = list(dims)
        have = L.layout_bytes(source)
        known = [d for d in dims if d is not None]
        if have is None or not all(isinstance(d, int) for d in known):
            return dims  # checked as the program runs
        unit = L.layout_bytes((element, tuple(known)))
        if None in dims:
            if unit == 0 or have % unit:
                whole = T.type_str(declared.elem) if dims[0] is None else f"the other sizes of {T.type_str(declared)}"
                self.error(spec.span, f"{spec.retypes}: {T.type_str(t)} is {have} bytes, which is no whole number "
                                      f"of {whole} ({unit} bytes)")
                return dims
            dims[dims.index(None)] = have // unit
        elif unit != have:
            self.error(spec.span, f"{spec.retypes} needs the same size: {T.type_str(t)} is {have} bytes, "
                                  f"{T.type_str(declared)} is {unit}")
        return dims

    def spec_ProtocolDecl(self, spec: S.ProtocolDecl) -> None:
        tags: dict[str, S.Symbol] = self.inherited_tags(spec)
        if spec.items is not None:
            for item in spec.items:
                self.protocol(item)
        for tag in spec.tags or []:
            for item in tag.items:
                self.protocol(item)
            symbol = S.Symbol(tag.name.name, "tag", tag, None, span=tag.name.span)
            message = f"tag `{tag.name.name}' appears twice in protocol `{spec.name.name}'"
            if self.first_time(tags, tag.name.name, symbol, message):
                tag.name.symbol = symbol
        symbol = self.declare(spec.name, "protocol", spec)
        self.tags[id(symbol)] = tags
        for tag in spec.tags or []:
            if tag.name.symbol is not None:
                tag.name.type = S.NamedType(spec.name, span=spec.name.span)

    def inherited_tags(self, spec: S.ProtocolDecl) -> dict[str, S.Symbol]:
        """The tags `PROTOCOL Q EXTENDS P, R' takes from P and R, in order.  A
        tag reached along two ways (P and R both extending one protocol) is one
        tag; two tags of one name are an error."""
        tags: dict[str, S.Symbol] = {}
        for parent in spec.extends:
            symbol = self.lookup(parent)
            if symbol is None:
                continue
            decl = symbol.decl
            if symbol.kind != "protocol" or not isinstance(decl, S.ProtocolDecl) or decl.tags is None:
                self.error(parent.span, f"`{parent.name}' is not a variant protocol: only a protocol "
                                        "with a CASE list of tags can be extended")
                continue
            for name, tag in self.tags.get(id(symbol), {}).items():
                first = tags.get(name)
                if first is None:
                    tags[name] = tag
                elif first is not tag:
                    self.error(parent.span, f"tag `{name}' comes into protocol `{spec.name.name}' twice, "
                                            f"from two protocols it extends", (first.span, "one is here"))
        for tag in spec.tags or []:
            inherited = tags.get(tag.name.name)
            if inherited is not None:
                self.error(tag.name.span, f"tag `{tag.name.name}' is already a tag of protocol "
                                          f"`{spec.name.name}', from a protocol it extends",
                           (inherited.span, "that tag is here"))
                tags.pop(tag.name.name)
        return tags

    def spec_DataTypeDecl(self, spec: S.DataTypeDecl) -> None:
        """A record, or a named type `DATA TYPE T IS t:`: a new type whose values
        are t's (its ``base``), which meets no other type, t included."""
        fields: dict[str, S.Symbol] = {}
        alias = self.type_(spec.alias) if spec.alias is not None else None
        if alias is not None:
            spec.base = alias
            aliased = alias.name.symbol if isinstance(alias, S.NamedType) else None
            if aliased is not None and isinstance(aliased.decl, S.DataTypeDecl):
                spec.base = aliased.decl.base or alias  # an alias of an alias, or of a record
            if not self.is_data_type(alias):
                self.error(
                    spec.alias.span, f"a DATA TYPE is made of data, not {self.type_words(alias)}"
                )
        for f in spec.fields or []:
            if T.is_mobile(f.type):
                self.error(f.type.span, "mobile fields of records are not supported yet (occam-pi mobile data)")
            t = self.type_(f.type)
            symbol = S.Symbol(f.name.name, "field", f, t, span=f.name.span)
            message = f"field `{f.name.name}' appears twice in `{spec.name.name}'"
            if self.first_time(fields, f.name.name, symbol, message):
                f.name.symbol = symbol
                f.name.type = t
        if spec.fields is not None:
            spec.layout = L.record_layout(spec)
        symbol = self.declare(spec.name, "record", spec, alias)
        self.fields[id(symbol)] = fields

    def spec_ChanTypeDecl(self, spec: S.ChanTypeDecl) -> None:
        """`CHAN TYPE T` / `MOBILE RECORD` / `CHAN P f?:` ... : a bundle of
        channels, each field a channel with the direction its server end sees.
        Under RECURSIVE the fields may carry T's own ends (T is declared first)."""
        symbol = S.Symbol(spec.name.name, "chantype", spec, span=spec.name.span)
        spec.name.symbol = symbol
        if spec.recursive:
            self.scopes.declare(symbol)
        fields: dict[str, S.Symbol] = {}
        self.fields[id(symbol)] = fields
        for f in spec.fields:
            carried = f.type.protocol
            if isinstance(carried, S.EndType) and carried.name.name == spec.name.name and not spec.recursive:
                self.error(carried.span, f"a field of `{spec.name.name}' carries its own ends: declare it "
                                         f"`RECURSIVE CHAN TYPE {spec.name.name}'")
                t = S.ChanType(T.UNKNOWN, span=f.type.span)
            else:
                t = self.type_(f.type)
            field = S.Symbol(f.name.name, "field", f, t, f.direction, span=f.name.span)
            message = f"field `{f.name.name}' appears twice in `{spec.name.name}'"
            if self.first_time(fields, f.name.name, field, message):
                f.name.symbol = field
                f.name.type = t
        if not spec.recursive:
            self.scopes.declare(symbol)

    @staticmethod
    def is_data_type(t: S.Type) -> bool:
        """Can values of ``t`` be the values of a DATA TYPE: data, no channels,
        timers, barriers or PROTOCOLs?  (A name of no type was reported already.)"""
        inner = T.strip_arrays(t)
        if isinstance(inner, S.NamedType):
            return inner.name.symbol is None or inner.name.symbol.kind != "protocol"
        return T.is_data(inner)

    @staticmethod
    def type_words(t: S.Type) -> str:
        inner = T.strip_arrays(t)
        if isinstance(inner, S.NamedType):
            return f"the PROTOCOL `{inner.name.name}'"
        return T.type_str(t)

    def params(self, params: list[S.Param]) -> None:
        self.no_duplicates([p.name for p in params], "parameter list")
        for p in params:
            t = self.type_(p.type, open_ok=True, mobiles_ok=True)
            kind = "value" if p.mode == "VAL" else kind_for("ref", t)
            if p.direction is not None and kind != "channel":
                self.error(p.name.span, f"only a channel parameter can have a direction (`{p.name.name}')")
            self.shared_param(p)
            symbol = S.Symbol(p.name.name, kind, p, t, p.direction, span=p.name.span)
            symbol.mobile = p.mode == "REF" and T.is_mobile(p.type)
            p.name.symbol = symbol
            p.name.type = t
            # Parameters are used by the caller; they never count as unused.
            self.scopes.stack[-1].names[symbol.name] = symbol
            self.scopes.depth_of[id(symbol)] = self.scopes.depth

    def spec_ProcDecl(self, spec: S.ProcDecl) -> None:
        self.bind_python(spec)
        symbol = S.Symbol(spec.name.name, "proc", spec, span=spec.name.span)
        spec.name.symbol = symbol
        with self.routine_scope(spec, symbol):
            self.params(spec.params)
            if spec.implements is not None:
                self.implements(spec)
            outside = self.enter_routine()
            claims, self.claims = self.claims, []  # the CLAIMs around hold nothing for the PROC's callers
            forkings, self.forkings = self.forkings, []  # nor do the FORKINGs around wait for its FORKs
            self.process(spec.body)
            self.claims = claims
            self.forkings = forkings
            self.leave_routine(symbol, outside)
            self.routine_done(spec, symbol)

    def spec_FunctionDecl(self, spec: S.FunctionDecl) -> None:
        self.bind_python(spec)
        symbol = S.Symbol(spec.name.name, "function", spec, span=spec.name.span)
        spec.name.symbol = symbol
        for t in spec.results:
            self.type_(t, open_ok=True)
        with self.routine_scope(spec, symbol):
            self.params(spec.params)
            for p in spec.params:
                if p.mode != "VAL":
                    self.error(p.name.span, f"FUNCTION parameter `{p.name.name}' must be VAL")
            if spec.name.name.startswith('"'):
                self.operator_function(spec, symbol)
            self.functions.append((spec, self.scopes.depth))
            outside = self.enter_routine()
            if isinstance(spec.body, S.Valof):
                self.valof(spec.body, spec.results)
            else:
                self.results(spec.body, spec.results, spec.span)
            self.leave_routine(symbol, outside)
            self.functions.pop()

    def operator_function(self, spec: S.FunctionDecl, symbol: S.Symbol) -> None:
        """`INT FUNCTION "+" (VAL MYINT a, b)': the operator for those operand
        types, in scope under a name made of the operator and the types."""
        op = spec.name.name[1:-1]
        if len(spec.params) not in (1, 2) or len(spec.results) != 1:
            self.error(spec.name.span, f"an operator FUNCTION `{op}' takes one or two parameters and returns one result")
            return
        if op in ("AND", "OR") and len(spec.params) == 1 or op in ("NOT", "~", "BITNOT") and len(spec.params) == 2:
            self.error(spec.name.span, f"`{op}' is {'dyadic' if op in ('AND', 'OR') else 'monadic'}")
            return
        symbol.name = T.operator_key(op, [p.type for p in spec.params])
        self.user_operators.add(op)

    @contextlib.contextmanager
    def routine_scope(self, spec: S.ProcDecl | S.FunctionDecl, symbol: S.Symbol):
        """The scope of a routine's parameters and body.  A RECURSIVE routine is
        declared before it, so it may call itself; any other after it, and a
        call of itself meanwhile is told that it must be RECURSIVE."""
        if spec.recursive:
            self.scopes.declare(symbol)
        else:
            self.declaring.append(symbol.name)
        self.open_scope()
        yield
        self.close_scope()
        if not spec.recursive:
            self.declaring.pop()
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


def retyped_dims(t) -> list:
    """The array sizes of a RETYPES's new name, outermost first: an int when
    known as the program is compiled, the expression when computed as it
    runs, None when left open."""
    dims = []
    t = T.alias_base(t)
    while isinstance(t, S.ArrayType):
        size = T.array_size(t)
        dims.append(size if size is not None else t.size)
        t = T.alias_base(t.elem)
    return dims


def with_sizes(t, dims: list, span) -> S.Type:
    """``t`` (an array type written out) with its sizes ``dims``: an open size
    filled in when known."""
    if not dims or not isinstance(t, S.ArrayType):
        return t
    size = dims[0]
    if isinstance(size, int):
        size = t.size if t.size is not None and t.size.const == size else size_literal(size, span)
    return S.ArrayType(size, with_sizes(t.elem, dims[1:], span), span=t.span)
