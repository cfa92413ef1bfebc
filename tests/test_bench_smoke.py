"""The benchmark suite runs end to end in its quick configuration.

Not a timed test: the numbers are not looked at, only that every group ran and
the table has the rows it should.  PyCSP is made unavailable (an interpreter
that does not exist) so its rows must be skipped cleanly; the baseline is this
very interpreter, so its rows run and the report must say they measure the
same code; trio is measured when it is installed and reported absent when it
is not; plots are checked with matplotlib hidden and, when it is installed,
with it.  The verdicts on the baseline and PyCSP are checked on made-up
samples, where the right answer is known.
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
                                           log=messages.append, baseline_python=sys.executable)
    return bench_run, results, context, messages


def test_quick_run_writes_every_row(quick_run, tmp_path, monkeypatch):
    bench_run, results, context, messages = quick_run
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    path = bench_run.write_results(results, context, str(tmp_path))
    text = open(path).read()

    assert any("PyCSP 0.9.2 does not import" in m for m in messages)
    rows = ["cspc greenlet, hand-written", "cspc greenlet, compiled .csp", "cspc threads, hand-written",
            "cspc threads, compiled .csp", "bare threading.Semaphore channel", "queue.Queue pipeline",
            "cspc (baseline) greenlet, compiled .csp", "cspc (baseline) threads, compiled .csp",
            "asyncio tasks, asyncio.Queue(maxsize=1) (a one-place buffer, not a rendezvous: flatters it)"]
    if importlib.util.find_spec("trio"):
        rows.append("trio tasks, trio.open_memory_channel(0) (a rendezvous)")
    else:
        assert "| trio tasks, trio.open_memory_channel(0) (a rendezvous) | skipped: trio is not installed" in text
    for row in rows:
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
    assert "| compiled greenlet CommsTime no slower than the baseline's (within 5%) | " in targets
    assert "| compiled greenlet CommsTime >= 3.5x faster than PyCSP greenlets | PyCSP not measured |" in targets
    assert "**The baseline is the same code as the cspc under test" in targets
    assert len(results["commstime"]["baseline-compiled-greenlet"].samples) == bench_run.QUICK.baseline_reps
    assert "Quick smoke configuration" in text
    assert not list(tmp_path.glob("*.png"))

    tracing = text.split("## The cost of tracing")[1].split("\n## ")[0]
    report = load_bench_module("report")
    for backend in ("greenlet", "threads"):
        for _mode, label in report.TRACING_MODES:
            line = next(line for line in tracing.splitlines() if line.startswith(f"| {backend} | {label} |"))
            assert float(line.split("|")[3].replace(",", "")) > 0, line
        assert f"| tracing off costs nothing measurable ({backend}: CPU within 5% of no hook) |" in tracing
        assert f"| tracing on costs at most 3x a communication ({backend}) |" in tracing


def test_quick_run_plots(quick_run, tmp_path):
    pytest.importorskip("matplotlib")
    bench_run, results, context, _ = quick_run
    bench_run.write_results(results, context, str(tmp_path))
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["alt.png", "commstime.png", "ring.png"]


def test_trio_missing_is_reported_absent(quick_run, monkeypatch):
    bench_run = quick_run[0]
    real_imports = bench_run.imports
    monkeypatch.setattr(bench_run, "imports", lambda python, statement: "trio" not in statement
                        and real_imports(python, statement))
    suite = bench_run.Suite(bench_run.QUICK, "no-such-python-for-pycsp")
    rounds, python = suite.commstime_variants()["trio"]
    assert python == bench_run.Absent("skipped: trio is not installed (pip install -e '.[bench]')")
    assert suite.commstime_variants()["baseline-compiled-greenlet"][1] == bench_run.Absent(
        "not measured: no --baseline-python given")
    suite.remove_caches()


def test_async_peers_run_the_commstime_network():
    commstime_async = load_bench_module("commstime_async")
    assert commstime_async.asyncio_commstime(200) > 0
    with pytest.raises(RuntimeError, match="read 199 after 200 rounds"):
        commstime_async.check_last(199, 200)


def test_trio_runs_the_commstime_network():
    pytest.importorskip("trio")
    assert load_bench_module("commstime_async").trio_commstime(200) > 0


def test_compiled_commstime_falls_back_to_cspc_run(monkeypatch, tmp_path):
    """An earlier cspc whose library API differs is still measured, through its CLI."""
    workloads = load_bench_module("workloads")
    monkeypatch.setenv("CSPC_CACHE_DIR", str(tmp_path))

    def old_api(source, backend):
        raise ImportError("cannot import name 'run_main'")

    monkeypatch.setattr(workloads, "run_in_process", old_api)
    result = workloads.compiled_commstime("greenlet", 200)
    assert result["route"] == "cspc run" and result["ns_per_comm"] > 0
    assert "cpu_ns_per_comm" not in result


def made_up_commstime(bench_run, compiled, baseline, pycsp):
    """CommsTime results with the given nanoseconds per communication (None: absent)."""
    def measured(ns, missing="not measured"):
        return bench_run.Measured(samples=[{"ns_per_comm": ns}] * 3) if ns else bench_run.Measured(error=missing)

    return {"commstime": {"compiled-greenlet": measured(compiled), "baseline-compiled-greenlet": measured(baseline),
                          "pycsp-greenlets": measured(pycsp)}}


@pytest.mark.parametrize("compiled, baseline, pycsp, verdicts, overall", [
    (1040, 1000, 2000, [True, False], "**met**"),  # 4% slower: within the margin
    (1100, 1000, 4000, [False, True], "**met**"),  # 10% slower, but 3.6x PyCSP
    (1100, 1000, 3000, [False, False], "**not met**"),
    (1000, None, 3000, [None, False], "not met (the other was not measured)"),
    (1000, None, None, [None, None], "not measured"),
])
def test_change_targets_verdicts(quick_run, compiled, baseline, pycsp, verdicts, overall):
    bench_run = quick_run[0]
    report = load_bench_module("report")
    targets = report.change_targets(made_up_commstime(bench_run, compiled, baseline, pycsp))
    assert [passed for _label, _measured, passed in targets] == verdicts
    assert report.either_met(verdicts) == overall
    if baseline:
        assert targets[0][1].startswith(f"{compiled / baseline:.2f}x the baseline's")


def test_the_hookless_channel_hands_over_without_telling_the_observer(monkeypatch, backend):
    """The floor the cost of tracing is judged against: the channel's own
    hand-overs, rebuilt without the observer hook's four tests."""
    from cspc.runtime import Channel, run
    from cspc.runtime.occam import par

    workloads = load_bench_module("workloads")
    monkeypatch.setattr(Channel, "write", Channel.write)  # restored after the test
    monkeypatch.setattr(Channel, "read", Channel.read)
    assert workloads.hookless_channel() == 4
    seen, got = [], []

    class Counting:
        def communicated(self, channel, value, writer, reader):
            seen.append(value)

    c = Channel("c")
    run(lambda: par(lambda: [c.write(i) for i in range(3)], lambda: got.extend(c.read() for _ in range(3))),
        backend=backend, observer=Counting())
    assert got == [0, 1, 2] and seen == []


@pytest.mark.parametrize("off_cpu, traced_wall, verdicts", [
    (510, 1400, [True, True]),  # 2% more CPU (the wall clock's 20% is load), 2.3x traced
    (550, 1400, [False, True]),  # 10% more CPU than without the hook
    (510, 2100, [True, False]),  # traced: 3.5x
])
def test_tracing_targets_verdicts(quick_run, off_cpu, traced_wall, verdicts):
    bench_run = quick_run[0]
    report = load_bench_module("report")

    def measured(ns, cpu):
        return bench_run.Measured(samples=[{"ns_per_comm": ns, "cpu_ns_per_comm": cpu}] * 3)

    results = {}
    for backend in ("greenlet", "threads"):
        results[backend, "hookless"] = measured(500, 500)
        results[backend, "off"] = measured(600, off_cpu)
        results[backend, "traced"] = measured(traced_wall, 1300)
    targets = report.tracing_targets(results)
    assert [passed for _label, _measured, passed in targets] == verdicts * 2
    assert targets[0][1].startswith(f"CPU {off_cpu / 500:.2f}x")
