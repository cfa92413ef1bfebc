"""Code generation: a checked occam program becomes a Python ``ast.Module``.

Every Python node is stamped with the line and column of the occam node it
comes from, so tracebacks, ``linecache`` and the runtime's deadlock reports
point at ``.csp`` lines once the module is compiled with the ``.csp`` path as
its file name.

How occam maps onto Python (see also ``cspc/runtime/occam.py``):

* values: integers are ``int``, BOOL ``bool``, REALs ``float``; arrays and
  records are ``list`` (strings are ``bytes`` constants, read-only);
* a PROC is a function; its scalar reference parameters are copied in and
  their final values returned (occam's aliasing rules make copy-in/copy-out
  indistinguishable from sharing), arrays and channels are passed by
  reference, slices used as variables are :class:`View` objects;
* a variable is a Python local; a PAR branch is a nested function that
  declares ``nonlocal`` the outer variables it assigns;
* a channel message is the single value of a one-item protocol, a tuple for a
  sequential protocol, ``(count, items)`` for a counted array, and
  ``(tag_name, items...)`` for a variant protocol.

Calling Python (`#PRAGMA PYTHON "module:function"` before a PROC or FUNCTION
heading): the body is replaced by a call of that function, imported on first
use, with the same calling convention as a compiled PROC -- VAL parameters
as values, arrays as sequences, channels as runtime channels; a FUNCTION
returns its result (a tuple for several); a PROC returns the new values of
its scalar reference parameters (one value, a tuple for several, or None
when it has none).

Generated code reaches the runtime, its helpers and Python's builtins only
through ``_``-prefixed names, which no occam name can spell (see
:mod:`cspc.names`).
"""

from __future__ import annotations

import ast

from cspc import syntax as S
from cspc.diagnostics import SOURCES, CompileError, InternalError, Span
from cspc.names import NameAllocator
from cspc.runtime.occam import BITS, RANGES  # one definition of occam's integer types

# Generated code imports everything it calls (as ``_name``) from one module,
# the occam ABI cspc.runtime.occam: its own helpers (OCCAM_HELPERS, through
# helper()) and the runtime objects and fast entries it re-exports
# (RUNTIME_NAMES, through rt()).
OCCAM_HELPERS = (
    "overflow", "bad_index", "if_failed", "case_failed", "div", "rem", "shl", "shr",
    "real32", "fdiv", "frem", "to_int", "to_bool", "real_to_int", "int_to_real",
    "real_to_real", "new_array", "copy", "copy_flat", "assign", "assign_deep", "slice_value",
    "slice_view",
    "counted_input", "counted_output", "check_size", "python_function", "tag_mismatch",
)  # fmt: skip
RUNTIME_NAMES = (
    "Channel",
    "Timer",
    "par",
    "alt",
    "stop",
    "InputGuard",
    "SkipGuard",
    "TimeoutGuard",
)
BUILTINS = ("len", "range", "float", "list", "tuple", "int", "bool")
RESERVED = {"_t", "_k", "_rt", "_occ", "_sys", "_partial"}
RESERVED |= {"_" + n for n in OCCAM_HELPERS + RUNTIME_NAMES + BUILTINS}

INTEGERS = tuple(RANGES)
REALS = ("REAL32", "REAL64")


# --------------------------------------------------------------------------- small ast helpers


def load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def store(name: str) -> ast.Name:
    return ast.Name(name, ast.Store())


def const(value) -> ast.Constant:
    return ast.Constant(value)


def call(func: ast.expr | str, *args: ast.expr, **kwargs: ast.expr) -> ast.Call:
    if isinstance(func, str):
        func = load(func)
    return ast.Call(func, list(args), [ast.keyword(k, v) for k, v in kwargs.items()])


def method(obj: ast.expr, name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(ast.Attribute(obj, name, ast.Load()), list(args), [])


def assign(target: ast.expr, value: ast.expr) -> ast.Assign:
    return ast.Assign([target], value)


def expr_stmt(value: ast.expr) -> ast.Expr:
    return ast.Expr(value)


def as_store(node: ast.expr) -> ast.expr:
    """The same location with a Store context (Name or Subscript)."""
    if isinstance(node, ast.Name):
        return store(node.id)
    if isinstance(node, ast.Subscript):
        return ast.Subscript(node.value, node.slice, ast.Store())
    raise InternalError(f"cannot assign to {ast.dump(node)}")


def stamp(node: ast.AST, span: Span) -> ast.AST:
    """Give ``node`` (and its children that have no position yet) ``span``'s position."""
    if span is None or span.line <= 0:
        return node
    end_line = span.end_line if span.end_line >= span.line else span.line
    end_col = span.end_col - 1 if span.end_line >= span.line and span.end_col > 0 else span.col
    if end_line == span.line and end_col < span.col - 1:
        end_col = span.col - 1
    # A node that has a position got it from stamp(), which positioned its whole
    # subtree too, so the walk stops there (keeping code generation linear).
    stack = [node]
    while stack:
        child = stack.pop()
        if "lineno" in child._attributes:
            if getattr(child, "lineno", None) is not None:
                continue
            child.lineno, child.col_offset = span.line, max(span.col - 1, 0)
            child.end_lineno, child.end_col_offset = end_line, max(end_col, 0)
        stack.extend(ast.iter_child_nodes(child))
    return node


def stored_names(body: list[ast.stmt]) -> set[str]:
    """Names bound by ``body``, not looking inside nested functions."""
    found: set[str] = set()
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.Lambda)):
            if isinstance(node, ast.FunctionDef):
                found.add(node.name)
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return found


# --------------------------------------------------------------------------- types


def resolve(t: S.Type | None) -> S.Type | None:
    """``t`` with user type aliases (`DATA TYPE T IS INT:`) replaced by what they name."""
    seen = 0
    while isinstance(t, S.NamedType) and seen < 50:
        decl = t.name.symbol.decl if t.name.symbol is not None else None
        if isinstance(decl, S.DataTypeDecl) and decl.alias is not None:
            t = decl.alias
            seen += 1
        else:
            break
    return t


def prim(t: S.Type | None) -> str | None:
    t = resolve(t)
    return t.name if isinstance(t, S.PrimType) else None


def record_decl(t: S.Type | None) -> S.DataTypeDecl | None:
    t = resolve(t)
    if isinstance(t, S.NamedType) and t.name.symbol is not None:
        decl = t.name.symbol.decl
        if isinstance(decl, S.DataTypeDecl) and decl.fields is not None:
            return decl
    return None


def is_scalar(t: S.Type | None) -> bool:
    return prim(t) is not None


def is_array(t: S.Type | None) -> bool:
    return isinstance(resolve(t), S.ArrayType)


def is_flat(t: S.Type | None) -> bool:
    """An array of scalars (copied with one list() call)."""
    t = resolve(t)
    return isinstance(t, S.ArrayType) and is_scalar(t.elem)


def is_data_aggregate(t: S.Type | None) -> bool:
    """Arrays and records: values held in lists, assigned by copying."""
    return is_array(t) or record_decl(t) is not None


# --------------------------------------------------------------------------- the generator


class FunctionScope:
    """The Python function being generated: the Python names declared in it
    (any other user name it assigns belongs to an enclosing function: nonlocal)."""

    def __init__(self) -> None:
        self.declared: set[str] = set()


