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
says so: channel operations need a running process.
"""

from __future__ import annotations

import ast
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


# -- lock elision ------------------------------------------------------------------
#
# The hottest functions (channel read/write, alt) are written once, with
# _acquire()/_release() calls.  A single-threaded backend (greenlets) needs no
# lock, and on a slow interpreter two no-op calls per operation are a large
# share of a communication's cost.  So each such function also gets a twin
# compiled from the same source with those calls removed, and ``install``
# swaps the function's ``__code__`` to the twin for a backend that says
# ``needs_lock = False`` (and back afterwards).  Swapping the code object, not
# the function, keeps every bound method and reference valid.

_elidable: list = []  # (function, locked code, lock-free code)


def _strip_lock_calls(fn):
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        first_line = fn.__code__.co_firstlineno
    except (OSError, TypeError):
        return None  # no source (e.g. a bytecode-only install): keep the locked code

    class Strip(ast.NodeTransformer):
        def visit_Expr(self, node):
            call = node.value
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id in ("_acquire", "_release")
                and not call.args
            ):
                return ast.copy_location(ast.Pass(), node)
            return node

    tree = ast.parse(source)
    fn_node = tree.body[0]
    fn_node.decorator_list = []
    tree = Strip().visit(tree)
    ast.increment_lineno(tree, first_line - fn_node.lineno)
    namespace: dict = {}
    exec(compile(tree, fn.__code__.co_filename, "exec"), fn.__globals__, namespace)
    twin = namespace[fn.__name__].__code__
    return twin.replace(co_name=fn.__code__.co_name, co_qualname=fn.__code__.co_qualname) if hasattr(
        twin, "co_qualname"
    ) else twin.replace(co_name=fn.__code__.co_name)


def lock_elidable(fn):
    """Decorator: give fn a lock-free twin for single-threaded backends."""
    twin = _strip_lock_calls(fn)
    if twin is not None:
        _elidable.append((fn, fn.__code__, twin))
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
    for g in _hot_modules:
        g.update(prims)
    if not getattr(backend, "needs_lock", True):
        for fn, _locked, free in _elidable:
            fn.__code__ = free


def uninstall() -> None:
    global active
    active = None
    for g in _hot_modules:
        g.update(_IDLE)
    for fn, locked, _free in _elidable:
        fn.__code__ = locked


def current_backend() -> str | None:
    """The name of the running backend ("greenlet", "threads"), or None outside run()."""
    return None if active is None else active.name
