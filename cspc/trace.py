"""``cspc trace``: a run's CSP trace, one event per completed communication.

An event is written as CSP writes it, ``channel.value``: ``c.3``, a tagged
message ``c.move.3.4``, a sequential protocol ``p.3.TRUE``, an array
``a.[1, 2, 3]``, a string ``l.5."hello"``, a BYTE ``screen.'h'``.  What is
a BYTE and what a tag is known from the checked program (:class:`Protocols`):
the writer's line names the output, whose channel's type the checks know.
Where that fails (a line with two outputs of different protocols), the
channel's declared name decides if only one declaration has it; else the
value is shown plainly, numbers and arrays.

:class:`Tracer` is the run's observer (see :mod:`cspc.runtime.hooks`): it is
called under the runtime lock in the process that completes a communication,
so it only formats and writes.  Formats: ``csp`` (numbered lines; with
``verbose``, the writer and reader and their lines), ``json`` (one object per
line) and ``csv``.  A run that deadlocks or stops with a run-time error ends
its trace with the report.  Without a tracer the runtime's observer is None
and costs one test per communication.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import time

from cspc import syntax as S
from cspc.check import types as T

FORMATS = ("csp", "json", "csv")
CSV_COLUMNS = ("seq", "channel", "event", "writer", "reader", "writer_at", "reader_at", "time")

# The occam top level's channels: what they carry, and who is at their far end.
_MAIN_CHANNELS = {"keyboard": "(keyboard)", "screen": "(screen)", "error": "(error)"}
_AMBIGUOUS = object()
_REMEMBERED_CHANNELS = 4096  # channels whose protocol a trace remembers at once
_OCCAM_ESCAPES = {10: "*n", 13: "*c", 9: "*t", 39: "*'", 34: '*"', 42: "**"}


class Protocols:
    """What each communication carries, from the checked program: by the
    writer's line (every output `c ! ...' on it, whose channel's type the
    checks know), else by the channel's name when only one declaration has it."""

    def __init__(self, program: S.Program | None) -> None:
        self.by_line: dict[str, object] = {}
        self._by_channel: dict[int, tuple] = {}  # id(channel) -> (channel, its renderer)
        self.by_name = protocols(program) if program is not None else dict.fromkeys(_MAIN_CHANNELS, T.BYTE)
        for node in S.walk(program) if program is not None else ():
            if isinstance(node, S.Output):
                t = T.base(node.chan.type) if node.chan.type is not None else None
                if not isinstance(t, S.ChanType):
                    continue
                key = f"{node.span.file}:{node.span.line}"
                known = self.by_line.get(key)
                if known is None:
                    self.by_line[key] = t.protocol
                elif known is not _AMBIGUOUS and T.type_str(known) != T.type_str(t.protocol):
                    self.by_line[key] = _AMBIGUOUS

    def renderer(self, channel, channel_name: str, writer):
        """How to write a message on ``channel`` from the process ``writer``
        (:func:`renderer` of its protocol): found by :meth:`of` at the first
        writer's line, then remembered for the channel (its messages all have
        its one type), so that later events need not look for where their
        writer is, which costs more than all the rest of a traced
        communication.  The memory is cleared whenever it fills up."""
        known = self._by_channel.get(id(channel))
        if known is not None and known[0] is channel:
            return known[1]
        from cspc.runtime.hooks import where

        render_value = renderer(self.of(channel_name, where(writer)))
        if len(self._by_channel) >= _REMEMBERED_CHANNELS:
            self._by_channel.clear()
        self._by_channel[id(channel)] = (channel, render_value)  # the channel is kept: its id stays its own
        return render_value

    def of(self, channel_name: str, writer_at: str | None):
        """The protocol of a message on ``channel_name`` written at ``writer_at``."""
        if channel_name in _MAIN_CHANNELS:
            return T.BYTE
        found = self.by_line.get(writer_at) if writer_at is not None else None
        if found is not None and found is not _AMBIGUOUS:
            return found
        return self.by_name.get(base_name(channel_name))


def protocols(program: S.Program) -> dict[str, object]:
    """Each channel name declared in ``program`` -> its protocol (an S.Type)."""
    found: dict[str, object] = {name: T.BYTE for name in _MAIN_CHANNELS}
    for node in S.walk(program):
        if isinstance(node, S.VarDecl):
            t = T.base(node.type)
            while isinstance(t, S.ArrayType):
                t = T.base(t.elem)
            if not isinstance(t, S.ChanType):
                continue
            for name in node.names:
                known = found.get(name.name)
                if known is None:
                    found[name.name] = t.protocol
                elif known is not _AMBIGUOUS and T.type_str(known) != T.type_str(t.protocol):
                    found[name.name] = _AMBIGUOUS
    return found


def outside_reader(channel_name: str) -> str | None:
    """Who reads a communication that has no reading process: the outside
    world at ``screen`` and ``error`` (`(screen)`), else None."""
    return _MAIN_CHANNELS.get(channel_name)


