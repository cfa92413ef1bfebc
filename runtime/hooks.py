"""cspc.runtime.hooks: what tools (tracers, graphers, explorers) plug into a run.

A program never needs this module; a tool that watches or steers a run does.
There are two hooks, and both are arguments of a run, never process-wide
settings -- so one run's tracer cannot leak into the next run, or into a
test that runs afterwards:

* an **observer** (:class:`Observer`), passed as ``run(main, observer=obs)``
  (or ``run_main(proc, observer=obs)``), is told of every communication that
  completes in that run;
* a **choice policy** (:class:`AltPolicy`), passed as ``run(main,
  policy=p)``, makes every ALT decision of that run.  :class:`FairPolicy` is
  the default, and a convenient base class.

Both hooks are called under the runtime lock, in the process that completes
the communication or runs the ALT: they must be quick and must not use
channels, ALTs or timers themselves.  What they are handed:

* *process records*, which have ``.name`` (and backend-private fields that a
  tool must not rely on);
* channels, which have ``.name`` (the source name for compiled code);
* guards (:class:`Guard` and its subclasses in :mod:`cspc.runtime`), which
  have ``.precondition``, ``.channel`` (input and output guards) and
  ``.value`` (output guards).

:func:`current_process` and :func:`current_backend` tell a tool, or a
process, where it is; :func:`where` tells the source line a process is at.

There are deliberately no global setters here: ``run``'s arguments cover
every use, and restore the default when the run ends, however it ends.
"""

from __future__ import annotations

from typing import Any, Hashable, Protocol, Sequence

from . import _core
from ._core import current_backend
from .alt import FairPolicy, Guard

__all__ = ["Observer", "AltPolicy", "FairPolicy", "Guard", "current_process", "current_backend", "where"]


class Observer(Protocol):
    """What ``run(..., observer=...)`` expects."""

    def communicated(self, channel, value: Any, writer, reader) -> None:
        """Called once for every completed communication, in completion order.
        ``writer`` and ``reader`` are process records; for a buffered channel
        the event is the value entering the buffer, and ``reader`` is None, as
        it is for a byte written to an occam program's ``screen`` or
        ``error`` (the outside world reads it at once)."""


class AltPolicy(Protocol):
    """What ``run(..., policy=...)`` expects."""

    def choose(
        self, process, guards: Sequence[Guard], ready: Sequence[int], pri: bool, site: Hashable
    ) -> int:
        """Return one of ``ready`` (the indices of the ready guards, in order),
        whenever an ALT finds at least one guard ready.  ``pri`` is true for
        PRI ALT; ``site`` is the ALT's identity for fairness (an ``Alt``
        object, the ``site`` given to ``alt``, or None: per process)."""


def where(process) -> str | None:
    """Where ``process`` is in the program, as ``file:line``: the line of the
    innermost occam frame (or of the innermost frame outside the runtime), as
    a deadlock report names it; None if not known.  For an observer, the two
    processes of a communication are at their `!' and `?'."""
    backend = _core.active
    if backend is None or process is None:
        return None
    from .backends.base import source_location

    try:
        return source_location(backend.frame_of(process))
    except Exception:  # a tool's question must never break the run
        return None


def current_process():
    """The record of the calling process (``.name``), or None outside a run."""
    if _core.active is None:
        return None
    return _core.active.primitives()["_current"]()
