"""The generator's core: the translator registry, the module being built, names, scopes.

Each construct family (``decls``, ``control``, ``par``, ``comms``, ``values``,
``arith``) registers one translator per AST node class with
:func:`translates`; :class:`Generator` dispatches on the node's class.  A
translator is a plain function ``(g, node)`` returning Python statements (for
specifications and processes) or an expression, and reads the checks'
annotations; it finds no user errors: a program that passes ``cspc check``
always translates, and a translator that cannot go on raises ``InternalError``.

The state a translation carries from one construct to another is explicit:

* :class:`Generator` holds what the whole module shares: the Python name of each
  occam symbol (``idents``), the locations that scalar reference abbreviations
  stand for (``aliases``), and which runtime helpers and builtins it imports;
* :class:`FunctionScope` is the Python function being generated (the names it
  declares, so the others it assigns become ``nonlocal``).
"""

from __future__ import annotations

import ast
from typing import Callable

import cspc
from cspc import syntax as S
from cspc.diagnostics import InternalError, Span
from cspc.names import NameAllocator, base_identifier, inert
from cspc.check import STANDARD_CHANNELS, main_channels
from cspc.check.placed import main_par
from cspc.runtime.occam import ABI_VERSION

from .pyast import call, const, expr_stmt, load, stamp, store, stored_names, assign

# Generated code imports everything it calls (as ``_name``) from one module, the
# occam ABI cspc.runtime.occam: its helpers (through Generator.helper) and the
# runtime objects it re-exports (through Generator.rt).
OCCAM_HELPERS = (
    "overflow", "bad_index", "if_failed", "case_failed", "div", "rem", "shl", "shr",
    "real32", "fdiv", "frem", "to_int", "to_bool", "real_to_int", "int_to_real",
    "real_to_real", "new_array", "copy", "copy_flat", "assign", "assign_deep", "slice_value",
    "slice_view", "counted_input", "counted_output", "check_size", "python_function",
    "tag_mismatch", "expect_end", "mobile", "clone", "allocate", "ends", "retype", "retype_back", "bytes_in",
)  # fmt: skip
RUNTIME_NAMES = (
    "Channel",
    "forking",
    "fork",
    "mobile_process",
    "activate",
    "suspend",
    "Timer",
    "par",
    "placed_par",
    "spread_par",
    "alt",
    "stop",
    "tick",
    "InputGuard",
    "SkipGuard",
    "TimeoutGuard",
    "ExtendedInputGuard",
    "claim_of",
)
BUILTINS = ("len", "range", "float", "list", "tuple", "int", "bool")
RESERVED = {"_t", "_k", "_rt", "_occ", "_sys", "_partial", "_cspc_main", "_keyboard", "_screen", "_error"}
RESERVED |= {"_" + n for n in OCCAM_HELPERS + RUNTIME_NAMES + BUILTINS}

Translator = Callable[["Generator", S.Node], object]
TRANSLATORS: dict[type, Translator] = {}


def translates(*classes: type) -> Callable[[Translator], Translator]:
    """Register the decorated function as the translator of ``classes``."""

    def register(fn: Translator) -> Translator:
        for cls in classes:
            if cls in TRANSLATORS:
                raise InternalError(f"two translators for {cls.__name__}")
            TRANSLATORS[cls] = fn
        return fn

    return register


def translator(node: S.Node) -> Translator:
    fn = TRANSLATORS.get(type(node))
    if fn is None:
        raise InternalError(f"codegen: no translation for {type(node).__name__}")
    return fn


class FunctionScope:
    """The Python function being generated: the Python names declared in it
    (any other user name it assigns belongs to an enclosing function: nonlocal)."""

    def __init__(self) -> None:
        self.declared: set[str] = set()
        self.hoisted: list[ast.stmt] = []  # functions its expressions call (a VALOF in one), defined first


