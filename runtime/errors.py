"""The runtime's exception classes and the deadlock report.

* :class:`CSPError` -- misuse of the runtime, or a run-level failure.
* :class:`PoisonError` -- an operation on a poisoned channel.
* :class:`RetireError` -- an operation on a retired channel.
* :class:`ProcessError` -- a process in a PAR died of an exception; the
  original exception (with its traceback) is ``__cause__`` and ``.original``.
* :class:`Deadlock` -- no process can proceed; ``.blocked`` lists who waits on what.
* :class:`OccamError` -- a run-time error of an occam program (overflow,
  range, IF with no true branch, ...), raised by generated code.
* :class:`SystemLimit` -- the system will not give the run what it needs (for
  the threads backend, as many threads as it has processes).
"""

from __future__ import annotations

from dataclasses import dataclass


class CSPError(Exception):
    """Misuse of a channel, barrier or process, or a failed run."""


class PoisonError(CSPError):
    """Raised by every operation on a poisoned channel."""


class RetireError(CSPError):
    """Raised by every operation on a retired channel (PyCSP's
    ChannelRetireException).

    Not a PoisonError, on purpose: the two end a network differently.  Poison
    is an abort that spreads: a process dying of PoisonError poisons every
    channel it was given, and pending values are dropped.  Retiring is a
    graceful leave: a process dying of RetireError retires the ends it was
    given, so a shared channel stays open for as long as any of its other
    writers (or readers) remain.  Were RetireError a PoisonError, every
    ``except PoisonError`` handler -- the runtime's own included -- would turn
    a graceful leave into an abort.  As with poison, a PAR branch that dies of
    it ends cleanly (it does not fail the PAR)."""


class EndInUse(CSPError):
    """A second process at one end of a one-to-one channel.  Compiled occam
    meets it only where the program switched the usage checks off (`#PRAGMA
    SHARED c', `#OPTION "N"'), so ``cspc run`` reports it as a run-time error
    of the program, in occam's words (``occam_text``)."""

    def __init__(self, message: str, channel: str, doing: str):
        super().__init__(message)
        self.occam_text = (
            f"two processes are {doing} channel {channel} at once: a channel has one process "
            "at each end (to share one, declare it SHARED and CLAIM it)"
        )


class SystemLimit(CSPError):
    """The system will not give the run what it needs (threads, for the threads
    backend); the message says what to do instead.  A run-time error of the
    program as far as ``cspc run`` reports it."""


class OccamError(Exception):
    """A run-time error in an occam program (what KRoC calls STOP on error)."""


class ProcessError(CSPError):
    """A process died of an exception.  ``process_name`` names it and
    ``original`` (also ``__cause__``) is the exception it died of, with its
    traceback.  ProcessErrors never nest: the innermost failing process is named."""

    def __init__(self, process_name: str, original: BaseException):
        self.process_name = process_name
        self.original = original
        super().__init__(f"process {process_name!r} failed: {type(original).__name__}: {original}")


@dataclass
class BlockedProcess:
    """One line of a deadlock report."""

    process: str  # the process's name
    # "input" | "output" | "ALT" | "SYNC" | "STOP" | "timer" | "CLAIM" | "PAR" | "keyboard" | "external"
    waiting_for: str
    channel: str | None = None  # the channel's source name (for ALT: the names, comma separated)
    partner: str | None = None  # the process that never came, where known
    location: str | None = None  # "file:line" of the blocked statement, where known
    detail: str | None = None  # anything else worth saying
    # For tools (cspc graph --run): the source names of the channels it waits
    # on, one for an input or output, every guard's for an ALT.
    channels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.channels and self.channel and self.waiting_for in ("input", "output", "CLAIM"):
            self.channels = (self.channel,)

    def describe(self) -> str:
        what = {
            "input": f"waits to input from channel {self.channel}",
            "output": f"waits to output on channel {self.channel}",
            "ALT": f"waits in an ALT on {self.channel}" if self.channel else "waits in an ALT",
            "SYNC": f"waits to SYNC on barrier {self.channel}",
            "STOP": "has stopped (STOP)",
            "timer": "waits on a timer",
            "CLAIM": f"waits to CLAIM a shared end of channel {self.channel}",
            "keyboard": "feeds the keyboard channel from stdin, which is at end of file",
            "external": "waits for external input",
            "PAR": "waits for its PAR branches to finish",
        }.get(self.waiting_for, f"waits ({self.waiting_for})")
        text = f"{self.process!r} {what}"
        if self.partner:
            text += f" ({self.partner})"
        if self.detail:
            text += f" [{self.detail}]"
        if self.location:
            text = f"{self.location}: {text}"
        return text


class Deadlock(CSPError):
    """No process can proceed: nothing runnable, no timer pending, no external input pending."""

    def __init__(self, blocked: list[BlockedProcess]):
        self.blocked = blocked
        leaves = [b for b in blocked if b.waiting_for != "PAR"]
        lines = [f"deadlock: no process can proceed ({len(leaves)} blocked)"]
        lines += ["  " + b.describe() for b in leaves]
        super().__init__("\n".join(lines))
