"""The cspc benchmark suite: cspc side by side with its peers, in one run.

    python bench/run.py [--quick] [--out DIR] [--pycsp-python PATH] [--update-docs]

Measures CommsTime (compiled occam and hand-written runtime code on both
backends, PyCSP 0.9.2, a bare semaphore channel, a queue.Queue pipeline), a
token ring of up to 1,000,000 processes, ALT under load, and the compiler's
speed and start-up; then writes ``results.md`` (Markdown tables and the targets
with pass/MISS) and PNG plots into ``bench/results/`` (or ``--out``).

Every measurement runs in a fresh subprocess (``bench/workloads.py``); the
repetitions of a group are interleaved (A B C, A B C, ...) so that a burst of
load on a shared machine hits every variant alike, and each figure is the
median.  ``--quick`` is a smoke configuration (tiny sizes, one repetition):
its numbers mean nothing.

PyCSP is a benchmark-only install, skipped with a message when it does not
import: ``pip install pycsp==0.9.2`` (into this interpreter, or into another
one given by ``--pycsp-python`` or ``$CSPC_BENCH_PYCSP_PYTHON``; that one also
needs greenlet and cspc).  Plots need matplotlib (``pip install -e '.[bench]'``)
and are skipped with a message without it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from report import update_docs, write_results  # noqa: E402  (bench/ is not a package)

WORKLOADS = os.path.join(HERE, "workloads.py")
REPO = os.path.dirname(HERE)
HELLO = os.path.join(REPO, "examples", "hello.csp")

THREAD_RING_CAP = 10_000  # one OS thread per process: beyond this a ring takes minutes and GBs


@dataclass
class Config:
    reps: int  # repetitions of every measurement (the median is reported)
    greenlet_rounds: int  # CommsTime rounds (4 communications each)
    thread_rounds: int
    pycsp_thread_rounds: int  # PyCSP threads is ~100x slower: fewer rounds, same accuracy
    ring_sizes: list[int]
    alt_producers: int
    alt_messages: int  # on greenlets; a quarter of it on threads
    compiler_lines: int
    startup_reps: int


FULL = Config(reps=5, greenlet_rounds=20_000, thread_rounds=4_000, pycsp_thread_rounds=400,
              ring_sizes=[1_000, 10_000, 100_000, 1_000_000], alt_producers=100, alt_messages=20_000,
              compiler_lines=10_000, startup_reps=5)
QUICK = Config(reps=1, greenlet_rounds=1_000, thread_rounds=200, pycsp_thread_rounds=50,
               ring_sizes=[100], alt_producers=100, alt_messages=500, compiler_lines=300, startup_reps=1)


@dataclass
class Measured:
    """The samples of one measurement, or why there are none."""

    samples: list[dict] = field(default_factory=list)
    error: str | None = None

    def median(self, key: str) -> float | None:
        if self.error or not self.samples:
            return None
        return statistics.median(s[key] for s in self.samples)


class Suite:
    def __init__(self, config: Config, pycsp_python: str, log=print):
        self.config = config
        self.pycsp_python = pycsp_python
        self.log = log
        self.have_pycsp = imports(pycsp_python, "import pycsp.greenlets, pycsp.parallel")
        # One compile cache for the whole run: the compiled CommsTime is compiled once.
        self.cache_dir = tempfile.mkdtemp(prefix="cspc-bench-cache-")

    def run_workload(self, kind: str, params: dict, python: str | None = None, timeout: float = 300) -> dict:
        env = dict(os.environ, CSPC_CACHE_DIR=self.cache_dir)
        try:
            proc = subprocess.run([python or sys.executable, WORKLOADS, kind, json.dumps(params)],
                                  capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"gave up after {timeout:.0f} s")
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
            raise RuntimeError(" / ".join(lines[-3:])[-300:])
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def interleaved(self, jobs: dict[str, tuple], reps: int) -> dict[str, Measured]:
        """Run every job ``reps`` times, round-robin; a job that fails once is
        not run again."""
        results = {key: Measured() for key in jobs}
        for _ in range(reps):
            for key, (kind, params, python, timeout) in jobs.items():
                if results[key].error:
                    continue
                try:
                    results[key].samples.append(self.run_workload(kind, params, python, timeout))
                except RuntimeError as exc:
                    results[key].error = str(exc)
        return results

    # -- the groups ---------------------------------------------------------------

    def commstime(self) -> dict[str, Measured]:
        c = self.config
        variants = {
            "cspc-greenlet": c.greenlet_rounds,
            "compiled-greenlet": c.greenlet_rounds,
            "cspc-threads": c.thread_rounds,
            "compiled-threads": c.thread_rounds,
            "pycsp-greenlets": c.greenlet_rounds,
            "pycsp-threads": c.pycsp_thread_rounds,
            "semaphore": c.thread_rounds,
            "queue": c.thread_rounds,
            "greenlet-switch": c.greenlet_rounds,
        }
        jobs = {}
        for variant, rounds in variants.items():
            python = None
            if variant.startswith("pycsp-"):
                if not self.have_pycsp:
                    continue
                python = self.pycsp_python
            jobs[variant] = ("commstime", {"variant": variant, "rounds": rounds}, python, 300)
        results = self.interleaved(jobs, c.reps)
        if not self.have_pycsp:
            reason = "skipped: PyCSP 0.9.2 is not installed"
            results["pycsp-greenlets"] = Measured(error=reason)
            results["pycsp-threads"] = Measured(error=reason)
        return results

    def ring(self) -> dict[tuple[str, int], Measured]:
        results = {}
        for backend in ("greenlet", "threads"):
            for size in self.config.ring_sizes:
                if backend == "threads" and size > THREAD_RING_CAP:
                    results[backend, size] = Measured(
                        error=f"not run: threads are capped at {THREAD_RING_CAP:,} processes (one OS thread each)")
                    continue
                reps = self.config.reps if size <= 10_000 else 1  # the big rings take a minute each
                reps = min(reps, 3)
                self.log(f"  ring of {size:,} on {backend} ({reps} run{'s' * (reps > 1)})")
                timeout = 900 if backend == "greenlet" else 180
                job = ("ring", {"size": size, "backend": backend}, None, timeout)
                results[backend, size] = self.interleaved({"ring": job}, reps)["ring"]
                if results[backend, size].error:
                    self.log(f"    {results[backend, size].error}")
        return results

    def alt(self) -> dict[tuple[str, bool], Measured]:
        c = self.config
        jobs = {}
        for backend in ("greenlet", "threads"):
            messages = c.alt_messages if backend == "greenlet" else max(c.alt_producers, c.alt_messages // 4)
            for pri in (False, True):
                params = {"backend": backend, "producers": c.alt_producers, "messages": messages, "pri": pri}
                jobs[backend, pri] = ("alt", params, None, 300)
        return self.interleaved(jobs, min(self.config.reps, 3))

    def compiler(self) -> Measured:
        job = ("compiler", {"lines": self.config.compiler_lines}, None, 600)
        return self.interleaved({"compiler": job}, min(self.config.reps, 3))["compiler"]

    def startup(self) -> dict[str, list[float]]:
        """Wall time of whole processes: Python alone, ``cspc run hello.csp``
        with an empty cache, and with the program cached."""
        times = {"python": [], "cold": [], "cached": []}
        for _ in range(self.config.startup_reps):
            times["python"].append(wall([sys.executable, "-c", "pass"]))
            with tempfile.TemporaryDirectory() as cache:
                hello = [sys.executable, "-m", "cspc", "run", HELLO]
                times["cold"].append(wall(hello, cache))
                times["cached"].append(wall(hello, cache))
        return times


def imports(python: str, statement: str) -> bool:
    try:
        return subprocess.run([python, "-c", statement], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def wall(argv: list[str], cache_dir: str | None = None) -> float:
    env = dict(os.environ)
    if cache_dir:
        env["CSPC_CACHE_DIR"] = cache_dir
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, env=env, timeout=120)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[-2:])} failed: {proc.stderr.decode()[-200:]}")
    return elapsed


def run_suite(config: Config, pycsp_python: str, quick: bool = False, log=print) -> tuple[dict, dict]:
    """Measure everything; return (results, context) for :func:`report.write_results`."""
    suite = Suite(config, pycsp_python, log)
    if not suite.have_pycsp:
        log(f"PyCSP 0.9.2 does not import in {pycsp_python}: its rows are skipped "
            "(pip install pycsp==0.9.2, or pass --pycsp-python)")
    started = time.perf_counter()
    load = os.getloadavg()[0]
    results = {}
    try:
        for key, title, measure in (
            ("commstime", "CommsTime", suite.commstime),
            ("ring", "token ring", suite.ring),
            ("alt", "ALT under load", suite.alt),
            ("compiler", "compiler", suite.compiler),
            ("startup", "start-up", suite.startup),
        ):
            log(f"{title} ...")
            results[key] = measure()
    finally:
        shutil.rmtree(suite.cache_dir, ignore_errors=True)
    context = {
        "quick": quick,
        "config": config,
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "load": load,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "seconds": time.perf_counter() - started,
    }
    return results, context


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repetition: a smoke test")
    parser.add_argument("--out", default=os.path.join(HERE, "results"), help="where results.md and plots go")
    parser.add_argument("--pycsp-python", default=os.environ.get("CSPC_BENCH_PYCSP_PYTHON", sys.executable),
                        help="an interpreter with pycsp==0.9.2, greenlet and cspc installed")
    parser.add_argument("--reps", type=int, help="override the number of repetitions")
    parser.add_argument("--update-docs", action="store_true", help="also copy the table into docs/performance.md")
    args = parser.parse_args(argv)

    config = QUICK if args.quick else FULL
    if args.reps:
        config = Config(**{**config.__dict__, "reps": args.reps})
    log = lambda message: print(message, flush=True)  # noqa: E731
    results, context = run_suite(config, args.pycsp_python, args.quick, log)
    path = write_results(results, context, args.out)
    print(f"\nwrote {path} in {context['seconds']:.0f} s\n")
    if args.update_docs:
        update_docs(path)
    with open(path) as f:
        print(f.read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