class Generator:
    """Translates one checked :class:`syntax.Program` into a Python module."""

    def __init__(self, program: S.Program, main: S.ProcDecl | None = None) -> None:
        self.program = program
        self.main = main
        self.names = NameAllocator(reserved=RESERVED)
        self.idents: dict[S.Symbol, str] = {}  # occam symbol -> its Python name
        self.aliases: dict[S.Symbol, ast.expr] = {}  # `INT x IS a[i]:` -> a[i0]
        self.user_names: set[str] = set()  # every Python name given to an occam name
        self.scope: FunctionScope | None = None
        self.helpers: set[str] = set()
        self.runtime: set[str] = set()
        self.builtins: set[str] = set()
        self.need_partial = False
        # Python function name -> the occam file its code came from, where that
        # differs from the code around it (an #INCLUDEd PROC, or a PROC or PAR
        # branch spliced into a block by an indented #INCLUDE).
        self.code_files: dict[str, str] = {}
        self.files_open: list[str] = []
        self.top = FunctionScope()  # the module's own: where a top-level VALOF's function goes
        # The main PROC's own PAR and the replicated PARs among its branches, which
        # a run over MPI deals out to its ranks (see placed_pars).
        self.placed, self.spread = placed_pars(main)

    # ----------------------------------------------------------------- names

    def allocate(self, name: S.Name) -> str:
        """The Python name of a declared occam name (the same one every time)."""
        symbol = name.symbol
        if symbol is None:
            raise InternalError(f"{name.span}: declaration of `{name.name}' has no symbol")
        ident = self.idents.get(symbol)
        if ident is None:
            ident = self.idents[symbol] = self.names.allocate(name.name)
            self.user_names.add(ident)
        return ident

    def declare(self, name: S.Name) -> str:
        """Allocate the name and record it as a local of the function being generated."""
        ident = self.allocate(name)
        if self.scope is not None:
            self.scope.declared.add(ident)
        return ident

    def ident_of(self, name: S.Name) -> str:
        symbol = name.symbol
        if symbol is None:
            raise InternalError(f"{name.span}: name `{name.name}' was not resolved")
        ident = self.idents.get(symbol)
        if ident is None:
            raise InternalError(f"{name.span}: no Python name for `{name.name}'")
        return ident

    def routine(self, name: S.Name) -> ast.expr:
        """What a call of the PROC or FUNCTION ``name`` calls: its Python
        function, or for one of occam's predefined routines the runtime's
        (`LONGSUM` -> ``_LONGSUM``, from the ABI module)."""
        symbol = name.symbol
        if symbol is not None and symbol.predefined:
            return self.helper(base_identifier(symbol.name))
        return load(self.ident_of(name))

    def helper(self, name: str) -> ast.Name:
        self.helpers.add(name)
        return load("_" + name)

    def rt(self, name: str) -> ast.Name:
        self.runtime.add(name)
        return load("_" + name)

    def builtin(self, name: str) -> ast.Name:
        self.builtins.add(name)
        return load("_" + name)

    def hoist(self, fn: ast.FunctionDef) -> None:
        """Define ``fn`` at the start of the function being generated (or of
        the module): an expression calls it, and a call cannot hold statements."""
        (self.scope or self.top).hoisted.append(fn)

    def temp(self, hint: str = "t") -> str:
        return self.names.temporary(hint)

    # ----------------------------------------------------------------- dispatch

    def translate(self, node: S.Spec | S.Process) -> list[ast.stmt]:
        """Statements for a specification or process, stamped with its position."""
        stmts = translator(node)(self, node)
        for stmt in stmts:
            stamp(stmt, node.span)
        return stmts

    spec = process = translate

    def block(self, p: S.Process) -> list[ast.stmt]:
        """A process as a statement list that may stand where Python needs one."""
        return self.process(p) or [ast.Pass()]

    def specs(self, specs: list[S.Spec]) -> list[ast.stmt]:
        stmts: list[ast.stmt] = []
        for spec in specs:
            stmts.extend(self.spec(spec))
        return stmts

    def expr(self, e: S.Expr) -> ast.expr:
        from .values import folded

        py = folded(e)
        if py is None:
            py = translator(e)(self, e)
        return stamp(py, e.span)

    # ----------------------------------------------------------------- the module

    def module(self) -> ast.Module:
        # Top-level PROCs and FUNCTIONs get their names first (names.py's rule).
        for spec in self.program.specs:
            if isinstance(spec, (S.ProcDecl, S.FunctionDecl)):
                self.declare(spec.name)
        body = self.specs(self.program.specs)
        body[:0] = self.top.hoisted
        if self.main is not None:
            main_ident = self.main_ident
            body.extend(self.main_adapter())
            body.append(assign(store("__cspc_main__"), const(main_ident)))
            if self.placed is not None:
                body.append(assign(store("__cspc_placed__"), const(True)))
            body.append(self.script_entry(main_ident))
        module = ast.Module(self.imports() + body, type_ignores=[])
        # Every node has a position now: stamp() fills in those made without one.
        return stamp(module, Span(self.program.file, 1, 1))

    @property
    def main_ident(self) -> str | None:
        """The Python function that runs as ``main(keyboard, screen, error)``."""
        if self.main is None:
            return None
        if self.main_channels() == list(STANDARD_CHANNELS):
            return self.ident_of(self.main.name)
        return "_cspc_main"

    def main_channels(self) -> list[str]:
        return main_channels(self.main)

    def main_adapter(self) -> list[ast.stmt]:
        """For a top-level PROC taking only some standard channels (`(CHAN BYTE
        screen!)`): ``def _cspc_main(keyboard, screen, error)`` passing those."""
        channels = self.main_channels()
        if channels == list(STANDARD_CHANNELS):
            return []
        params = ["_" + c for c in STANDARD_CHANNELS]
        invoke = call(load(self.ident_of(self.main.name)), *[load("_" + c) for c in channels])
        args = ast.arguments([], [ast.arg(p) for p in params], None, [], [], None, [])
        fn = ast.FunctionDef("_cspc_main", args, [expr_stmt(invoke)], [], None, type_params=[])
        return [stamp(fn, self.main.span)]

    def top_level(self) -> list[S.ProcDecl | S.FunctionDecl]:
        return [s for s in self.program.specs if isinstance(s, (S.ProcDecl, S.FunctionDecl))]

    def def_files(self) -> dict[str, str]:
        """Python function name -> source file, for the functions whose code
        came from another file than the code around them."""
        return dict(self.code_files)

    def top_level_names(self) -> dict[str, str]:
        """occam name -> Python name of every top-level PROC and FUNCTION (last one wins)."""
        return {spec.name.name: self.ident_of(spec.name) for spec in self.top_level()}

    def imports(self) -> list[ast.stmt]:
        """The module's docstring and imports; first of all, the ABI check."""
        doc = expr_stmt(const(f"Compiled by cspc from {inert(self.program.file)}."))
        stmts: list[ast.stmt] = [doc, ast.Import([ast.alias("cspc.runtime.occam", "_occ")])]
        check = ast.Attribute(load("_occ"), "require_abi", ast.Load())
        made_by = const(f"cspc {cspc.__version__}")
        stmts.append(expr_stmt(call(check, const(ABI_VERSION), load("__name__"), made_by)))
        stmts.append(ast.Import([ast.alias("cspc.runtime", "_rt")]))
        names = sorted(self.runtime | self.helpers | {"overflow"})
        stmts.append(
            ast.ImportFrom("cspc.runtime.occam", [ast.alias(n, "_" + n) for n in names], 0)
        )
        if self.builtins:
            aliases = [ast.alias(n, "_" + n) for n in sorted(self.builtins)]
            stmts.append(ast.ImportFrom("builtins", aliases, 0))
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
        around = self.files_open[-1] if self.files_open else self.program.file
        here = span.file if span.line > 0 else around
        if here != around:
            self.code_files[name] = here
        self.files_open.append(here)
        try:
            body = build()
        finally:
            inner, self.scope = self.scope, outer
            self.files_open.pop()
        if outer is not None:
            free = (stored_names(body) & self.user_names) - inner.declared
            if free:
                body.insert(0, ast.Nonlocal(sorted(free)))
        body[:0] = inner.hoisted
        if doc:
            body.insert(0, expr_stmt(const(doc)))
        if not body:
            body = [ast.Pass()]
        args = ast.arguments([], [ast.arg(p) for p in params], None, [], [], None, [])
        fn = ast.FunctionDef(name, args, body, [], None, type_params=[])
        return stamp(fn, span)


def placed_pars(main: S.ProcDecl | None) -> tuple[S.Par | None, list[S.Par]]:
    """The PAR that is the main PROC's body (under its declarations), if any,
    and the replicated PARs that are that PAR (or its branches) themselves.

    Only these are marked: the runtime places their branches and copies on
    MPI ranks (runtime/distributed/placement.py); every other PAR is a plain
    ``par``.  A PLACED PAR says where its branches go itself: nothing under
    it is spread."""
    body = main_par(main)
    if body is None:
        return None, []
    if body.placed:
        return body, []
    if body.replicator is not None:
        return body, [body]
    spread = [b for b in body.body if isinstance(b, S.Par) and b.replicator is not None]
    return body, spread

