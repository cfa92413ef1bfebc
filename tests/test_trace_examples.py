"""The trace of every example is the run's communications, no more, no fewer.

Each example runs once (in a subprocess, on both backends) with two
observers side by side through the runtime hooks: `cspc trace`'s
:class:`~cspc.trace.Tracer` (JSON format) and a plain counting observer
written here, which keeps each channel's values as the runtime handed them.
The trace must have exactly one event per communication the counter saw,
and projecting the trace on a channel must give that channel's values, in
the order they were sent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cspc_cli import TIMEOUT
from test_examples import EXAMPLES_WITH_OUTPUT

ROOT = Path(__file__).resolve().parent.parent

RUN_WITH_BOTH = r"""
import io, json, sys
from cspc.compiler import compile_file
from cspc.runtime.occam import run_main
from cspc.trace import Protocols, Tracer, _json_value

path, backend, trace_path, count_path = sys.argv[1:]

class Counter:
    def __init__(self):
        self.values = []  # (channel, value) per communication, in order
    def communicated(self, channel, value, writer, reader):
        self.values.append((channel.name, _json_value(value)))

class Both:
    def __init__(self, *observers):
        self.observers = observers
    def communicated(self, channel, value, writer, reader):
        for o in self.observers:
            o.communicated(channel, value, writer, reader)

result = compile_file(path, use_cache=False)
namespace = result.new_namespace()
exec(result.code, namespace)
counter = Counter()
with open(trace_path, "w") as out:
    tracer = Tracer(out, Protocols(result.program), format="json")
    try:
        run_main(namespace[result.main], backend=backend, observer=Both(tracer, counter))
    finally:
        tracer.finish()
with open(count_path, "w") as f:
    json.dump(counter.values, f)
"""


@pytest.mark.parametrize("example", EXAMPLES_WITH_OUTPUT, ids=lambda e: e.name)
def test_the_trace_has_one_event_per_communication_and_each_channels_values(example, backend, tmp_path):
    trace_path, count_path = tmp_path / "trace.jsonl", tmp_path / "counted.json"
    environment = dict(os.environ, NO_COLOR="1")
    environment.pop("CSPC_BACKEND", None)
    ran = subprocess.run(
        [sys.executable, "-c", RUN_WITH_BOTH, str(example.path), backend, str(trace_path), str(count_path)],
        input=example.stdin, capture_output=True, timeout=TIMEOUT, cwd=ROOT, env=environment,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr.decode()
    events = [json.loads(line) for line in trace_path.read_text().splitlines()]
    counted = json.loads(count_path.read_text())
    assert counted, "every example communicates"
    assert len(events) == len(counted)
    assert [e["seq"] for e in events] == list(range(1, len(counted) + 1))
    channels = {channel for channel, _ in counted}
    for channel in channels:  # the projection on each channel: its values, in order
        assert [e["value"] for e in events if e["channel"] == channel] == [v for c, v in counted if c == channel]
    screen = [v for c, v in counted if c == "screen"]
    assert bytes(screen) == ran.stdout  # the counter is right too: it saw every byte printed
