"""Which backend is running, and how the hot code reaches it cheaply.

Channel, ALT, PAR and barrier code is written once, against six primitives
that each backend supplies (see ``backends/base.py``)::

    _current()            the calling process record
    _acquire() / _release()   the runtime lock guarding channel state
    _block(proc, deadline=None)   sleep (releasing the lock) until woken
    _wake(proc)           make a blocked process runnable (lock held)
    _spawn(fn, name, join)    start a new process running fn()

``run`` installs the active backend's primitives straight into the globals of
each module that uses them, so a channel operation costs plain global lookups
and no attribute chains.  Outside ``run`` the primitives raise a CSPError that
says so: channel operations need a running process.  A backend may install
more names of its own (see ``inline_block`` below).
"""

from __future__ import annotations

import ast
import copy
import inspect
import textwrap

from .errors import CSPError

PRIMITIVES = ("_current", "_block", "_wake", "_acquire", "_release", "_spawn")

_hot_modules: list[dict] = []
active = None  # the running backend, or None


def _not_running(*_args, **_kwargs):
    raise CSPError(
        "no CSP run is active: channel operations, par() and alt() must be called "
        "from a process started by run(...) or run_main(...)"
    )


_IDLE = {name: _not_running for name in PRIMITIVES}


def hot(module_globals: dict) -> None:
    """Register a module to receive the primitives of whichever backend runs."""
    module_globals.update(_IDLE if active is None else active.primitives())
    _hot_modules.append(module_globals)


# -- lock elision and block inlining -------------------------------------------------
#
# The hottest functions (channel read/write, alt) are written once, with
# _acquire()/_release() calls.  A single-threaded backend (greenlets) needs no
# lock, and on a slow interpreter two no-op calls per operation are a large
# share of a communication's cost.  So each such function also gets a twin
# compiled from the same source with those calls removed, and ``install``
# swaps the function's ``__code__`` to the twin for a backend that says
# ``needs_lock = False`` (and back afterwards).  Swapping the code object, not
# the function, keeps every bound method and reference valid.
#
# Such a backend may also offer ``inline_block``: a function ``f(cur)`` that
# is what ``_block(cur)`` (no deadline) does, written against names that its
# ``primitives()`` also installs.  The twin then has f's body in place of each
# ``_block(x)`` statement (with ``cur`` renamed to ``x``), which saves a call
# per blocking operation -- on greenlets, a tenth of a communication's cost.

_elidable: list = []  # (function, its locked code)
_twins: dict = {}  # (locked code, inline_block code or None) -> lock-free code
_extra_names: set = set()  # backend-specific names installed beyond PRIMITIVES


class _Specialise(ast.NodeTransformer):
    """Drop ``_acquire()``/``_release()`` statements; inline ``_block(x)`` statements."""

    def __init__(self, template):
        self.template = template  # (parameter name, body statements) or None

    def visit_Expr(self, node):
        call = node.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and not call.keywords):
            return node
        name = call.func.id
        if name in ("_acquire", "_release") and not call.args:
            return ast.copy_location(ast.Pass(), node)
        if name == "_block" and self.template and len(call.args) == 1 and isinstance(call.args[0], ast.Name):
            return self._inline(call.args[0].id, node)
        return node

    def _inline(self, arg, at):
        param, body = self.template
        body = copy.deepcopy(body)
        assigned = {
            n.id
            for stmt in body
            for n in ast.walk(stmt)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        rename = _Rename(param, arg, assigned)
        stmts = [rename.visit(stmt) for stmt in body]
        for stmt in stmts:
            for sub in ast.walk(stmt):  # the whole body reports the call's line
                if "lineno" in sub._attributes:
                    ast.copy_location(sub, at)
        return stmts


class _Rename(ast.NodeTransformer):
    """The template's parameter becomes the call's argument; its own locals get
    a prefix so they cannot clash with the host function's."""

    def __init__(self, param, arg, assigned):
        self.param, self.arg, self.assigned = param, arg, assigned

    def visit_Name(self, node):
        if node.id == self.param:
            node.id = self.arg
        elif node.id in self.assigned:
            node.id = "_block_" + node.id
        return node


def _function_node(fn):
    source = textwrap.dedent(inspect.getsource(fn))
    tree = ast.parse(source)
    return tree, tree.body[0]


def _template_of(inline_block):
    if inline_block is None:
        return None
    _, node = _function_node(inline_block)
    body = [
        stmt
        for stmt in node.body
        if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
    ]
    return node.args.args[0].arg, body


def _lock_free_twin(fn, locked, inline_block):
    """fn's code without lock calls (and with blocks inlined), or the locked code
    if fn has no source (e.g. a bytecode-only install)."""
    key = (locked, None if inline_block is None else inline_block.__code__)
    if key in _twins:
        return _twins[key]
    try:
        tree, fn_node = _function_node(fn)
        template = _template_of(inline_block)
    except (OSError, TypeError):
        _twins[key] = locked
        return locked
    fn_node.decorator_list = []
    tree = ast.fix_missing_locations(_Specialise(template).visit(tree))
    ast.increment_lineno(tree, locked.co_firstlineno - fn_node.lineno)
    namespace: dict = {}
    exec(compile(tree, locked.co_filename, "exec"), fn.__globals__, namespace)
    twin = namespace[fn.__name__].__code__.replace(co_name=locked.co_name)
    if hasattr(twin, "co_qualname"):
        twin = twin.replace(co_qualname=locked.co_qualname)
    _twins[key] = twin
    return twin


def lock_elidable(fn):
    """Decorator: give fn a lock-free twin for single-threaded backends."""
    _elidable.append((fn, fn.__code__))
    return fn


def install(backend) -> None:
    global active
    if active is not None:
        raise CSPError("run() is already active in this program: runs do not nest")
    prims = backend.primitives()
    missing = set(PRIMITIVES) - set(prims)
    if missing:
        raise CSPError(f"backend {backend.name!r} lacks primitives {sorted(missing)}")
    active = backend
    _extra_names.update(set(prims) - set(PRIMITIVES))
    for g in _hot_modules:
        g.update(prims)
    if not getattr(backend, "needs_lock", True):
        inline_block = getattr(backend, "inline_block", None)
        for fn, locked in _elidable:
            fn.__code__ = _lock_free_twin(fn, locked, inline_block)


def uninstall() -> None:
    global active
    active = None
    for g in _hot_modules:
        g.update(_IDLE)
        for name in _extra_names:
            g.pop(name, None)
    for fn, locked in _elidable:
        fn.__code__ = locked


def current_backend() -> str | None:
    """The name of the running backend ("greenlet", "threads"), or None outside run()."""
    return None if active is None else active.name
