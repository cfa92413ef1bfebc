"""What a sequence chart shows, recorded as a run goes: :class:`ChartRecorder`.

The recorder is a run's observer (see :mod:`cspc.runtime.hooks`), called as
:class:`cspc.trace.Tracer` is, under the runtime lock, so it only notes each
event down; drawing happens after the run (:mod:`cspc.chart.draw`).  It
numbers communications exactly as the tracer does, so an arrow's number is
its event's number in the trace.

ALT decisions come from the run's choice policy: :class:`RecordingPolicy`
hands every decision to the policy the run would have used anyway (the
default :class:`~cspc.runtime.hooks.FairPolicy`) and only tells the recorder
what it chose and which guards were ready, so tracing does not change what a
program does.  The policy is asked only when an ALT finds a guard ready; an
ALT that has to wait is completed by whichever partner comes first, which the
recorder tells by where the reader is: at the line of an ALT of the checked
program (:func:`alt_sites`), as a process inside an ALT is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cspc import syntax as S
from cspc.runtime import InputGuard, OutputGuard, TimeoutGuard
from cspc.runtime.hooks import FairPolicy, where
from cspc.trace import Protocols, outside_reader

DEFAULT_LIMIT = 100


@dataclass
class Choice:
    """An ALT's decision: the guard it chose and the guards that were ready."""

    process: str  # the lifeline of the process that ran the ALT
    chosen: str  # `c?', `c!', `SKIP' or `AFTER'
    ready: list[str]
    pri: bool

    def text(self) -> str:
        word = "PRI ALT" if self.pri else "ALT"
        if not self.ready:  # it waited: nothing was ready as it looked
            return f"{word} waited; {self.chosen} came first"
        return f"{word} chose {self.chosen} (ready: {', '.join(self.ready)})"


@dataclass
class Arrow:
    """One communication, drawn from its writer's lifeline to its reader's."""

    seq: int  # the event's number in the trace
    event: str  # as the trace writes it, `c.3'
    writer: str
    reader: str
    choice: Choice | None = None  # the ALT that chose this communication, if the policy saw it


@dataclass
class Chart:
    """A run as a sequence chart: lifelines left to right in the order the
    processes first took part, and rows top to bottom in the order things
    happened (an :class:`Arrow`, or a :class:`Choice` of a SKIP or timeout
    guard, which communicates nothing)."""

    lifelines: list[str] = field(default_factory=list)
    rows: list[Arrow | Choice] = field(default_factory=list)
    blocked: dict[str, str] = field(default_factory=dict)  # lifeline -> what it waits for, at the end
    events: int = 0  # communications in the run, shown or not
    limit: int = DEFAULT_LIMIT
    shown: int = 0  # arrows on the chart
    skipped: int = 0  # events that would have been drawn, past the limit
    ending: str | None = None  # the first line of a deadlock or run-time error report

    @property
    def arrows(self) -> list[Arrow]:
        return [row for row in self.rows if isinstance(row, Arrow)]

    @property
    def cut(self) -> bool:
        """True if the run had wanted events past the limit."""
        return self.skipped > 0

    def cut_note(self) -> str:
        return (
            f"the chart shows the first {self.limit} events; "
            f"{self.skipped} more past them are left out (--chart-limit)"
        )


