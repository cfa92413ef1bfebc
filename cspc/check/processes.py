"""occam-pi FORKING, FORK and mobile processes (part of the resolver).

* `PROC TYPE T IS (formals):` declares a type of mobile processes; `MOBILE
  PROC p (formals) IMPLEMENTS T` one that implements it (the same formals), run
  only as a mobile process: `MOBILE T m:`, `m := MOBILE p`, `m (actuals)`.
* `FORK p (actuals)`: p is a PROC; its non-VAL parameters must be channels,
  barriers, timers or mobiles (a mobile actual is moved into the fork).  Which
  FORKING waits for it is decided as the program runs (the innermost one
  around it in its process, or around the call of its PROC; else the
  program's top level), as KRoC passes the FORKING to a PROC that forks.
* `SUSPEND` and FORK are processes, not allowed in a FUNCTION.
"""

from __future__ import annotations

from cspc import syntax as S
from cspc.check import types as T
from cspc.check.access import is_mobile_var
from cspc.check.scopes import KIND_WORDS


class ProcessRules:
    """The mobile-process half of :class:`cspc.check.resolve.Resolver`."""

    def init_process_rules(self) -> None:
        self.forkings: list[tuple[S.Forking, int]] = []  # the FORKINGs around in this PROC body, and their depths
        self.suspending: set[int] = set()  # the PROCs that may SUSPEND (themselves or in a PROC they call)
        self.forking_procs: set[int] = set()  # the PROCs that FORK outside a FORKING of their own
        self.extended = 0  # how many extended rendezvous' during processes are around

    def during(self, p: S.Process) -> None:
        """The during process of an extended input (`c ?? x')."""
        self.extended += 1
        try:
            self.process(p)
        finally:
            self.extended -= 1

    def routine_done(self, spec: S.ProcDecl, symbol: S.Symbol) -> None:
        """After a PROC's body: whether it SUSPENDs, and a MOBILE PROC's free names."""
        if _suspends(spec.body, self.suspending):
            self.suspending.add(id(symbol))
        if _forks(spec.body, self.forking_procs, outside_forking=True):
            self.forking_procs.add(id(symbol))
        if spec.implements is not None:
            for use in self.free_uses.get(id(symbol), []):
                if use.symbol.kind in _FREE_KINDS:
                    self.error(spec.name.span, f"free variables in MOBILE PROC `{spec.name.name}': it uses "
                                               f"`{use.symbol.name}', declared outside it",
                               (use.symbol.span, "declared here"))
                    break

    # -- PROC TYPE and MOBILE PROC

    def spec_ProcTypeDecl(self, spec: S.ProcTypeDecl) -> None:
        self.open_scope()
        self.params(spec.params)
        self.close_scope()
        for p in spec.params:
            self.process_type_param(p)
        self.declare(spec.name, "proc type", spec)

    def process_type_param(self, p: S.Param) -> None:
        """A mobile process's parameters are synchronisations, as in KRoC:
        channels and channel-type ends."""
        t = p.name.type
        if T.is_unknown(t) or (isinstance(t, S.ChanType) and p.mode == "REF") or isinstance(t, S.EndType):
            return
        inner = T.unmobile(t)
        if isinstance(inner, S.NamedType) and inner.name.symbol is not None and inner.name.symbol.kind not in (
                "record", "proc type"):
            self.error(p.name.span, f"a PROC TYPE parameter of type `{T.type_str(p.type)}' (`{p.name.name}') "
                                    "is not supported yet")
            return
        self.error(p.name.span, f"PROC TYPE contains non-sync parameter `{p.name.name}': the parameters of a "
                                "mobile process are channels (not arrays of them, nor data)")

    def implements(self, spec: S.ProcDecl) -> None:
        """`MOBILE PROC p (...) IMPLEMENTS T': p's formals are T's."""
        symbol = self.lookup(spec.implements)
        if symbol is None:
            return
        if symbol.kind != "proc type":
            self.error(spec.implements.span,
                       f"`{symbol.name}' is {KIND_WORDS.get(symbol.kind, symbol.kind)}, not a PROC TYPE")
            return
        wanted = symbol.decl.params
        if len(wanted) != len(spec.params):
            self.error(spec.name.span, f"MOBILE PROC `{spec.name.name}' has {len(spec.params)} parameter(s), "
                                       f"but PROC TYPE `{symbol.name}' has {len(wanted)}",
                       (symbol.span, "declared here"))
            return
        for mine, theirs in zip(spec.params, wanted):
            if not _same_param(mine, theirs):
                self.error(mine.name.span, f"parameter `{mine.name.name}' of `{spec.name.name}' does not match "
                                           f"parameter `{theirs.name.name}' of PROC TYPE `{symbol.name}'",
                           (theirs.name.span, "declared here"))

    def expr_ProcessAllocation(self, e: S.ProcessAllocation, want) -> S.Type:
        symbol = self.lookup(e.name)
        if symbol is None:
            return T.UNKNOWN
        decl = symbol.decl
        if symbol.kind != "proc" or not isinstance(decl, S.ProcDecl) or decl.implements is None:
            self.error(e.name.span, f"`MOBILE {symbol.name}' needs a MOBILE PROC, and `{symbol.name}' is "
                                    f"{'a PROC that implements no PROC TYPE' if symbol.kind == 'proc' else KIND_WORDS.get(symbol.kind, symbol.kind)}")
            return T.UNKNOWN
        if decl.implements.symbol is None:
            return T.UNKNOWN
        return S.NamedType(decl.implements, span=e.span)

    # -- activation

    def activation(self, p: S.ProcCall, symbol: S.Symbol) -> None:
        """`m (actuals)' with m a mobile process variable."""
        p.activates = True
        self.expr(p.proc)
        proc_type = T.unmobile(symbol.type).name.symbol
        self.arguments(symbol, proc_type.decl.params, p.args, p.span)

    # -- FORKING, FORK, SUSPEND

    def not_in_function(self, p: S.Process, what: str) -> bool:
        if self.functions:
            self.error(p.span, f"{what} cannot be inside a FUNCTION or VALOF")
            return False
        return True

    def proc_Forking(self, p: S.Forking) -> None:
        self.not_in_function(p, "FORKING")
        self.forkings.append((p, self.scopes.depth))
        try:
            self.process(p.body)
        finally:
            self.forkings.pop()
        if not _forks(p.body, self.forking_procs):
            self.reporter.warning(p.span, "FORKING does not contain any FORKs")

    def proc_Fork(self, p: S.Fork) -> None:
        self.not_in_function(p, "FORK")
        call = p.call
        symbol = self.scopes.lookup(call.proc.name)
        if symbol is not None and symbol.kind != "proc" and symbol.mobile:
            self.error(call.proc.span, f"cannot FORK mobile process activation (`{symbol.name}'): "
                                       "activate it in a PROC, and FORK that")
            for arg in call.args:
                self.expr(arg)
            return
        self.proc_ProcCall(call)
        symbol = call.proc.symbol
        if symbol is None or symbol.kind != "proc":
            return
        if symbol.predefined:
            self.error(call.proc.span, f"pre-defined PROC `{symbol.name}' may not be FORKed")
            return
        if id(symbol) in self.suspending:
            self.error(call.proc.span, f"may not FORK a PROC that SUSPENDs (`{symbol.name}')")
        if len(symbol.decl.params) == len(call.args):
            for param, arg in zip(symbol.decl.params, call.args):
                self.forked_actual(symbol, param, arg)
        self.forked_free_names(p, symbol)

    def forked_free_names(self, p: S.Fork, callee: S.Symbol) -> None:
        """A forked PROC may use a variable or channel declared outside it only
        inside a FORKING that is inside that name's scope (which then outlives
        the fork), and only one named by `#PRAGMA SHARED'."""
        for use in self.free_uses.get(id(callee), []):
            symbol = use.symbol
            if symbol.kind not in _FREE_KINDS:
                continue
            note = (symbol.span, "declared here")
            if not self.forkings:
                self.error(p.span, f"process being FORKed uses free variable `{symbol.name}': a FORKING "
                                   "block is required to enforce its scope", note)
            elif self.scopes.declared_depth(symbol) > self.forkings[-1][1]:
                self.error(p.span, f"free variable `{symbol.name}' of the FORKed process must be declared "
                                   "outside the FORKING", note)
            elif not symbol.shared:
                self.error(p.span, f"free variable `{symbol.name}' in FORKed process is not shared: "
                                   f"name it in a #PRAGMA SHARED", note)
            else:
                continue
            return

    def forked_actual(self, callee: S.Symbol, param: S.Param, arg: S.Expr) -> None:
        t = param.name.type
        if param.mode == "VAL" or T.is_unknown(t) or T.is_channel(t) or T.is_barrier(t) or T.is_timer(t):
            return
        if param.name.symbol is not None and param.name.symbol.mobile:
            if is_mobile_var(arg):
                self.move(arg)  # it goes with the forked process
            return
        kind = "RESULT" if param.result else "reference"
        self.error(arg.span, f"FORK `{callee.name}': its {kind} parameter `{param.name.name}' cannot take a "
                             "variable of the forking process: a forked PROC's data parameters must be VAL "
                             "or MOBILE", (param.name.span, f"`{param.name.name}' is declared here"))

    def proc_Suspend(self, p: S.Suspend) -> None:
        if not self.not_in_function(p, "SUSPEND"):
            return
        if self.claims:
            self.error(p.span, "may not SUSPEND inside a CLAIM", (self.claims[-1][2].span, "claimed here"))
        elif self.extended:
            self.error(p.span, "may not SUSPEND during an extended rendezvous (the process under `??')")


