"""``run``: the entry to a CSP run on a chosen backend."""

from __future__ import annotations

from . import _core
from .backends import create
from .process import branch_name


def run(main, *args, backend=None, name=None, idle_hook=None):
    """Run ``main(*args)`` as the first process of a new CSP run and return its
    result once it ends.  ``backend`` is "greenlet" or "threads" (default: the
    ``CSPC_BACKEND`` environment variable, else "greenlet").

    Raises :class:`Deadlock` if every process blocks; an exception from ``main``
    itself propagates as it is; one from a PAR branch arrives as ProcessError
    (see ``par``).  Runs do not nest, and one run at a time per program.
    ``name`` names the first process (default: main's name); ``idle_hook`` is
    called whenever every process waits for a timer or external input."""
    sched = create(backend)
    if idle_hook is not None:
        sched.idle_hooks.append(idle_hook)
    if name is None:
        name = branch_name(main, 0)
        if name == "PAR branch 1":
            name = "main"
    _core.install(sched)
    try:
        return sched.run(main, args, name)
    finally:
        _core.uninstall()