class Generator:
    """Translates one checked :class:`syntax.Program` into a Python module."""

    def __init__(self, program: S.Program, main: S.ProcDecl | None = None) -> None:
        self.program = program
        self.main = main
        self.names = NameAllocator(reserved=RESERVED)
        self.idents: dict[tuple[int, str], str] = {}  # (id(decl), occam name) -> Python name
        # Reference abbreviations of scalars: the location they stand for.
        self.aliases: dict[tuple[int, str], ast.expr] = {}
        self.user_names: set[str] = set()  # every Python name given to an occam name
        self.scope: FunctionScope | None = None
        self.helpers: set[str] = set()
        self.runtime: set[str] = set()
        self.builtins: set[str] = set()
        self.pending_python: str | None = None  # "module:function" for the next PROC/FUNCTION
        self.procs: list[str] = []  # occam names of the PROCs being translated, outermost first
        self.channel_ends: dict[S.Name, dict[str, str]] = {}  # declared name -> expected ends
        self.need_partial = False
        self.alt_site = ""

    # ----------------------------------------------------------------- names

    @staticmethod
    def key(decl: S.Node, name: str) -> tuple[int, str]:
        return (id(decl), name)

    def allocate(self, name: S.Name, decl: S.Node) -> str:
        """The Python name of a declared occam name (the same one every time)."""
        key = self.key(decl, name.name)
        ident = self.idents.get(key)
        if ident is None:
            ident = self.names.allocate(name.name)
            self.idents[key] = ident
            self.user_names.add(ident)
        return ident

    def declare(self, name: S.Name, decl: S.Node) -> str:
        """Allocate the name and record it as a local of the function being generated."""
        ident = self.allocate(name, decl)
        if self.scope is not None:
            self.scope.declared.add(ident)
        return ident

    def ident_of(self, name: S.Name) -> str:
        symbol = name.symbol
        if symbol is None:
            raise InternalError(f"{name.span}: name `{name.name}' was not resolved")
        key = self.key(symbol.decl, symbol.name)
        ident = self.idents.get(key)
        if ident is None:
            raise InternalError(f"{name.span}: no Python name for `{name.name}'")
        return ident

    def helper(self, name: str) -> ast.Name:
        self.helpers.add(name)
        return load("_" + name)

    def rt(self, name: str) -> ast.Name:
        self.runtime.add(name)
        return load("_" + name)

    def builtin(self, name: str) -> ast.Name:
        self.builtins.add(name)
        return load("_" + name)

    def temp(self, hint: str = "t") -> str:
        return self.names.temporary(hint)

    # ----------------------------------------------------------------- module

    def module(self) -> ast.Module:
        # Top-level PROCs and FUNCTIONs get their names first (names.py's rule).
        for spec in self.program.specs:
            if isinstance(spec, (S.ProcDecl, S.FunctionDecl)):
                self.declare(spec.name, spec)
        body: list[ast.stmt] = []
        for spec in self.program.specs:
            body.extend(self.spec(spec))
        if self.main is not None:
            main_ident = self.idents[self.key(self.main, self.main.name.name)]
            body.append(assign(store("__cspc_main__"), const(main_ident)))
            body.append(self.script_entry(main_ident))
        header = self.imports()
        module = ast.Module(header + body, type_ignores=[])
        # Every node has a position now: stamp() fills in those made without one.
        return stamp(module, Span(self.program.file, 1, 1))

    def def_files(self) -> dict[str, str]:
        """Python name -> source file, for top-level definitions from #INCLUDEd files."""
        files = {}
        for spec in self.program.specs:
            if (
                isinstance(spec, (S.ProcDecl, S.FunctionDecl))
                and spec.span.file != self.program.file
            ):
                files[self.idents[self.key(spec, spec.name.name)]] = spec.span.file
        return files

    def top_level_names(self) -> dict[str, str]:
        """occam name -> Python name of every top-level PROC and FUNCTION (last one wins)."""
        return {
            spec.name.name: self.idents[self.key(spec, spec.name.name)]
            for spec in self.program.specs
            if isinstance(spec, (S.ProcDecl, S.FunctionDecl))
        }

    def imports(self) -> list[ast.stmt]:
        doc = expr_stmt(const(f"Compiled by cspc from {self.program.file}."))
        stmts: list[ast.stmt] = [doc, ast.Import([ast.alias("cspc.runtime", "_rt")])]
        names = sorted(self.runtime | self.helpers | {"overflow"})
        stmts.append(
            ast.ImportFrom("cspc.runtime.occam", [ast.alias(n, "_" + n) for n in names], 0)
        )
        stmts.append(ast.Import([ast.alias("cspc.runtime.occam", "_occ")]))
        if self.builtins:
            stmts.append(
                ast.ImportFrom(
                    "builtins", [ast.alias(n, "_" + n) for n in sorted(self.builtins)], 0
                )
            )
        if self.need_partial:
            stmts.append(ast.ImportFrom("functools", [ast.alias("partial", "_partial")], 0))
        return stmts

    def script_entry(self, main_ident: str) -> ast.If:
        test = ast.Compare(load("__name__"), [ast.Eq()], [const("__main__")])
        run = call(ast.Attribute(load("_occ"), "run_program", ast.Load()), load(main_ident))
        exit_call = call(ast.Attribute(load("_sys"), "exit", ast.Load()), run)
        return ast.If(test, [ast.Import([ast.alias("sys", "_sys")]), expr_stmt(exit_call)], [])

    # ----------------------------------------------------------------- functions

    def function(
        self, name: str, params: list[str], build, span: Span, doc: str | None = None
    ) -> ast.FunctionDef:
        """A Python function whose body ``build()`` generates inside a fresh scope."""
        outer = self.scope
        self.scope = FunctionScope()
        self.scope.declared.update(params)
        try:
            body = build()
        finally:
            inner, self.scope = self.scope, outer
        if outer is not None:
            free = (stored_names(body) & self.user_names) - inner.declared
            if free:
                body.insert(0, ast.Nonlocal(sorted(free)))
        if doc:
            body.insert(0, expr_stmt(const(doc)))
        if not body:
            body = [ast.Pass()]
        args = ast.arguments([], [ast.arg(p) for p in params], None, [], [], None, [])
        fn = ast.FunctionDef(name, args, body, [], None, type_params=[])
        return stamp(fn, span)

    def signature_text(self, node: S.Node) -> str | None:
        """The occam text of a declaration's heading, for the docstring."""
        span = node.span
        first = SOURCES.line(span.file, span.line)
        if first is None:
            return None
        lines, depth, lineno = [first.strip()], first.count("(") - first.count(")"), span.line
        while depth > 0 and len(lines) < 20:
            lineno += 1
            more = SOURCES.line(span.file, lineno)
            if more is None:
                break
            lines.append(more.strip())
            depth += more.count("(") - more.count(")")
        return " ".join(lines)

    def ref_scalar_params(self, params: list[S.Param]) -> list[S.Param]:
        """The parameters whose final values the PROC returns (copy-out)."""
        return [p for p in params if p.mode == "REF" and is_scalar(p.type)]

    # ----------------------------------------------------------------- specifications

    def translate(self, prefix: str, node: S.Node) -> list[ast.stmt]:
        """Statements for ``node`` from its ``prefix + class name`` method, each
        stamped with the node's position."""
        method_ = getattr(self, prefix + type(node).__name__, None)
        if method_ is None:
            raise InternalError(f"codegen: no translation for {type(node).__name__}")
        stmts = method_(node)
        for stmt in stmts:
            stamp(stmt, node.span)
        return stmts

    def spec(self, spec: S.Spec) -> list[ast.stmt]:
        return self.translate("spec_", spec)

    def spec_Pragma(self, spec: S.Pragma) -> list[ast.stmt]:
        if spec.name.upper() == "PYTHON":
            self.pending_python = python_target(spec)
        return []

    def spec_ProtocolDecl(self, spec: S.ProtocolDecl) -> list[ast.stmt]:
        return []

    def spec_DataTypeDecl(self, spec: S.DataTypeDecl) -> list[ast.stmt]:
        return []

    def spec_VarDecl(self, spec: S.VarDecl) -> list[ast.stmt]:
        stmts = []
        for name in spec.names:
            ident = self.declare(name, spec)
            value = self.initial_value(spec.type, name.name)
            ends = self.channel_ends.pop(name, None)
            if ends is not None:  # `Channel(...).expect(reader=..., writer=...)`
                expect = ast.Attribute(value, "expect", ast.Load())
                value = ast.Call(expect, [], [ast.keyword(k, const(v)) for k, v in ends.items()])
            stmts.append(assign(store(ident), value))
        return stmts

    def expect_channel_ends(self, p: S.Specified) -> None:
        """For a channel declared just before a PAR, note which branch inputs from
        it and which outputs to it (when one each), so a deadlock report can name
        the partner that never came (see ``Channel.expect``)."""
        body = p.body
        while isinstance(body, S.Specified):
            body = body.body
        if not isinstance(body, S.Par) or body.replicator is not None:
            return
        enclosing = self.procs[-1] if self.procs else ""
        for spec in p.specs:
            if not (isinstance(spec, S.VarDecl) and isinstance(resolve(spec.type), S.ChanType)):
                continue
            for name in spec.names:
                sides = [channel_sides(branch, name.symbol) for branch in body.body]
                ends = {}
                for side, key in (("?", "reader"), ("!", "writer")):
                    users = [i for i, used in enumerate(sides) if side in used]
                    if len(users) == 1:
                        ends[key] = branch_name(body.body[users[0]], users[0], enclosing)
                if ends:
                    self.channel_ends[name] = ends

    def initial_value(self, t: S.Type, label: str) -> ast.expr:
        """A fresh value of type ``t`` (occam leaves variables undefined: we use zeros)."""
        t = resolve(t)
        if isinstance(t, S.ChanType):
            return call(self.rt("Channel"), const(label))
        if isinstance(t, S.TimerType):
            return call(self.rt("Timer"))
        if isinstance(t, S.BarrierType):  # the declaring process is enrolled
            return call(ast.Attribute(load("_rt"), "Barrier", ast.Load()), const(label), const(1))
        if isinstance(t, S.ArrayType):
            dims, elem = [], t
            while isinstance(elem, S.ArrayType):
                if elem.size is None:
                    raise InternalError("array variable without a size")
                dims.append(self.expr(elem.size))
                elem = resolve(elem.elem)
            if len(dims) == 1 and is_scalar(elem):
                return ast.BinOp(
                    ast.List([self.initial_value(elem, label)], ast.Load()), ast.Mult(), dims[0]
                )
            if isinstance(elem, S.ChanType) and len(dims) == 1:
                k = "_k"
                name = ast.JoinedStr(
                    [const(label + "["), ast.FormattedValue(load(k), -1, None), const("]")]
                )
                gen = ast.comprehension(store(k), call(self.builtin("range"), dims[0]), [], 0)
                return ast.ListComp(call(self.rt("Channel"), name), [gen])
            make = ast.Lambda(
                ast.arguments([], [], None, [], [], None, []), self.initial_value(elem, label)
            )
            return call(self.helper("new_array"), ast.List(dims, ast.Load()), make)
        record = record_decl(t)
        if record is not None:
            return ast.List([self.initial_value(f.type, label) for f in record.fields], ast.Load())
        name = prim(t)
        if name == "BOOL":
            return const(False)
        if name in REALS:
            return const(0.0)
        if name in INTEGERS:
            return const(0)
        raise InternalError(f"codegen: cannot make a value of type {t}")

    def spec_Abbreviation(self, spec: S.Abbreviation) -> list[ast.stmt]:
        t = spec.type or spec.value.type
        value = spec.value
        if spec.mode == "REF" and is_scalar(t) and not isinstance(value, S.Name):
            return self.element_alias(spec)
        if spec.mode == "REF" and isinstance(value, S.Name) and is_scalar(t):
            # `INT x IS y:` -- x is another name for y's location.
            target = self.location(value)
            key = self.key(spec, spec.name.name)
            self.aliases[key] = target
            self.idents[key] = "<alias>"
            return []
        if spec.mode == "REF" and isinstance(value, S.Slice):
            py = self.slice_ref(value)
        elif spec.mode == "INITIAL" and is_data_aggregate(t):
            py = self.copy_of(self.expr(value), t)
        else:
            py = self.expr(value)
        ident = self.declare(spec.name, spec)
        return [assign(store(ident), py)]

    def element_alias(self, spec: S.Abbreviation) -> list[ast.stmt]:
        """`INT x IS a[i]:` -- x stands for ``a[i0]`` with the index fixed on entry."""
        stmts: list[ast.stmt] = []
        location = self.fixed_location(spec.value, stmts)
        key = self.key(spec, spec.name.name)
        self.aliases[key] = location
        self.idents[key] = "<alias>"
        return stmts

    def fixed_location(self, target: S.Expr, stmts: list[ast.stmt]) -> ast.expr:
        """A location expression whose indexes are evaluated once, now, into temporaries."""
        if isinstance(target, S.Subscript):
            base = (
                self.fixed_location(target.base, stmts)
                if isinstance(target.base, S.Subscript)
                else self.expr(target.base)
            )
            index = self.subscript_index(target)
            if not isinstance(index, ast.Constant):
                tmp = self.temp("i")
                stmts.append(assign(store(tmp), index))
                index = load(tmp)
            return ast.Subscript(base, index, ast.Load())
        return self.expr(target)

    def spec_ProcDecl(self, spec: S.ProcDecl) -> list[ast.stmt]:
        ident = self.declare(spec.name, spec)
        outs = self.ref_scalar_params(spec.params)
        python = self.pending_python
        self.pending_python = None

        def build():
            params = [self.declare(p.name, p) for p in spec.params]
            self.scope.declared.update(params)
            if python is not None:
                return self.python_body(python, params, spec.span.file)
            self.procs.append(spec.name.name)
            try:
                body = self.process(spec.body)
            finally:
                self.procs.pop()
            if outs:
                values = [self.name_load(p.name, p) for p in outs]
                result = values[0] if len(values) == 1 else ast.Tuple(values, ast.Load())
                body.append(ast.Return(result))
            return body

        params = self.param_idents(spec.params)
        fn = self.function(ident, params, build, spec.span, self.signature_text(spec))
        return [fn]

    def param_idents(self, params: list[S.Param]) -> list[str]:
        return [self.allocate(p.name, p) for p in params]

    def name_load(self, name: S.Name, decl: S.Node) -> ast.expr:
        return load(self.idents[self.key(decl, name.name)])

    def spec_FunctionDecl(self, spec: S.FunctionDecl) -> list[ast.stmt]:
        ident = self.declare(spec.name, spec)
        python = self.pending_python
        self.pending_python = None

        def build():
            params = [self.declare(p.name, p) for p in spec.params]
            if python is not None:
                return self.python_body(python, params, spec.span.file)
            if isinstance(spec.body, S.Valof):
                return self.valof(spec.body, returns=True)
            values = [self.expr(e) for e in spec.body]
            return [ast.Return(values[0] if len(values) == 1 else ast.Tuple(values, ast.Load()))]

        params = self.param_idents(spec.params)
        return [self.function(ident, params, build, spec.span, self.signature_text(spec))]

    def python_body(self, where: str, params: list[str], declared_in: str) -> list[ast.stmt]:
        """The body of a PROC or FUNCTION declared with `#PRAGMA PYTHON "module:function"`:
        the module may also sit beside the occam file (or the module run)."""
        near = [const(declared_in), load("__file__")]
        fn = call(self.helper("python_function"), const(where), *near)
        return [ast.Return(call(fn, *[load(p) for p in params]))]

    def valof(self, valof: S.Valof, returns: bool) -> list[ast.stmt]:
        stmts: list[ast.stmt] = []
        for spec in valof.specs:
            stmts.extend(self.spec(spec))
        stmts.extend(self.process(valof.body))
        values = [self.expr(e) for e in valof.results]
        result = values[0] if len(values) == 1 else ast.Tuple(values, ast.Load())
        stmts.append(stamp(ast.Return(result), valof.span))
        return stmts

    # ----------------------------------------------------------------- processes

    def process(self, p: S.Process) -> list[ast.stmt]:
        return self.translate("proc_", p)

    def block(self, p: S.Process) -> list[ast.stmt]:
        return self.process(p) or [ast.Pass()]

    def proc_Specified(self, p: S.Specified) -> list[ast.stmt]:
        self.expect_channel_ends(p)
        stmts: list[ast.stmt] = []
        for spec in p.specs:
            stmts.extend(self.spec(spec))
        stmts.extend(self.process(p.body))
        return stmts

    def proc_Skip(self, p: S.Skip) -> list[ast.stmt]:
        return []

    def proc_Stop(self, p: S.Stop) -> list[ast.stmt]:
        return [expr_stmt(call(self.rt("stop")))]

    def proc_Seq(self, p: S.Seq) -> list[ast.stmt]:
        if p.replicator is None:
            stmts: list[ast.stmt] = []
            for q in p.body:
                stmts.extend(self.process(q))
            return stmts
        self.declare(p.replicator.name, p.replicator)
        body = []
        for q in p.body:
            body.extend(self.process(q))
        return self.replicated(p.replicator, body or [ast.Pass()])

    def replicated(self, rep: S.Replicator, body: list[ast.stmt]) -> list[ast.stmt]:
        """``for i in range(...)`` over a replicator (whose index is declared already)."""
        index = self.declare(rep.name, rep)
        base, count = self.expr(rep.base), self.expr(rep.count)
        if rep.step is None:
            if isinstance(base, ast.Constant) and base.value == 0:
                bounds = [count]
            else:
                b = base
                if not isinstance(base, (ast.Constant, ast.Name)):
                    tmp = self.temp("b")
                    pre = [assign(store(tmp), base)]
                    b = load(tmp)
                    loop = ast.For(
                        store(index),
                        call(self.builtin("range"), b, ast.BinOp(b, ast.Add(), count)),
                        body,
                        [],
                    )
                    return pre + [stamp(loop, rep.span)]
                bounds = [b, ast.BinOp(b, ast.Add(), count)]
            return [
                stamp(
                    ast.For(store(index), call(self.builtin("range"), *bounds), body, []), rep.span
                )
            ]
        # STEP: index = base + k * step for k in 0 .. count-1
        k = self.temp("k")
        tb, ts = self.temp("b"), self.temp("s")
        pre = [assign(store(tb), base), assign(store(ts), self.expr(rep.step))]
        value = ast.BinOp(load(tb), ast.Add(), ast.BinOp(load(k), ast.Mult(), load(ts)))
        loop = ast.For(
            store(k), call(self.builtin("range"), count), [assign(store(index), value)] + body, []
        )
        return pre + [stamp(loop, rep.span)]

    def proc_While(self, p: S.While) -> list[ast.stmt]:
        return [ast.While(self.expr(p.condition), self.block(p.body), [])]

    def proc_Assign(self, p: S.Assign) -> list[ast.stmt]:
        if len(p.targets) == 1 and len(p.values) == 1:
            return self.assign_one(p.targets[0], self.expr(p.values[0]))
        if len(p.values) == 1:  # a, b := f(x)
            temps = [self.temp("r") for _ in p.targets]
            stmts: list[ast.stmt] = [
                assign(ast.Tuple([store(t) for t in temps], ast.Store()), self.expr(p.values[0]))
            ]
        else:
            temps = [self.temp("r") for _ in p.targets]
            stmts = []
            for tmp, value in zip(temps, p.values):
                py = self.expr(value)
                if is_data_aggregate(value.type):
                    py = self.copy_of(py, value.type)
                stmts.append(assign(store(tmp), py))
        for target, tmp in zip(p.targets, temps):
            stmts.extend(self.assign_one(target, load(tmp)))
        return stmts

    def assign_one(self, target: S.Expr, value: ast.expr) -> list[ast.stmt]:
        if is_data_aggregate(target.type):
            helper = "assign" if is_flat(target.type) else "assign_deep"
            return [expr_stmt(call(self.helper(helper), self.array_target(target), value))]
        return [assign(as_store(self.location(target)), value)]

    def array_target(self, target: S.Expr) -> ast.expr:
        """An array about to be written: a slice must be a view, not a copy."""
        if isinstance(target, S.Slice):
            return self.slice_ref(target)
        return self.expr(target)

    # --------------------------------------------------------------- PAR

    def proc_Par(self, p: S.Par) -> list[ast.stmt]:
        if p.replicator is not None:
            return self.replicated_par(p)
        defs, names = [], []
        enrolled: dict[str, int] = {}  # barrier -> how many branches use it
        for i, branch in enumerate(p.body):
            ident = self.temp("par")
            barriers = self.free_barriers(branch)
            for barrier in barriers:
                enrolled[barrier] = enrolled.get(barrier, 0) + 1
            build = lambda b=branch, bs=barriers: self.block(b) + self.resign(bs)  # noqa: E731
            defs.append(self.function(ident, [], build, branch.span))
            names.append(const(branch_name(branch, i, self.procs[-1] if self.procs else "")))
        run = call(self.rt("par"), *[load(d.name) for d in defs], names=ast.List(names, ast.Load()))
        before = [self.enrol(b, const(n - 1)) for b, n in enrolled.items() if n != 1]
        after = [self.enrol(b, const(1)) for b in enrolled]
        return defs + before + [expr_stmt(run)] + after

    def replicated_par(self, p: S.Par) -> list[ast.stmt]:
        rep = p.replicator
        ident = self.temp("par")
        barriers = [b for q in p.body for b in self.free_barriers(q)]

        def build():
            body = []
            for q in p.body:
                body.extend(self.process(q))
            return (body + self.resign(barriers)) or [ast.Pass()]

        index = self.allocate(rep.name, rep)
        fn = self.function(ident, [index], build, p.span)
        stmts: list[ast.stmt] = [fn]
        k, tb, tn = self.temp("k"), self.temp("b"), self.temp("n")
        stmts.append(assign(store(tb), self.expr(rep.base)))
        stmts.append(assign(store(tn), self.expr(rep.count)))
        if rep.step is None:
            value = ast.BinOp(load(tb), ast.Add(), load(k))
        else:
            ts = self.temp("s")
            stmts.append(assign(store(ts), self.expr(rep.step)))
            value = ast.BinOp(load(tb), ast.Add(), ast.BinOp(load(k), ast.Mult(), load(ts)))
        self.need_partial = True

        def each(element: ast.expr) -> ast.ListComp:
            loop = ast.comprehension(store(k), call(self.builtin("range"), load(tn)), [], 0)
            return ast.ListComp(element, [loop])

        procs = each(call("_partial", load(ident), value))
        label = ast.JoinedStr(
            [const(f"{rep.name.name}="), ast.FormattedValue(copy_ast(value), -1, None)]
        )
        run = call(self.rt("par"), ast.Starred(procs, ast.Load()), names=each(label))
        for barrier in dict.fromkeys(barriers):
            stmts.append(self.enrol(barrier, ast.BinOp(load(tn), ast.Sub(), const(1))))
        stmts.append(expr_stmt(run))
        stmts.extend(self.enrol(b, const(1)) for b in dict.fromkeys(barriers))
        return stmts

    # occam-pi BARRIERs: a PAR hands its own enrolment on each barrier to the
    # branches that use it, each branch resigns when it ends, and the PAR's
    # process is enrolled again afterwards.

    def free_barriers(self, branch: S.Process) -> list[str]:
        """Python names of the barriers declared outside ``branch`` that it uses."""
        found: dict[str, None] = {}
        for node in S.walk(branch):
            if (
                isinstance(node, S.Name)
                and node.symbol is not None
                and node.symbol.kind == "barrier"
            ):
                ident = self.idents.get(self.key(node.symbol.decl, node.symbol.name))
                if ident is not None and ident != "<alias>":
                    found[ident] = None
        return list(found)

    def enrol(self, barrier: str, count: ast.expr) -> ast.stmt:
        return expr_stmt(method(load(barrier), "enrol", count))

    def resign(self, barriers: list[str]) -> list[ast.stmt]:
        return [expr_stmt(method(load(b), "resign")) for b in barriers]

    def proc_Sync(self, p: S.Sync) -> list[ast.stmt]:
        return [expr_stmt(method(self.expr(p.barrier), "sync"))]

    # --------------------------------------------------------------- IF and CASE

    def proc_If(self, p: S.If) -> list[ast.stmt]:
        choices = [S.Choice([], None, None, nested=p, span=p.span)] if p.replicator else p.choices
        failed = [stamp(expr_stmt(call(self.helper("if_failed"))), p.span)]
        return self.choices(choices, on_match=[], otherwise=failed)

    def choices(
        self, choices: list[S.Choice], on_match: list[ast.stmt], otherwise: list[ast.stmt]
    ) -> list[ast.stmt]:
        """The first choice whose condition is TRUE runs, then ``on_match``; else ``otherwise``."""
        if not choices:
            return otherwise
        first, rest = choices[0], choices[1:]
        stmts: list[ast.stmt] = []
        for spec in first.specs:
            stmts.extend(self.spec(spec))
        if first.nested is not None and first.nested.replicator is None:
            return stmts + self.choices(first.nested.choices + rest, on_match, otherwise)
        if first.nested is not None:
            matched = self.temp("matched")
            self.declare(first.nested.replicator.name, first.nested.replicator)
            inner = self.choices(
                first.nested.choices, [assign(store(matched), const(True)), ast.Break()], []
            )
            stmts.append(assign(store(matched), const(False)))
            stmts.extend(self.replicated(first.nested.replicator, inner or [ast.Pass()]))
            tail = self.choices(rest, on_match, otherwise)
            stmts.append(ast.If(load(matched), on_match or [ast.Pass()], tail))
            return [stamp(s, first.span) for s in stmts]
        cond = self.expr(first.condition)
        body = self.process(first.body) + list(on_match)
        tail = self.choices(rest, on_match, otherwise)
        if isinstance(cond, ast.Constant) and cond.value is True:
            stmts.extend(body)
        else:
            stmts.append(ast.If(cond, body or [ast.Pass()], tail))
        return [stamp(s, first.span) for s in stmts]

    def proc_Case(self, p: S.Case) -> list[ast.stmt]:
        selector = self.expr(p.selector)
        stmts: list[ast.stmt] = []
        if not isinstance(selector, (ast.Name, ast.Constant)):
            tmp = self.temp("sel")
            stmts.append(assign(store(tmp), selector))
            selector = load(tmp)
        orelse: list[ast.stmt] = [
            stamp(expr_stmt(call(self.helper("case_failed"), copy_ast(selector))), p.span)
        ]
        for option in p.options:
            if option.is_else:
                orelse = self.option_body(option)
        chain = orelse
        for option in reversed([o for o in p.options if not o.is_else]):
            values = [self.expr(v) for v in option.values]
            if len(values) == 1:
                test = ast.Compare(selector, [ast.Eq()], values)
            else:
                test = ast.Compare(selector, [ast.In()], [ast.Tuple(values, ast.Load())])
            chain = [stamp(ast.If(test, self.option_body(option), chain), option.span)]
        return stmts + chain

    def option_body(self, option: S.Option) -> list[ast.stmt]:
        stmts: list[ast.stmt] = []
        for spec in option.specs:
            stmts.extend(self.spec(spec))
        return stmts + self.block(option.body)

    # --------------------------------------------------------------- procedure calls

    def proc_ProcCall(self, p: S.ProcCall) -> list[ast.stmt]:
        decl = p.proc.symbol.decl if p.proc.symbol is not None else None
        if not isinstance(decl, S.ProcDecl):
            raise InternalError(f"{p.span}: call of something not a PROC")
        args, outs = [], []
        for param, arg in zip(decl.params, p.args):
            args.append(self.argument(param, arg))
            if param.mode == "REF" and is_scalar(param.type):
                outs.append(arg)
        invoke = call(load(self.ident_of(p.proc)), *args)
        if not outs:
            return [expr_stmt(invoke)]
        if len(outs) == 1:
            return [assign(as_store(self.location(outs[0])), invoke)]
        temps = [self.temp("r") for _ in outs]
        stmts: list[ast.stmt] = [assign(ast.Tuple([store(t) for t in temps], ast.Store()), invoke)]
        for arg, tmp in zip(outs, temps):
            stmts.append(assign(as_store(self.location(arg)), load(tmp)))
        return stmts

    def argument(self, param: S.Param, arg: S.Expr) -> ast.expr:
        if isinstance(arg, S.ChanEnd):
            arg = arg.chan
        if param.mode == "REF" and isinstance(arg, S.Slice):
            return self.slice_ref(arg)
        return self.expr(arg)

    # --------------------------------------------------------------- communication

    def chan_protocol(self, chan: S.Expr) -> S.Type | None:
        t = chan.type
        if isinstance(chan, S.ChanEnd):
            t = chan.chan.type
        if t is None and isinstance(chan, S.Name) and chan.symbol is not None:
            t = chan.symbol.type
        t = resolve(t)
        return t.protocol if isinstance(t, S.ChanType) else None

    def is_timer(self, chan: S.Expr) -> bool:
        t = chan.type
        if t is None and isinstance(chan, S.Name) and chan.symbol is not None:
            t = chan.symbol.type
        if isinstance(resolve(t), S.TimerType):
            return True
        return isinstance(chan, S.Name) and chan.symbol is not None and chan.symbol.kind == "timer"

    def out_value(self, item: S.Expr) -> ast.expr:
        """One item of a message: arrays are sent as copies (the sender may change its own)."""
        if isinstance(item, S.CountedItem):
            return call(self.helper("counted_output"), self.expr(item.count), self.expr(item.array))
        value = self.expr(item)
        if is_data_aggregate(item.type) and not isinstance(value, ast.Constant):
            value = self.copy_of(value, item.type)
        return value

    def copy_of(self, value: ast.expr, t: S.Type | None) -> ast.Call:
        return call(self.helper("copy_flat" if is_flat(t) else "copy"), value)

    def proc_Output(self, p: S.Output) -> list[ast.stmt]:
        chan = self.expr(p.chan)
        items = p.items
        if items and is_tag(items[0]):
            values = [const(items[0].name)] + [self.out_value(i) for i in items[1:]]
            message = ast.Tuple(values, ast.Load())
        elif len(items) == 1:
            message = self.out_value(items[0])
        else:
            message = ast.Tuple([self.out_value(i) for i in items], ast.Load())
        return [expr_stmt(method(chan, "write", message))]

    def proc_Input(self, p: S.Input) -> list[ast.stmt]:
        chan = self.expr(p.chan)
        if self.is_timer(p.chan):
            return self.assign_one(p.items[0], method(chan, "read"))
        return self.receive(method(chan, "read"), p.items)

    def receive(self, message: ast.expr, items: list[S.Expr]) -> list[ast.stmt]:
        """Store a received ``message`` into the input items."""
        if items and is_tag(items[0]):
            tmp = self.temp("m")
            stmts: list[ast.stmt] = [assign(store(tmp), message)]
            check = ast.If(
                ast.Compare(
                    ast.Subscript(load(tmp), const(0), ast.Load()),
                    [ast.NotEq()],
                    [const(items[0].name)],
                ),
                [
                    expr_stmt(
                        call(
                            self.helper("tag_mismatch"),
                            ast.Subscript(load(tmp), const(0), ast.Load()),
                            const(items[0].name),
                        )
                    )
                ],
                [],
            )
            stmts.append(check)
            for k, item in enumerate(items[1:], start=1):
                stmts.extend(
                    self.receive_item(item, ast.Subscript(load(tmp), const(k), ast.Load()))
                )
            return stmts
        if len(items) == 1:
            return self.receive_item(items[0], message)
        tmp = self.temp("m")
        stmts = [assign(store(tmp), message)]
        for k, item in enumerate(items):
            stmts.extend(self.receive_item(item, ast.Subscript(load(tmp), const(k), ast.Load())))
        return stmts

    def receive_item(self, item: S.Expr, value: ast.expr) -> list[ast.stmt]:
        if isinstance(item, S.CountedItem):
            tmp = self.temp("c")
            stmts: list[ast.stmt] = [assign(store(tmp), value)]
            stored = call(
                self.helper("counted_input"),
                self.array_target(item.array),
                ast.Subscript(load(tmp), const(0), ast.Load()),
                ast.Subscript(load(tmp), const(1), ast.Load()),
            )
            return stmts + [assign(as_store(self.location(item.count)), stored)]
        return self.assign_one(item, value)

    def proc_CaseInput(self, p: S.CaseInput) -> list[ast.stmt]:
        tmp = self.temp("m")
        stmts: list[ast.stmt] = [assign(store(tmp), method(self.expr(p.chan), "read"))]
        return stmts + self.variant_dispatch(load(tmp), p.variants)

    def variant_dispatch(self, message: ast.expr, variants: list[S.Variant]) -> list[ast.stmt]:
        tag = ast.Subscript(message, const(0), ast.Load())
        chain: list[ast.stmt] = [expr_stmt(call(self.helper("tag_mismatch"), tag, const(None)))]
        for variant in reversed(variants):
            body: list[ast.stmt] = []
            for spec in variant.specs:
                body.extend(self.spec(spec))
            for k, item in enumerate(variant.items, start=1):
                body.extend(self.receive_item(item, ast.Subscript(message, const(k), ast.Load())))
            body.extend(self.block(variant.body))
            test = ast.Compare(tag, [ast.Eq()], [const(variant.tag.name)])
            chain = [stamp(ast.If(test, body, chain), variant.span)]
        return chain

    def proc_Delay(self, p: S.Delay) -> list[ast.stmt]:
        return [expr_stmt(method(self.expr(p.timer), "after", self.expr(p.time)))]

    # --------------------------------------------------------------- ALT

    def proc_Alt(self, p: S.Alt) -> list[ast.stmt]:
        leaves = list(alt_leaves(p, ()))
        self.alt_site = f"{p.span.file}:{p.span.line}:{p.span.col}"
        guards, index, value = self.temp("g"), self.temp("i"), self.temp("v")
        stmts: list[ast.stmt] = []
        replicated = any(reps for _, reps in leaves)
        if not replicated:
            items = [self.guard(alt) for alt, _ in leaves]
            guard_list = ast.List([g for pre, g in items], ast.Load())
            for pre, _ in items:
                stmts.extend(pre)
            stmts.append(self.alt_call(index, value, guard_list, p.pri))
            chain: list[ast.stmt] = []
            for k in reversed(range(len(leaves))):
                alt, _ = leaves[k]
                test = ast.Compare(load(index), [ast.Eq()], [const(k)])
                body = self.alt_body(alt, load(value))
                if k == len(leaves) - 1:
                    chain = body
                else:
                    chain = [stamp(ast.If(test, body, chain), alt.span)]
            return stmts + chain
        # Some alternatives are replicated: build the guard list at run time with,
        # beside each guard, which leaf it is and its replicator values.
        keys = self.temp("keys")
        stmts.extend(
            [
                assign(store(guards), ast.List([], ast.Load())),
                assign(store(keys), ast.List([], ast.Load())),
            ]
        )
        for n, (alt, reps) in enumerate(leaves):
            reps_values = [load(self.declare(r.name, r)) for r in reps]
            pre, guard = self.guard(alt)
            inner = pre + [
                expr_stmt(method(load(guards), "append", guard)),
                expr_stmt(
                    method(load(keys), "append", ast.Tuple([const(n)] + reps_values, ast.Load()))
                ),
            ]
            for rep in reversed(reps):
                inner = self.replicated(rep, inner)
            stmts.extend(inner)
        stmts.append(self.alt_call(index, value, load(guards), p.pri))
        key = self.temp("key")
        stmts.append(assign(store(key), ast.Subscript(load(keys), load(index), ast.Load())))
        chain = []
        for n in reversed(range(len(leaves))):
            alt, reps = leaves[n]
            body = []
            for j, rep in enumerate(reps, start=1):
                ident = self.idents[self.key(rep, rep.name.name)]
                body.append(assign(store(ident), ast.Subscript(load(key), const(j), ast.Load())))
            body.extend(self.alt_body(alt, load(value)))
            test = ast.Compare(
                ast.Subscript(load(key), const(0), ast.Load()), [ast.Eq()], [const(n)]
            )
            chain = [stamp(ast.If(test, body, chain), alt.span)]
        return stmts + chain

    def alt_call(self, index: str, value: str, guards: ast.expr, pri: bool) -> ast.stmt:
        target = ast.Tuple([store(index), store(value)], ast.Store())
        kwargs = {"pri": const(True)} if pri else {"site": const(self.alt_site)}
        return assign(target, call(self.rt("alt"), guards, **kwargs))

    def guard(self, alt: S.Alternative) -> tuple[list[ast.stmt], ast.expr]:
        """Statements to run first (the alternative's specifications) and the guard object."""
        pre: list[ast.stmt] = []
        for spec in alt.specs:
            pre.extend(self.spec(spec))
        g = alt.guard
        pre_cond = [self.expr(g.precondition)] if g.precondition is not None else []
        if g.guard is None:
            guard = call(self.rt("SkipGuard"), *pre_cond)
        elif isinstance(g.guard, S.Delay):
            guard = call(self.rt("TimeoutGuard"), self.expr(g.guard.time), *pre_cond)
        else:
            guard = call(self.rt("InputGuard"), self.expr(g.guard.chan), *pre_cond)
        return pre, stamp(guard, alt.span)

    def alt_body(self, alt: S.Alternative, value: ast.expr) -> list[ast.stmt]:
        body: list[ast.stmt] = []
        for spec in alt.specs:  # evaluated again for the chosen branch: same Python names
            body.extend(self.spec(spec))
        g = alt.guard.guard
        if isinstance(g, S.Input):
            if self.is_timer(g.chan):
                body.extend(self.assign_one(g.items[0], value))
            else:
                body.extend(self.receive(value, g.items))
        elif isinstance(g, S.CaseInput):
            tmp = self.temp("m")
            body.append(assign(store(tmp), value))
            body.extend(self.variant_dispatch(load(tmp), g.variants))
            return body
        body.extend(self.block(alt.body) if alt.body is not None else [ast.Pass()])
        return body

    # ----------------------------------------------------------------- expressions

    def expr(self, e: S.Expr) -> ast.expr:
        if e.const is not None and is_scalar(e.type) and not isinstance(e.const, (list, tuple)):
            py = const(self.constant(e.const, prim(e.type)))
        else:
            method_ = getattr(self, "expr_" + type(e).__name__, None)
            if method_ is None:
                raise InternalError(f"codegen: no translation for {type(e).__name__}")
            py = method_(e)
        return stamp(py, e.span)

    @staticmethod
    def constant(value, type_name: str | None):
        if type_name in REALS:
            value = float(value)
            if type_name == "REAL32":
                import struct

                value = struct.unpack("f", struct.pack("f", value))[0]
        elif type_name == "BOOL":
            value = bool(value)
        elif type_name in INTEGERS:
            value = int(value)
        return value

    def expr_Literal(self, e: S.Literal) -> ast.expr:
        if e.kind == "string":
            return const(bytes(e.value))
        if e.kind == "bool":
            return const(bool(e.value))
        if e.kind == "real":
            return const(self.constant(float(e.value), prim(e.type) or "REAL64"))
        return const(int(e.value))

    def expr_Name(self, e: S.Name) -> ast.expr:
        symbol = e.symbol
        if symbol is None:
            raise InternalError(f"{e.span}: name `{e.name}' was not resolved")
        if symbol.kind == "tag":
            return const(e.name)
        return self.location(e)

    def location(self, e: S.Expr) -> ast.expr:
        """A Load expression for a variable, element or field (as_store() makes it a target)."""
        if isinstance(e, S.Name):
            key = self.key(e.symbol.decl, e.symbol.name)
            alias = self.aliases.get(key)
            if alias is not None:
                return copy_ast(alias)
            return load(self.ident_of(e))
        if isinstance(e, S.Subscript):
            return self.expr_Subscript(e)
        if isinstance(e, S.ChanEnd):
            return self.location(e.chan)
        raise InternalError(f"{e.span}: not a variable")

    def expr_ArrayLit(self, e: S.ArrayLit) -> ast.expr:
        return ast.List([self.out_value(item) for item in e.items], ast.Load())

    def subscript_index(self, e: S.Subscript) -> ast.expr:
        record = record_decl(e.base.type)
        if (
            record is not None
            and isinstance(e.index, S.Name)
            and e.index.symbol is not None
            and e.index.symbol.kind == "field"
        ):
            for k, f in enumerate(record.fields):
                if f.name.name == e.index.name:
                    return const(k)
            raise InternalError(f"{e.span}: no field {e.index.name}")
        return self.checked_index(e.index)

    def checked_index(self, index: S.Expr) -> ast.expr:
        """An index that Python would not silently wrap: negative indexes are errors."""
        py = self.expr(index)
        if isinstance(py, ast.Constant):
            if isinstance(py.value, int) and py.value < 0:
                return call(self.helper("bad_index"))
            return py
        if self.never_negative(index):
            return py
        test = ast.Compare(ast.NamedExpr(store("_t"), py), [ast.GtE()], [const(0)])
        return ast.IfExp(test, load("_t"), call(self.helper("bad_index")))

    def never_negative(self, e: S.Expr) -> bool:
        """Cheap, sure cases where an index needs no negative test."""
        if prim(e.type) == "BYTE":
            return True
        if isinstance(e, S.Name) and e.symbol is not None:
            return self.is_nonneg_replicator(e)
        if isinstance(e, S.Binary) and e.op in ("/\\", "BITAND"):
            return any(isinstance(x.const, int) and x.const >= 0 for x in (e.left, e.right))
        if isinstance(e, S.Unary) and e.op == "SIZE":
            return True
        return False

    def is_nonneg_replicator(self, name: S.Name) -> bool:
        decl = name.symbol.decl
        if not isinstance(decl, S.Replicator) or decl.step is not None:
            return False
        base = decl.base.const
        if base is None and isinstance(decl.base, S.Literal):
            base = decl.base.value
        return isinstance(base, int) and base >= 0

    def expr_Subscript(self, e: S.Subscript) -> ast.expr:
        if isinstance(e.base, S.Name) or isinstance(e.base, S.Subscript):
            base = self.location(e.base)
        elif isinstance(e.base, S.Slice):  # may be assigned to: index the array itself
            base = self.slice_ref(e.base)
        else:
            base = self.expr(e.base)
        return stamp(ast.Subscript(base, self.subscript_index(e), ast.Load()), e.span)

    def slice_parts(self, e: S.Slice) -> tuple[ast.expr, ast.expr, ast.expr]:
        base = self.expr(e.base)
        start = self.expr(e.start) if e.start is not None else const(0)
        if e.count is not None:
            count = self.expr(e.count)
        else:  # [a FROM s] -- to the end
            count = ast.BinOp(call(self.builtin("len"), copy_ast(base)), ast.Sub(), copy_ast(start))
        return base, start, count

    def expr_Slice(self, e: S.Slice) -> ast.expr:
        return call(self.helper("slice_value"), *self.slice_parts(e))

    def slice_ref(self, e: S.Slice) -> ast.expr:
        if is_scalar_elem_channel(e.base.type):
            return call(self.helper("slice_value"), *self.slice_parts(e))
        return call(self.helper("slice_view"), *self.slice_parts(e))

    def expr_ChanEnd(self, e: S.ChanEnd) -> ast.expr:
        return self.expr(e.chan)

    def expr_Call(self, e: S.Call) -> ast.expr:
        return call(load(self.ident_of(e.func)), *[self.expr(a) for a in e.args])

    def expr_ValofExpr(self, e: S.ValofExpr) -> ast.expr:
        raise CompileError.at(
            e.span,
            "a VALOF used as an expression is not supported yet; " "declare it as a FUNCTION",
        )

    def expr_MostPos(self, e: S.MostPos) -> ast.expr:
        return const(RANGES[prim(e.target)][1])

    def expr_MostNeg(self, e: S.MostNeg) -> ast.expr:
        return const(RANGES[prim(e.target)][0])

    def expr_Unary(self, e: S.Unary) -> ast.expr:
        op = e.op
        if op == "SIZE":
            return call(self.builtin("len"), self.expr(e.operand))
        operand = self.expr(e.operand)
        if op == "NOT":
            return ast.UnaryOp(ast.Not(), operand)
        t = prim(e.operand.type)
        if t in REALS:
            if op in ("-", "MINUS"):
                return ast.UnaryOp(ast.USub(), operand)
            raise InternalError(f"{e.span}: {op} on a REAL")
        if op == "-":
            return self.checked(ast.UnaryOp(ast.USub(), operand), t)
        if op == "MINUS":
            return self.wrapped(ast.UnaryOp(ast.USub(), operand), t)
        if op in ("~", "BITNOT"):
            if t == "BYTE":
                return ast.BinOp(operand, ast.BitXor(), const(255))
            return ast.UnaryOp(ast.Invert(), operand)
        raise InternalError(f"{e.span}: unknown operator {op}")

    def checked(self, value: ast.expr, t: str) -> ast.expr:
        """``value`` with an inline range test: ``(_t if lo <= (_t := value) <= hi else _overflow())``."""
        lo, hi = RANGES[t]
        test = ast.Compare(
            const(lo), [ast.LtE(), ast.LtE()], [ast.NamedExpr(store("_t"), value), const(hi)]
        )
        return ast.IfExp(test, load("_t"), call(self.helper("overflow")))

    def wrapped(self, value: ast.expr, t: str) -> ast.expr:
        """``value`` reduced modulo 2**bits into the type's range (PLUS, MINUS, TIMES)."""
        bits = BITS[t]
        if t == "BYTE":
            return ast.BinOp(value, ast.BitAnd(), const(255))
        half = 1 << (bits - 1)
        inner = ast.BinOp(
            ast.BinOp(value, ast.Add(), const(half)), ast.BitAnd(), const((1 << bits) - 1)
        )
        return ast.BinOp(inner, ast.Sub(), const(half))

    ARITH = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult}
    MODULAR = {"PLUS": ast.Add, "MINUS": ast.Sub, "TIMES": ast.Mult}
    BITWISE = {
        "/\\": ast.BitAnd,
        "BITAND": ast.BitAnd,
        "\\/": ast.BitOr,
        "BITOR": ast.BitOr,
        "><": ast.BitXor,
    }
    COMPARE = {"=": ast.Eq, "<>": ast.NotEq, "<": ast.Lt, ">": ast.Gt, "<=": ast.LtE, ">=": ast.GtE}

    def expr_Binary(self, e: S.Binary) -> ast.expr:
        op = e.op
        if op in ("AND", "OR"):
            kind = ast.And() if op == "AND" else ast.Or()
            return ast.BoolOp(kind, [self.expr(e.left), self.expr(e.right)])
        left, right = self.expr(e.left), self.expr(e.right)
        if op in self.COMPARE:
            return ast.Compare(left, [self.COMPARE[op]()], [right])
        t = prim(e.left.type) or prim(e.type)
        if t in REALS:
            return self.real_binary(op, left, right, t, e)
        if op in self.ARITH:
            return self.checked(ast.BinOp(left, self.ARITH[op](), right), t)
        if op in self.MODULAR:
            return self.wrapped(ast.BinOp(left, self.MODULAR[op](), right), t)
        if op in self.BITWISE:
            return ast.BinOp(left, self.BITWISE[op](), right)
        if op == "/":
            lo, hi = RANGES[t]
            return call(self.helper("div"), left, right, const(lo), const(hi))
        if op in ("\\", "REM"):
            return call(self.helper("rem"), left, right)
        if op == "<<":
            return call(self.helper("shl"), left, right, const(BITS[t]))
        if op == ">>":
            return call(self.helper("shr"), left, right, const(BITS[t]))
        if op == "AFTER":
            return ast.Compare(
                self.wrapped(ast.BinOp(left, ast.Sub(), right), t), [ast.Gt()], [const(0)]
            )
        raise InternalError(f"{e.span}: unknown operator {op}")

    def real_binary(self, op: str, left, right, t: str, e: S.Binary) -> ast.expr:
        if op in self.ARITH:
            value = ast.BinOp(left, self.ARITH[op](), right)
        elif op == "/":
            value = call(self.helper("fdiv"), left, right)
        elif op in ("\\", "REM"):
            value = call(self.helper("frem"), left, right)
        else:
            raise InternalError(f"{e.span}: {op} on a REAL")
        return call(self.helper("real32"), value) if t == "REAL32" else value

    def expr_Conversion(self, e: S.Conversion) -> ast.expr:
        value = self.expr(e.operand)
        src, dst = prim(e.operand.type), prim(e.target)
        if src == dst or src is None:
            return value
        mode = e.mode or "ROUND"
        if dst == "BOOL":
            return call(self.helper("to_bool"), value)
        if src == "BOOL":
            if dst in REALS:
                return ast.IfExp(value, const(1.0), const(0.0))
            return ast.IfExp(value, const(1), const(0))
        if dst in INTEGERS and src in INTEGERS:
            (slo, shi), (dlo, dhi) = RANGES[src], RANGES[dst]
            if dlo <= slo and shi <= dhi:
                return value
            return call(self.helper("to_int"), value, const(dst))
        if dst in INTEGERS:  # from a REAL
            return call(self.helper("real_to_int"), value, const(dst), const(mode))
        if src in INTEGERS:
            if dst == "REAL64" and src != "INT64":
                return call(self.builtin("float"), value)
            return call(self.helper("int_to_real"), value, const(dst), const(mode))
        return call(self.helper("real_to_real"), value, const(dst), const(mode))

    def expr_CountedItem(self, e: S.CountedItem) -> ast.expr:
        raise InternalError(f"{e.span}: counted item outside a communication")