# The names a forked PROC or a MOBILE PROC may not use from outside it (constants it may).
_FREE_KINDS = ("variable", "abbreviation", "channel", "barrier")


def _forks(body: S.Node, forking: set[int], outside_forking: bool = False) -> bool:
    """Does ``body`` FORK, or call a PROC that FORKs outside a FORKING of its
    own (whose forks then join the FORKING around the call)?  With
    ``outside_forking``, only what no FORKING in ``body`` encloses counts."""
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, S.Fork):
            return True
        if isinstance(node, S.ProcCall) and node.proc.symbol is not None and id(node.proc.symbol) in forking:
            return True
        if isinstance(node, (S.ProcDecl, S.FunctionDecl)) or (outside_forking and isinstance(node, S.Forking)):
            continue
        stack.extend(S.children(node))
    return False


def _suspends(body: S.Node, suspending: set[int]) -> bool:
    """Does ``body`` SUSPEND, or call a PROC that does?  (PROCs declared
    inside it count only where they are called.)"""
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, S.Suspend):
            return True
        if isinstance(node, S.ProcCall) and node.proc.symbol is not None and id(node.proc.symbol) in suspending:
            return True
        if isinstance(node, (S.ProcDecl, S.FunctionDecl)):
            continue
        stack.extend(S.children(node))
    return False


def _same_param(a: S.Param, b: S.Param) -> bool:
    return (a.mode == b.mode and a.result == b.result and a.direction == b.direction
            and T.is_mobile(a.type) == T.is_mobile(b.type)
            and T.same_type(a.name.type, b.name.type)
            and getattr(a.type, "shared", None) == getattr(b.type, "shared", None))