def base_name(channel_name: str) -> str:
    """``c`` for ``c``, ``c[1]`` and ``c[1][2]``."""
    return channel_name.split("[", 1)[0]


# --------------------------------------------------------------------------- values in CSP notation


def renderer(protocol):
    """``render`` for one protocol, as a function of the value: a number's or
    a boolean's protocol gets ``_plain`` itself, which a traced communication
    of the commonest kind then costs instead of the walk through the type."""
    t = T.base(protocol) if protocol is not None and protocol is not _AMBIGUOUS else None
    if protocol is None or protocol is _AMBIGUOUS or (isinstance(t, S.PrimType) and t.name != "BYTE"):
        return _plain
    return lambda value: render(value, protocol)


def render(value, protocol) -> str:
    """``value`` (as the runtime holds it) after the channel's name and a dot."""
    if protocol is None or protocol is _AMBIGUOUS or T.is_any_protocol(protocol):
        return _plain(value)
    decl = _protocol_decl(protocol)
    if decl is not None and decl.tags is not None:
        return _variant(value, decl)
    if decl is not None and decl.items is not None:
        items = decl.items
        if len(items) == 1:
            return _item(value, items[0])
        if isinstance(value, tuple) and len(value) == len(items):
            return ".".join(_item(v, t) for v, t in zip(value, items))
        return _plain(value)
    return _item(value, protocol)


def _protocol_decl(protocol) -> S.ProtocolDecl | None:
    if isinstance(protocol, S.NamedType) and protocol.name.symbol is not None:
        decl = protocol.name.symbol.decl
        if isinstance(decl, S.ProtocolDecl):
            return decl
    return None


def _variant(value, decl: S.ProtocolDecl) -> str:
    if not isinstance(value, tuple) or not value or not isinstance(value[0], str):
        return _plain(value)
    tag, *rest = value
    items = _tag_items(decl, tag)
    if items is None or len(items) != len(rest):
        return ".".join([tag] + [_plain(v) for v in rest])
    return ".".join([tag] + [_item(v, t) for v, t in zip(rest, items)])


def _tag_items(decl: S.ProtocolDecl, tag: str, seen=None):
    """The items of ``tag`` in ``decl`` or in a protocol it extends."""
    seen = seen if seen is not None else set()
    if id(decl) in seen:
        return None
    seen.add(id(decl))
    for t in decl.tags or []:
        if t.name.name == tag:
            return t.items
    for parent in decl.extends:
        parent_decl = parent.symbol.decl if parent.symbol is not None else None
        if isinstance(parent_decl, S.ProtocolDecl):
            items = _tag_items(parent_decl, tag, seen)
            if items is not None:
                return items
    return None


def _item(value, t) -> str:
    t = T.base(t) if not isinstance(t, S.CountedArray) else t
    if isinstance(t, S.CountedArray):
        if isinstance(value, tuple) and len(value) == 2:
            count, array = value
            return f"{_plain(count)}.{_array(array, t.elem)}"
        return _plain(value)
    if isinstance(t, S.ArrayType):
        return _array(value, t.elem)
    if isinstance(t, S.PrimType):
        if t.name == "BYTE" and isinstance(value, int):
            return _byte(value)
        return _plain(value)
    return _plain(value)


def _array(value, elem) -> str:
    if not isinstance(value, (list, tuple, bytes, bytearray)):
        return _plain(value)
    elem = T.base(elem)
    if isinstance(elem, S.PrimType) and elem.name == "BYTE" and all(isinstance(v, int) for v in value):
        return '"' + "".join(_char(v) for v in value) + '"'
    return "[" + ", ".join(_item(v, elem) for v in value) + "]"


def _char(b: int) -> str:
    if b in _OCCAM_ESCAPES:
        return _OCCAM_ESCAPES[b]
    if 32 <= b < 127:
        return chr(b)
    return f"*#{b:02X}"


def _byte(b: int) -> str:
    """A BYTE as an occam character literal, `'h'`, `'*n'`; a number if it has none."""
    if b == 34:
        return "'\"'"
    if 32 <= b < 127 or b in _OCCAM_ESCAPES:
        return "'" + _char(b) + "'"
    return str(b)