# --------------------------------------------------------------------------- helpers


def is_tag(item: S.Expr) -> bool:
    return isinstance(item, S.Name) and item.symbol is not None and item.symbol.kind == "tag"


def is_scalar_elem_channel(t) -> bool:
    t = resolve(t)
    while isinstance(t, S.ArrayType):
        t = resolve(t.elem)
    return isinstance(t, (S.ChanType, S.TimerType))


def alt_leaves(alt: S.Alt, reps: tuple):
    """The guarded alternatives of an ALT, nested ALTs flattened, with enclosing replicators."""
    if alt.replicator is not None:
        reps = reps + (alt.replicator,)
    for alternative in alt.alternatives:
        if alternative.nested is not None:
            yield from alt_leaves(alternative.nested, reps)
        else:
            yield alternative, reps


def branch_name(branch: S.Process, index: int, enclosing: str) -> str:
    """A readable name for a PAR branch, for deadlock reports: the PROC it
    calls, else its place in the PROC that holds it ("main, PAR branch 2")."""
    inner = branch
    while isinstance(inner, S.Specified):
        inner = inner.body
    if isinstance(inner, S.ProcCall):
        return inner.proc.name
    where = f"{enclosing}, " if enclosing else ""
    return f"{where}PAR branch {index + 1}"


