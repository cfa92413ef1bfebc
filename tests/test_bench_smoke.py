"""The benchmark suite runs end to end in its quick configuration.

Not a timed test: the numbers are not looked at, only that every group ran and
the table has the rows it should.  PyCSP is made unavailable (an interpreter
that does not exist) so its rows must be skipped cleanly; plots are checked
with matplotlib hidden and, when it is installed, with it.
"""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")


def load_bench_module(name):
    spec = importlib.util.spec_from_file_location(f"cspc_bench_{name}", os.path.join(BENCH, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quick_run():
    bench_run = load_bench_module("run")
    messages = []
    results, context = bench_run.run_suite(bench_run.QUICK, "no-such-python-for-pycsp", quick=True,
                                           log=messages.append)
    return bench_run, results, context, messages


def test_quick_run_writes_every_row(quick_run, tmp_path, monkeypatch):
    bench_run, results, context, messages = quick_run
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    path = bench_run.write_results(results, context, str(tmp_path))
    text = open(path).read()

    assert any("PyCSP 0.9.2 does not import" in m for m in messages)
    for row in ("cspc greenlet, hand-written", "cspc greenlet, compiled .csp", "cspc threads, hand-written",
                "cspc threads, compiled .csp", "bare threading.Semaphore channel", "queue.Queue pipeline"):
        line = next(line for line in text.splitlines() if line.startswith(f"| {row}"))
        assert float(line.split("|")[2].replace(",", "")) > 0, line
    assert "| PyCSP 0.9.2 greenlets | skipped: PyCSP 0.9.2 is not installed |" in text
    assert "| PyCSP 0.9.2 threads | skipped: PyCSP 0.9.2 is not installed |" in text

    for backend in ("greenlet", "threads"):
        assert f"| {backend} | 100 |" in text
        assert f"| {backend} | ALT |" in text and f"| {backend} | PRI ALT |" in text
    for stage in ("| parse |", "| check |", "| code generation", "| all three |"):
        assert stage in text
    assert "`cspc run hello.csp`, empty cache" in text and "`cspc run hello.csp`, cached" in text

    targets = text.split("## Targets")[1].split("##")[0]
    assert "| greenlet CommsTime <= 450 ns/communication |" in targets
    assert "| greenlets >= 3x faster than PyCSP greenlets | PyCSP not measured | not measured |" in targets
    assert "| 1,000,000 processes in the ring | not attempted (largest ring 100) | not measured |" in targets
    assert "compiled CommsTime within 1.2x of hand-written (greenlet)" in targets
    assert "Quick smoke configuration" in text
    assert not list(tmp_path.glob("*.png"))


def test_quick_run_plots(quick_run, tmp_path):
    pytest.importorskip("matplotlib")
    bench_run, results, context, _ = quick_run
    bench_run.write_results(results, context, str(tmp_path))
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["alt.png", "commstime.png", "ring.png"]
