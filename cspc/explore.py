"""``cspc explore``: the verdict of the search over a program's schedules, its
counterexample in the user's words, and schedule files that replay it.

The search itself is :mod:`cspc.runtime.explore`; this module only words its
result.  A counterexample is found as a list of decisions; to show it, the
run is replayed once more with an observer that numbers every communication
(writer, reader, value, channel, both ``.csp`` lines) and notes each ALT
decision with the guards that were ready.

Exit status: 0 exhaustive and nothing found, 1 a deadlock or run-time error
found, 2 bad input (the CLI's), 4 a bound cut the search with nothing found.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from cspc.runtime.explore import Decision, Finding, Result, Run, describe_choices, explore

EXIT_NOTHING_FOUND = 0
EXIT_FOUND = 1
EXIT_BOUND = 4

SCHEDULE_FORMAT = "cspc-schedule/1"


@dataclass
class Step:
    """One communication of a counterexample."""

    number: int
    channel: str
    value: str
    writer: str
    reader: str | None
    writer_at: str | None
    reader_at: str | None


def _occam_place(process) -> str | None:
    """Where ``process`` is in the occam program, or None when it is not in
    occam code (the runtime's keyboard feeder)."""
    from cspc.runtime._source import is_source_file
    from cspc.runtime.hooks import where

    place = where(process)
    return place if place is not None and is_source_file(place.rsplit(":", 1)[0]) else None


class Recorder:
    """The replay's observer: numbers each communication and keeps it, with
    the decisions, in the order they happened (``events``)."""

    def __init__(self, protocols=None):
        self.events: list = []
        self.protocols = protocols
        self.count = 0

    def communicated(self, channel, value, writer, reader):
        where = _occam_place
        self.count += 1
        last = self.events[-1] if self.events else None
        if reader is None and isinstance(value, int) and isinstance(last, Screen) and last.channel == channel.name \
                and last.writer == writer.name:
            last.text.append(value)
            last.last = self.count
            return
        if reader is None and isinstance(value, int) and channel.name in ("screen", "error"):
            self.events.append(Screen(self.count, self.count, channel.name, writer.name, where(writer),
                                      bytearray([value & 0xFF])))
            return
        text = repr(value)
        if self.protocols is not None:
            try:
                text = self.protocols.renderer(channel, channel.name, writer)(value)
            except Exception:  # noqa: BLE001 -- a report must not fail for a value's picture
                pass
        self.events.append(Step(self.count, channel.name, text, writer.name,
                                reader.name if reader is not None else None,
                                where(writer), where(reader) if reader is not None else None))


@dataclass
class Screen:
    """Bytes one process wrote in a row to the program's screen or error
    channel (communications ``first`` to ``last``), shown as one line."""

    first: int
    last: int
    channel: str
    writer: str
    writer_at: str | None
    text: bytearray


@dataclass
class Report:
    """What ``cspc explore`` says of one finding, or of none, as data
    (``--json`` prints it).  With ``--all``, the first finding's report holds
    the others' in ``more``."""

    verdict: str
    summary: str
    result: Result
    events: list = field(default_factory=list)
    output: str = ""
    finding: Finding | None = None
    more: list[Report] = field(default_factory=list)

    @property
    def communications(self) -> int:
        last = [e.last if isinstance(e, Screen) else e.number for e in self.events if not isinstance(e, Decision)]
        return max(last, default=0)

    @property
    def status(self) -> int:
        if self.finding is not None:
            return EXIT_FOUND
        return EXIT_NOTHING_FOUND if self.result.exhaustive else EXIT_BOUND

    def as_data(self) -> dict:
        result, finding = self.result, self.finding
        data = {
            "verdict": self.verdict,
            "summary": self.summary,
            "states": result.states,
            "transitions": result.transitions,
            "alt_decisions": result.decisions,
            "runs": result.runs,
            "exhaustive": result.exhaustive,
            "bound": result.bound,
        }
        if finding is not None:
            data["decisions"] = finding.decisions
            data["steps"] = [_event_data(e) for e in self.events]
            data["communications"] = self.communications
            data["blocked"] = [{"process": w.name, "at": w.location, "waits": w.text} for w in finding.blocked]
            data["cycle"] = finding.cycle
            data["error"] = self.error_text()
        if self.more:
            keys = ("verdict", "summary", "decisions", "steps", "communications", "blocked", "cycle", "error")
            data["findings"] = [{k: d[k] for k in keys} for d in [data] + [r.as_data() for r in self.more]]
        return data

    def error_text(self) -> str | None:
        finding = self.finding
        if finding is None:
            return None
        if finding.exception is None:
            return finding.message or None
        from cspc.runtime import occam

        exc = finding.exception
        return occam.format_runtime_error(exc) if occam.is_runtime_error(exc) else f"{type(exc).__name__}: {exc}"

    def text(self) -> str:
        if not self.more:
            return self._text()
        parts = [self] + self.more
        result = self.result
        searched = ("explored exhaustively" if result.exhaustive
                    else f"{result.bound} reached: there may be more")
        head = (f"{len(parts)} distinct findings ({searched}; {result.states} states, "
                f"{result.transitions} transitions, {result.decisions} distinct ALT decisions)")
        return "\n\n".join([head] + [f"finding {i} of {len(parts)}: {part._text()}"
                                      for i, part in enumerate(parts, 1)])

    def _text(self) -> str:
        lines = [self.summary]
        finding = self.finding
        if finding is None:
            return "\n".join(lines)
        decision_no = 0
        for event in self.events:
            if isinstance(event, Screen):
                numbers = f"{event.first}-{event.last}" if event.last > event.first else f"{event.first}"
                lines.append(f"  {numbers:>3}. {event.channel}: {bytes(event.text).decode('latin-1')!r} "
                             f"written by {event.writer} ({event.writer_at})")
            elif isinstance(event, Step):
                reader = _at(event.reader, event.reader_at) if event.reader else "the outside world"
                lines.append(f"  {event.number:3}. {event.channel} ! {event.value}: "
                             f"{_at(event.writer, event.writer_at)} -> {reader}")
            else:
                decision_no += 1
                name, at, what = event.choices[event.taken]
                ready = ", ".join(f"{n} {w}" for n, _, w in event.choices)
                taken = "its timeout fires" if what in ("timer", "timeout") else f"takes {what}"
                lines.append(f"       decision {decision_no}: {name} ({at}) {taken}; ready: {ready}")
        if finding.kind == "run-time error":
            lines.append(self.error_text() or "")
            return "\n".join(lines)
        lines.append("blocked at the end:" if finding.kind == "deadlock" else "blocked for ever:")
        for w in finding.blocked:
            lines.append(f"  {w.location or '?'}: {w.text}")
        if finding.cycle:
            lines.append("cycle of waiting: " + " -> ".join(finding.cycle))
        return "\n".join(lines)


def _at(name: str, place: str | None) -> str:
    return f"{name} ({place})" if place else name


def _event_data(event) -> dict:
    if isinstance(event, Screen):
        return {"steps": [event.first, event.last], "channel": event.channel, "writer": event.writer,
                "writer_at": event.writer_at, "text": bytes(event.text).decode("latin-1")}
    if isinstance(event, Step):
        return {"step": event.number, "channel": event.channel, "value": event.value, "writer": event.writer,
                "writer_at": event.writer_at, "reader": event.reader, "reader_at": event.reader_at}
    return {"decision": [{"process": n, "at": at, "guard": w} for n, at, w in event.choices],
            "taken": event.taken}


def word(result: Result, proc, keyboard=b"", protocols=None) -> Report:
    """The report of ``result``: its first finding's, holding the others' (``more``)."""
    if not result.findings:
        return _word_finding(result, None, proc, keyboard, protocols)
    first, *others = [_word_finding(result, f, proc, keyboard, protocols) for f in result.findings]
    first.more = others
    return first


def _word_finding(result: Result, finding, proc, keyboard, protocols) -> Report:
    counts = f"{result.states} states, {result.transitions} transitions, {result.decisions} distinct ALT decisions"
    if finding is None:
        if result.exhaustive and result.states == 0:
            return Report("no deadlock", "no deadlock: explored exhaustively (a single schedule: "
                          "no ALT choice or timeout to decide)", result)
        if result.exhaustive:
            return Report("no deadlock", f"no deadlock: explored exhaustively ({counts})", result)
        return Report("bound reached", f"bound reached: no deadlock within {result.states} states "
                      f"({result.bound}; {counts}); not explored further", result)
    recorder = Recorder(protocols)
    replay = Run(proc, finding.decisions, keyboard, observer=recorder, record=True)
    replay.taken = recorder.events  # decisions land between the communications, in order
    replay.go()
    communications = recorder.count
    what = {"deadlock": "deadlock found", "partial deadlock": "partial deadlock found",
            "run-time error": "run-time error found"}[finding.kind]
    how = "shortest found" if result.method == "breadth-first" else f"random schedule {result.runs}"
    summary = (f"{what}: after {communications} communications and {len(finding.decisions)} decisions "
               f"({how}; explored {counts})")
    return Report(what.removesuffix(" found"), summary, result, recorder.events,
                  replay.screen.getvalue().decode("utf-8", "replace"), finding)


# -- schedule files -------------------------------------------------------------


def write_schedule(path: str, program: str, report: Report, keyboard: bytes) -> None:
    """The counterexample as a file that ``cspc run --schedule`` replays."""
    decisions = [e for e in report.events if isinstance(e, Decision)]
    data = {
        "format": SCHEDULE_FORMAT,
        "program": os.path.basename(program),
        "verdict": report.verdict,
        "keyboard": keyboard.decode("latin-1"),
        "decisions": [d.taken for d in decisions],
        "choices": [[list(c) for c in d.choices] for d in decisions],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


class ScheduleError(ValueError):
    """A schedule file that cannot be read, or does not fit the program."""


def read_schedule(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        raise ScheduleError(f"{path}: cannot read the schedule: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != SCHEDULE_FORMAT or not all(
        isinstance(d, int) for d in data.get("decisions", [None])
    ):
        raise ScheduleError(f"{path}: not a schedule written by `cspc explore --schedule-out'")
    return data


class ScheduledChooser:
    """The chooser of a replay: the schedule's decisions at the stable points
    with more than one choice, checked against what the program offers; past
    them, the first choice (a counterexample ends where its last decision
    leads without another choice)."""

    def __init__(self, schedule: dict, warn):
        self.decisions = schedule["decisions"]
        self.expected = schedule.get("choices") or []
        self.position = 0
        self.warn = warn

    def __call__(self, backend, choices):
        if not choices:
            return None
        if len(choices) == 1:
            return 0
        if self.position >= len(self.decisions):
            return 0
        index = self.decisions[self.position]
        offered = [_comparable(c) for c in describe_choices(choices)]
        expected = [_comparable(c) for c in self.expected[self.position]] if self.position < len(self.expected) \
            else offered
        if offered != expected or index >= len(choices):
            self.warn(f"cspc: warning: decision {self.position + 1} of the schedule does not fit this program "
                      "(was it changed?); the replay goes on with the first choice")
            self.decisions = []
            return 0
        self.position += 1
        return index


def _comparable(choice) -> tuple:
    """A choice of a schedule as a replay compares it: the process, the
    file's name without its folder (the program may be named another way, as
    ``./prog.csp`` or from another folder), the line, and what it does."""
    name, at, what = choice
    return name, os.path.basename(at) if at else at, what


def schedule_backend(path: str, warn):
    """A controlled scheduler replaying the schedule in ``path``, and the keyboard bytes it was found with."""
    from cspc.runtime.backends.controlled import ControlledBackend

    schedule = read_schedule(path)
    backend = ControlledBackend(ScheduledChooser(schedule, warn))
    return backend, schedule.get("keyboard", "").encode("latin-1")


def run_explore(file, program, proc, *, keyboard, max_states, max_depth, max_time=None, random_runs=None,
                pct=False, seed=0, as_json=False, schedule_out=None, every=False) -> int:
    """What ``cspc explore`` does once FILE is compiled: search, print, write the schedule; the exit status."""
    import click

    from cspc.trace import Protocols

    protocols = Protocols(program)
    if random_runs is None:
        result = explore(proc, keyboard=keyboard, max_states=max_states, max_depth=max_depth, max_time=max_time,
                         every=every)
    else:
        from cspc.runtime.explore import explore_randomly

        result = explore_randomly(proc, random_runs, keyboard=keyboard, pct=pct, seed=seed, max_depth=max_depth)
    report = word(result, proc, keyboard, protocols)
    if as_json:
        click.echo(json.dumps(report.as_data(), indent=1))
    else:
        click.echo(report.text())
    if schedule_out is not None and result.finding is not None:
        write_schedule(schedule_out, file, report, keyboard)
        if not as_json:
            click.echo(f"schedule written to {schedule_out}: replay it with "
                       f"`cspc run --schedule {schedule_out} {file}'")
    return report.status
