"""``run``: the entry to a CSP run on a chosen backend, with the run's hooks."""

from __future__ import annotations

import sys

from . import _core
from .alt import get_alt_policy, set_alt_policy
from .backends import create
from .backends.base import Backend
from .channels import get_observer, set_observer
from .process import branch_name


# How deep a process's calls may go (occam's RECURSIVE PROCs and FUNCTIONs,
# and Python processes alike).  From Python 3.11 a Python call costs no C
# stack, so only memory bounds it: about 0.2 GB at this depth.  On 3.10 each
# call uses the C stack, and Python's own limit stays.
RECURSION_LIMIT = 1_000_000 if sys.version_info >= (3, 11) else 0


def run(main, *args, backend=None, observer=None, policy=None, name=None, idle_hook=None):
    """Run ``main(*args)`` as the first process of a new CSP run and return its
    result once it ends.  ``backend`` is "greenlet" or "threads" (default: the
    ``CSPC_BACKEND`` environment variable, else "greenlet"), or a backend object
made for this one run (the explorer's controlled scheduler).

    ``observer`` (see :class:`cspc.runtime.hooks.Observer`) is told of every
    communication of this run; ``policy`` (:class:`~cspc.runtime.hooks.AltPolicy`,
    default FairPolicy) makes its ALT decisions.  Both last for this run only.

    Raises :class:`Deadlock` if every process blocks; an exception from ``main``
    itself propagates as it is; one from a PAR branch arrives as ProcessError
    (see ``par``).  Runs do not nest, and one run at a time per program.
    ``name`` names the first process (default: main's name); ``idle_hook`` is
    called whenever every process waits for a timer or external input."""
    _check_hook(observer, "observer", "communicated")
    _check_hook(policy, "policy", "choose")
    sched = backend if isinstance(backend, Backend) else create(backend)
    if idle_hook is not None:
        sched.idle_hooks.append(idle_hook)
    if name is None:
        name = branch_name(main, 0)
        if name == "PAR branch 1":
            name = "main"
    _core.install(sched)  # first: a nested run fails here, before touching the hooks
    saved = get_observer(), get_alt_policy(), sys.getrecursionlimit()
    try:
        set_observer(observer)
        set_alt_policy(policy)
        sys.setrecursionlimit(max(saved[2], RECURSION_LIMIT))
        return sched.run(main, args, name)
    finally:
        sys.setrecursionlimit(saved[2])
        set_observer(saved[0])
        set_alt_policy(saved[1])
        _core.uninstall()


def _check_hook(hook, what: str, method: str) -> None:
    """A hook without its method would fail mid-run, under the runtime lock: refuse it now."""
    if hook is not None and not callable(getattr(hook, method, None)):
        raise TypeError(f"run(): {what} must have a {method}() method, got {hook!r}")