def _plain(value) -> str:
    """A value of unknown type: numbers, TRUE/FALSE, tags and arrays."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, tuple):
        return ".".join(_plain(v) for v in value)
    if isinstance(value, (list, bytes, bytearray)):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return repr(value)


def _json_value(value):
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    return repr(value)


# --------------------------------------------------------------------------- the observer


class Tracer:
    """The observer that writes a run's trace to ``out`` (a text stream)."""

    def __init__(
        self,
        out,
        protocols: "Protocols",
        *,
        format: str = "csp",
        verbose: bool = False,
        limit: int | None = None,
        channels: list[str] | None = None,
        process: str | None = None,
        with_report: bool = True,
    ) -> None:
        """``with_report``: end a csp trace with the report of a deadlock or
        run-time error (not when the report is shown beside the trace anyway:
        on standard error, or in a notebook)."""
        if format not in FORMATS:
            raise ValueError(f"trace format must be one of {', '.join(FORMATS)}, not {format!r}")
        self.out = out
        self.protocols = protocols
        self.format = format
        self.verbose = verbose
        self.limit = limit
        self.channels = set(channels) if channels else None
        self.process = process
        self.with_report = with_report and out is not sys.stderr
        self.seq = 0  # communications so far, shown or not
        self.shown = 0
        self.start = time.monotonic()
        self.csv = csv.writer(out, lineterminator="\n") if format == "csv" else None
        if self.csv is not None:
            self.csv.writerow(CSV_COLUMNS)
        # On a terminal each event shows as it happens; a file (-o) or a pipe is
        # written in blocks, and flushed as the trace ends.
        self.live = _is_terminal(out)
        if format == "csp" and not verbose and limit is None and self.channels is None and process is None:
            self.communicated = self._every_event  # the default trace has a path of its own

    def _every_event(self, channel, value, writer, reader) -> None:
        """:meth:`communicated` for the default trace (every event, numbered,
        no writer or reader): on greenlets a traced communication costs about
        twice an untraced one, which every test left out here would add to."""
        seq = self.seq = self.seq + 1
        self.shown = seq
        name = channel.name or "?"
        self.out.write(f"{seq:>4}  {name}.{self.protocols.renderer(channel, name, writer)(value)}\n")
        if self.live:
            self.out.flush()

    # -- what to show

    def wanted(self, channel: str, writer: str | None, reader: str | None) -> bool:
        if self.channels is not None and channel not in self.channels and base_name(channel) not in self.channels:
            return False
        if self.process is not None and not any(_is_process(n, self.process) for n in (writer, reader)):
            return False
        return True

    # -- the hook

    def communicated(self, channel, value, writer, reader) -> None:
        self.seq += 1
        if self.limit is not None and self.shown >= self.limit:
            return
        name = getattr(channel, "name", None) or "?"
        writer_name = writer.name if writer is not None else None
        reader_name = reader.name if reader is not None else outside_reader(name)
        if not self.wanted(name, writer_name, reader_name):
            return
        self.shown += 1
        event = f"{name}.{self.protocols.renderer(channel, name, writer)(value)}"
        if self.format == "csp" and not self.verbose:
            self.write(f"{self.seq:>4}  {event}")
            return
        from cspc.runtime.hooks import where

        writer_at = where(writer)
        reader_at = where(reader) if reader is not None else None
        at = round(time.monotonic() - self.start, 6)
        if self.format == "csp":
            self.write(f"{self.seq:>4}  {event:<24}  {_who(writer_name, writer_at)} -> {_who(reader_name, reader_at)}")
        elif self.format == "json":
            record = {
                "seq": self.seq, "channel": name, "value": _json_value(value), "event": event,
                "writer": writer_name, "reader": reader_name,
                "writer_at": writer_at, "reader_at": reader_at, "time": at,
            }  # fmt: skip
            self.write(json.dumps(record))
        else:
            self.csv.writerow([self.seq, name, event, writer_name, reader_name, writer_at, reader_at, at])
            if self.live:
                self.out.flush()

    def write(self, line: str) -> None:
        self.out.write(line + "\n")
        if self.live:
            self.out.flush()

    # -- the end

    def finish(self, ending: BaseException | None = None, report: str | None = None) -> None:
        """End the trace: say where tracing stopped, and how the run ended
        (``report``: the deadlock or run-time error as the CLI prints it)."""
        cut = self.limit is not None and self.seq > self.shown and self.shown >= self.limit
        if self.format == "csp":
            if cut:
                self.write(f"-- trace stopped after {self.limit} events; the run went on to {self.seq}")
            if report and self.with_report:
                self.write(report)
        elif self.format == "json":
            if report:
                kind = "deadlock" if type(ending).__name__ == "Deadlock" else "error"
                record = {"end": kind, "report": report}
                blocked = getattr(ending, "blocked", None)
                if blocked is not None:
                    record["blocked"] = [
                        {"process": b.process, "waiting_for": b.waiting_for, "channel": b.channel,
                         "partner": b.partner, "at": b.location}
                        for b in blocked if b.waiting_for != "PAR"
                    ]  # fmt: skip
                self.write(json.dumps(record))
        self.out.flush()


def _is_terminal(out) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def _who(name: str | None, at: str | None) -> str:
    name = name or "?"
    return f"{name} ({at})" if at else name


def _is_process(name: str | None, wanted: str) -> bool:
    """``--process philosopher`` picks ``philosopher`` and its copies ``philosopher i=2``."""
    if name is None:
        return False
    return name == wanted or re.match(re.escape(wanted) + r" \w+=", name) is not None
