"""PAR, SEQ, @process, exceptions crossing PAR, STOP."""

import sys
import traceback

import pytest

from cspc.runtime import (
    Channel,
    Deadlock,
    OccamError,
    Par,
    ProcessError,
    Seq,
    Timer,
    process,
    run,
)
from cspc.runtime.hooks import current_backend, current_process
from cspc.runtime.occam import par, stop


def test_par_ends_when_all_branches_end(backend):
    log = []

    def slow():
        Timer().sleep(20_000)
        log.append("slow")

    def fast():
        log.append("fast")

    def main():
        par(slow, fast)
        log.append("after")

    run(main, backend=backend)
    assert sorted(log[:2]) == ["fast", "slow"] and log[2] == "after"


def test_par_of_nothing_and_of_one(backend):
    log = []
    run(lambda: (par(), par(lambda: log.append(1))), backend=backend)
    assert log == [1]


def test_nested_and_replicated_par(backend):
    cs = [Channel(f"cs[{i}]") for i in range(10)]
    total = []

    def main():
        par(
            lambda: par(*[(lambda i=i: cs[i].write(i * i)) for i in range(10)]),
            lambda: total.append(sum(c.read() for c in cs)),
        )

    run(main, backend=backend)
    assert total == [sum(i * i for i in range(10))]


def test_seq_and_par_classes(backend):
    log = []

    @process
    def say(word):
        log.append(word)

    run(lambda: Seq(say("a"), Par(say("b")), say("c")).run(), backend=backend)
    assert log == ["a", "b", "c"]


def test_process_decorator_names_the_process(backend):
    names = []

    @process
    def worker(n):
        names.append((current_process().name, n))

    run(lambda: Par(worker(1), worker(2)).run(), backend=backend)
    assert sorted(names) == [("worker", 1), ("worker", 2)]


def test_par_names(backend):
    names = []

    def record():
        names.append(current_process().name)

    run(lambda: par(record, record, lambda: record(), names=["p", "q", "r"]), backend=backend)
    assert sorted(names) == ["p", "q", "r"]


def test_anonymous_branches_are_numbered(backend):
    names = []
    run(lambda: par(lambda: names.append(current_process().name), lambda: names.append(current_process().name)),
        backend=backend)
    assert sorted(names) == ["PAR branch 1", "PAR branch 2"]


def test_current_backend(backend):
    assert run(current_backend, backend=backend) == backend
    assert current_backend() is None


def test_backend_from_environment(monkeypatch, backend):
    monkeypatch.setenv("CSPC_BACKEND", backend)
    assert run(current_backend) == backend


def test_exception_in_branch_names_the_process_and_keeps_the_original(backend):
    c = Channel("c")

    def waiter():
        c.read()  # never satisfied: killed when the sibling fails

    def failing():
        raise OccamError("overflow")

    with pytest.raises(ProcessError) as info:
        run(lambda: par(waiter, failing, names=["waiter", "adder"]), backend=backend)
    err = info.value
    assert err.process_name == "adder"
    assert isinstance(err.__cause__, OccamError) and err.original is err.__cause__
    assert "process 'adder' failed: OccamError: overflow" in str(err)
    frames = traceback.extract_tb(err.original.__traceback__)
    assert any(f.name == "failing" for f in frames)  # the original traceback survives


def test_innermost_failing_process_is_named(backend):
    def inner():
        raise ValueError("deep")

    def main():
        par(lambda: par(lambda: None, inner, names=["x", "inner"]), lambda: None, names=["outer", "other"])

    with pytest.raises(ProcessError) as info:
        run(main, backend=backend)
    assert info.value.process_name == "inner"
    assert isinstance(info.value.original, ValueError)


def test_exception_in_first_branch(backend):
    c = Channel("c")

    def first():
        raise KeyError("k")

    with pytest.raises(ProcessError) as info:
        run(lambda: par(first, lambda: c.read(), names=["first", "second"]), backend=backend)
    assert info.value.process_name == "first"


def test_failure_kills_siblings_blocked_deep_in_nested_pars(backend):
    c, d = Channel("c"), Channel("d")
    finished = []

    def blocked_deep():
        try:
            par(lambda: c.read(), lambda: d.read())
        finally:
            finished.append("unwound")

    def fails():
        Timer().sleep(10_000)
        raise RuntimeError("boom")

    with pytest.raises(ProcessError, match="boom"):
        run(lambda: par(blocked_deep, fails), backend=backend)
    assert finished == ["unwound"]


def test_exception_in_main_propagates_unwrapped(backend):
    def main():
        raise OccamError("range")

    with pytest.raises(OccamError, match="range"):
        run(main, backend=backend)


def test_caught_process_error_lets_the_network_go_on(backend):
    log = []

    def main():
        try:
            par(lambda: 1 / 0, lambda: None)
        except ProcessError as e:
            log.append(type(e.original).__name__)
        c = Channel("c")
        par(lambda: c.write(5), lambda: log.append(c.read()))

    run(main, backend=backend)
    assert log == ["ZeroDivisionError", 5]


def test_stop_blocks_only_the_stopped_process(backend):
    log = []

    def main():
        par(stop, lambda: log.append("others carry on"), names=["stopper", "other"])

    with pytest.raises(Deadlock) as info:
        run(main, backend=backend)
    assert log == ["others carry on"]
    assert [(b.process, b.waiting_for) for b in info.value.blocked if b.waiting_for != "PAR"] == [
        ("stopper", "STOP")
    ]


def test_many_processes(backend):
    n = 200 if backend == "threads" else 2000
    chans = [Channel(f"ring[{i}]") for i in range(n + 1)]

    def cell(i):
        return lambda: chans[i + 1].write(chans[i].read() + 1)

    out = []

    def main():
        par(lambda: chans[0].write(0), *[cell(i) for i in range(n)], lambda: out.append(chans[n].read()))

    run(main, backend=backend)
    assert out == [n]


def test_keyboard_interrupt_and_system_exit_are_not_wrapped(backend):
    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(lambda: par(interrupted, lambda: None), backend=backend)
    with pytest.raises(SystemExit):
        run(lambda: par(lambda: None, lambda: exit(3)), backend=backend)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="before 3.11 a Python call uses the C stack")
def test_a_process_may_recurse_far_past_pythons_default_limit(backend):
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)

    results = []

    def branch():
        results.append(depth(100_000))

    before = sys.getrecursionlimit()
    run(lambda: par(branch, branch), backend=backend)
    assert results == [100_000, 100_000]
    assert sys.getrecursionlimit() == before  # the run's limit goes with it
