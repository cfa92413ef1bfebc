"""cspc.runtime: CSP processes, channels, PAR/SEQ/ALT, timers, barriers, poison.

The library every compiled cspc program runs on, and a library for writing
process networks in plain Python.  It imports nothing from the compiler.
See docs/runtime.md for the guide.

This package's namespace is the API for Python programs, and nothing else:
one spelling of each idea, grouped below by topic.  Two modules hold the rest:

* :mod:`cspc.runtime.occam` -- the occam ABI: what compiled code imports (the
  fast ``par``/``alt``/``stop`` entries, occam's arithmetic, ``run_main`` and
  the keyboard and screen);
* :mod:`cspc.runtime.hooks` -- what tools plug into a run (observers, ALT
  choice policies), passed as ``run(..., observer=..., policy=...)``.
"""

from .alt import Alt, InputGuard, OutputGuard, PriAlt, SkipGuard, TimeoutGuard
from .barrier import Barrier
from .channels import (
    Any2AnyChannel,
    Any2OneChannel,
    BufferedChannel,
    Channel,
    ChannelEnd,
    One2AnyChannel,
)
from .errors import (
    BlockedProcess,
    CSPError,
    Deadlock,
    OccamError,
    PoisonError,
    ProcessError,
    RetireError,
)
from .process import Par, Seq, process
from .scheduler import run
from .timers import Timer

__all__ = [
    # channels and their ends
    "Channel", "BufferedChannel", "Any2OneChannel", "One2AnyChannel", "Any2AnyChannel",
    "ChannelEnd",
    # processes and running them
    "process", "Par", "Seq", "run",
    # choice
    "Alt", "PriAlt", "InputGuard", "OutputGuard", "SkipGuard", "TimeoutGuard",
    # time and synchronisation
    "Timer", "Barrier",
    # ending a network
    "poison", "retire",
    # errors
    "CSPError", "PoisonError", "RetireError", "ProcessError", "Deadlock", "BlockedProcess", "OccamError",
]  # fmt: skip


def poison(*ends) -> None:
    """Poison each channel or channel end given: every pending and later
    operation on it raises PoisonError (see docs/runtime.md, Poison)."""
    for end in ends:
        end.poison()


def retire(*ends) -> None:
    """Retire each channel or channel end given (PyCSP's ``retire``): the
    gentle way to end a network, where the channel's other users get
    RetireError instead of PoisonError (see docs/runtime.md)."""
    for end in ends:
        end.retire()
