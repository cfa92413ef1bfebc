"""cspc.runtime: CSP processes, channels, PAR/SEQ/ALT, timers, barriers and poison.

The library every compiled cspc program runs on, and a library for writing
process networks in plain Python.  It imports nothing from the compiler.
See docs/runtime.md for the guide.
"""

from ._core import current_backend
from .alt import (
    Alt,
    FairPolicy,
    Guard,
    InputGuard,
    OutputGuard,
    PriAlt,
    SkipGuard,
    TimeoutGuard,
    alt,
    get_alt_policy,
    set_alt_policy,
)
from .barrier import Barrier
from .channels import (
    Any2AnyChannel,
    Any2OneChannel,
    BufferedChannel,
    Channel,
    ChannelEnd,
    Claim,
    One2AnyChannel,
    get_observer,
    set_observer,
)
from .errors import BlockedProcess, CSPError, Deadlock, OccamError, PoisonError, ProcessError
from .process import Killed, Par, ProcessSpec, Seq, par, process, seq, stop
from .scheduler import run
from .io import FLUSH, KeyboardChannel, ScreenWriter, run_main
from .timers import Timer, after, wrap32

__all__ = [
    "after", "alt", "Alt", "Any2AnyChannel", "Any2OneChannel", "Barrier", "BlockedProcess",
    "BufferedChannel", "Channel", "ChannelEnd", "Claim", "CSPError", "current_backend",
    "current_process", "Deadlock", "FairPolicy", "FLUSH", "get_alt_policy", "get_observer", "Guard",
    "InputGuard", "KeyboardChannel", "Killed", "OccamError", "One2AnyChannel", "OutputGuard", "Par",
    "par", "poison", "PoisonError", "PriAlt", "process", "ProcessError", "ProcessSpec", "run",
    "run_main", "ScreenWriter", "Seq", "seq", "set_alt_policy", "set_observer", "SkipGuard", "stop",
    "TimeoutGuard", "Timer", "wrap32",
]


def poison(*channels) -> None:
    """Poison each channel or channel end given."""
    for ch in channels:
        ch.poison()


def current_process():
    """The record of the calling process (``.name``), inside a run."""
    from . import _core

    if _core.active is None:
        return None
    return _core.active.primitives()["_current"]()