def channel_sides(process: S.Process, channel: S.Symbol | None) -> set[str]:
    """Which ends of the plain channel ``channel`` ``process`` uses: "?" and/or "!"
    (inputs, outputs, and channel actuals of PROC calls with a direction)."""
    sides: set[str] = set()
    for node in S.walk(process):
        if isinstance(node, (S.Input, S.CaseInput, S.Output)):
            if isinstance(node.chan, S.Name) and node.chan.symbol is channel:
                sides.add("!" if isinstance(node, S.Output) else "?")
        elif isinstance(node, S.ProcCall):
            decl = node.proc.symbol.decl if node.proc.symbol is not None else None
            params = decl.params if isinstance(decl, S.ProcDecl) else []
            for i, arg in enumerate(node.args):
                direction = None
                if isinstance(arg, S.ChanEnd):
                    arg, direction = arg.chan, arg.direction
                elif i < len(params):
                    direction = params[i].direction
                if direction and isinstance(arg, S.Name) and arg.symbol is channel:
                    sides.add(direction)
    return sides


def copy_ast(node: ast.expr) -> ast.expr:
    """A fresh copy of a small expression tree (ast nodes must not be shared)."""
    import copy

    return copy.deepcopy(node)


def python_target(pragma: S.Pragma) -> str:
    """The "module:function" of `#PRAGMA PYTHON "module:function"`."""
    text = pragma.args.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    module, _, func = text.partition(":")
    if (
        not module
        or not func
        or not all(part.isidentifier() for part in module.split("."))
        or not func.isidentifier()
    ):
        raise CompileError.at(
            pragma.span, f'#PRAGMA PYTHON wants "module:function", not {pragma.args.strip()!r}'
        )
    return f"{module}:{func}"


def generate(program: S.Program, main: S.ProcDecl | None = None) -> ast.Module:
    """The Python module for a checked ``program``; ``main`` runs when it is a script."""
    return Generator(program, main).module()