class ChartRecorder:
    """The observer that builds a :class:`Chart` of a run.

    ``wanted(channel, writer, reader)`` (by name, as :meth:`Tracer.wanted`)
    picks the events to draw; ``limit`` is how many arrows at most;
    ``program``, the checked program, has the ALTs (:func:`alt_sites`)."""

    def __init__(
        self, protocols: Protocols, *, program: S.Program | None = None, limit: int = DEFAULT_LIMIT, wanted=None
    ) -> None:
        self.protocols = protocols
        self.alts = alt_sites(program) if program is not None else {}
        self.wanted = wanted
        self.chart = Chart(limit=limit)
        # (id(process record), its name then) -> the lifeline.  A record's name
        # changes while it runs a PAR's first branch, which is a process of its own.
        self._lifeline: dict[tuple[int, str], str] = {}
        self._records: list = []  # the records, kept alive so that their ids stay theirs
        self._names: dict[str, int] = {}  # process name -> how many lifelines bear it
        self._pending: dict[int, tuple] = {}  # id(process) -> (channel, Choice) of its ALT

    # -- the observer

    def communicated(self, channel, value, writer, reader) -> None:
        chart = self.chart
        chart.events += 1
        name = getattr(channel, "name", None) or "?"
        writer_name = writer.name if writer is not None else None
        reader_name = reader.name if reader is not None else outside_reader(name)
        choice = self._choice_for(channel, writer) or self._choice_for(channel, reader)
        if self.wanted is not None and not self.wanted(name, writer_name, reader_name):
            return
        if chart.shown >= chart.limit:
            chart.skipped += 1
            return
        chart.shown += 1
        event = f"{name}.{self.protocols.renderer(channel, name, writer)(value)}"
        writer_line = self.lifeline(writer)  # first: lifelines are in order of appearance
        reader_line = self.lifeline(reader) if reader is not None else self.outside(reader_name or "?")
        if choice is None and reader is not None and self.alts:
            pri = self.alts.get(where(reader))
            if pri is not None:  # the reader is inside an ALT that waited (else the policy had chosen)
                choice = Choice(reader_line, f"{name}?", [], pri)
        chart.rows.append(Arrow(chart.events, event, writer_line, reader_line, choice))

    def chose(self, process, guards, ready, chosen: int, pri: bool) -> None:
        """An ALT of ``process`` chose ``guards[chosen]`` from the ``ready`` ones."""
        if self.chart.shown >= self.chart.limit:
            return
        choice = Choice(self.lifeline(process), _guard(guards[chosen]), [_guard(guards[i]) for i in ready], pri)
        guard = guards[chosen]
        channel = guard.channel if isinstance(guard, (InputGuard, OutputGuard)) else None
        if channel is None:  # SKIP or a timeout: nothing is communicated, the choice is a row
            self.chart.rows.append(choice)
        else:  # the communication that follows at once is this guard's
            self._pending[id(process)] = (channel, choice)

    def _choice_for(self, channel, process) -> Choice | None:
        if process is None:
            return None
        pending = self._pending.pop(id(process), None)
        if pending is not None and pending[0] is channel:
            return pending[1]
        return None

    # -- the end

    def finish(self, ending: BaseException | None = None, report: str | None = None) -> None:
        """Note how the run ended (``report``: the deadlock or run-time error
        as the CLI prints it) and mark the processes a deadlock left blocked."""
        if report:
            self.chart.ending = report.splitlines()[0]
        if ending is None:
            return
        for b in getattr(ending, "blocked", None) or ():
            if b.waiting_for == "PAR":
                continue
            lines = [line for (_, name), line in self._lifeline.items() if name == b.process]
            for line in lines or [self._add(b.process)]:
                self.chart.blocked[line] = _waiting(b)

    # -- lifelines

    def lifeline(self, process) -> str:
        """The lifeline of a process (a record under its present name); a
        second process of the same name gets ``name (2)``."""
        key = (id(process), process.name)
        line = self._lifeline.get(key)
        if line is None:
            line = self._lifeline[key] = self._add(process.name)
            self._records.append(process)
        return line

    def outside(self, name: str) -> str:
        """The lifeline of the outside world at a top-level channel, `(screen)`."""
        if name not in self.chart.lifelines:
            self.chart.lifelines.append(name)
        return name

    def _add(self, name: str) -> str:
        count = self._names.get(name, 0) + 1
        self._names[name] = count
        line = name if count == 1 else f"{name} ({count})"
        self.chart.lifelines.append(line)
        return line


def alt_sites(program: S.Program) -> dict[str, bool]:
    """Each ALT's line in ``program``, as ``file:line`` (the form of
    :func:`~cspc.runtime.hooks.where`) -> whether it is a PRI ALT."""
    return {f"{node.span.file}:{node.span.line}": node.pri for node in S.walk(program) if isinstance(node, S.Alt)}


class RecordingPolicy:
    """An ALT policy that tells ``recorder`` of each decision ``inner`` (the
    default :class:`FairPolicy`) makes, and changes none of them."""

    def __init__(self, recorder: ChartRecorder, inner=None) -> None:
        self.recorder = recorder
        self.inner = inner if inner is not None else FairPolicy()

    def choose(self, process, guards, ready, pri, site) -> int:
        chosen = self.inner.choose(process, guards, ready, pri, site)
        self.recorder.chose(process, guards, ready, chosen, pri)
        return chosen


def _guard(guard) -> str:
    """A guard as the chart names it: `c?', `c!', `AFTER' or `SKIP'."""
    if isinstance(guard, (InputGuard, OutputGuard)):
        mark = "?" if isinstance(guard, InputGuard) else "!"
        return f"{getattr(guard.channel, 'name', None) or '?'}{mark}"
    return "AFTER" if isinstance(guard, TimeoutGuard) else "SKIP"


def _waiting(b) -> str:
    """What a blocked process waits for, in a few characters: `b!', `a?'."""
    if b.waiting_for == "input" and b.channel:
        return f"{b.channel}?"
    if b.waiting_for == "output" and b.channel:
        return f"{b.channel}!"
    if b.waiting_for == "ALT" and b.channel:
        return f"ALT {b.channel}"
    return b.waiting_for
