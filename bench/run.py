"""The cspc benchmark suite: cspc side by side with its peers, in one run.

    python bench/run.py [--quick] [--out DIR] [--pycsp-python PATH]
                        [--baseline-python PATH] [--only GROUP ...] [--update-docs]

Measures CommsTime (compiled occam and hand-written runtime code on both
backends, an earlier cspc's compiled occam, PyCSP 0.9.2, asyncio and trio, a
bare semaphore channel, a queue.Queue pipeline), the cost of tracing (compiled
CommsTime untraced, without the observer hook's tests, and traced), a token ring of up to
1,000,000 processes, ALT under load, and the compiler's speed and start-up;
then writes ``results.md`` (Markdown tables and the targets with pass/MISS)
and PNG plots into ``bench/results/`` (or ``--out``).

Every measurement runs in a fresh subprocess (``bench/workloads.py``); the
repetitions of a group are interleaved (A B C, A B C, ...) so that a burst of
load on a shared machine hits every variant alike, and each figure is the
median.  ``--quick`` is a smoke configuration (tiny sizes, one repetition):
its numbers mean nothing.

PyCSP is a benchmark-only install, skipped with a message when it does not
import: ``pip install pycsp==0.9.2`` (into this interpreter, or into another
one given by ``--pycsp-python`` or ``$CSPC_BENCH_PYCSP_PYTHON``; that one also
needs greenlet and cspc).  trio (in the ``bench`` extra) is reported as absent
when it does not import.  Plots need matplotlib (``pip install -e '.[bench]'``)
and are skipped with a message without it.

``--only GROUP`` (repeatable; groups: commstime, tracing, ring, alt, compiler,
startup) measures just those groups, for instance ``--only commstime`` to
judge a runtime change in a few minutes; the report leaves out the others'
tables and marks the targets that need them as not measured.

A change to cspc is judged against its predecessor in the same run with
``--baseline-python PATH`` (or ``$CSPC_BENCH_BASELINE_PYTHON``): an interpreter
with an earlier cspc installed (for instance a venv with ``pip install -e`` of
a checkout of the previous commit).  That interpreter runs this suite's
compiled CommsTime, the same program with the same rounds, through its own
compiler and runtime, interleaved with the rows of the cspc under test.
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
    # The comparison a runtime change is judged by (compiled greenlet CommsTime,
    # this cspc against the baseline) gets this many runs in all: cheap, and
    # its median moves less from one suite run to the next.
    baseline_reps: int


FULL = Config(reps=5, greenlet_rounds=20_000, thread_rounds=4_000, pycsp_thread_rounds=400,
              ring_sizes=[1_000, 10_000, 100_000, 1_000_000], alt_producers=100, alt_messages=20_000,
              compiler_lines=10_000, startup_reps=5, baseline_reps=15)
QUICK = Config(reps=1, greenlet_rounds=1_000, thread_rounds=200, pycsp_thread_rounds=50,
               ring_sizes=[100], alt_producers=100, alt_messages=500, compiler_lines=300, startup_reps=1,
               baseline_reps=2)


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
    def __init__(self, config: Config, pycsp_python: str, log=print, baseline_python: str | None = None):
        self.config = config
        self.pycsp_python = pycsp_python
        self.baseline_python = baseline_python
        self.log = log
        self.have_pycsp = imports(pycsp_python, "import pycsp.greenlets, pycsp.parallel")
        self.have_trio = imports(sys.executable, "import trio")
        self.have_baseline = bool(baseline_python) and imports(baseline_python, "import cspc, greenlet")
        # One compile cache per interpreter for the whole run: the compiled
        # CommsTime is compiled once by each cspc, never one's code run by the other.
        self.cache_dirs: dict[str, str] = {}

    def cache_dir(self, python: str) -> str:
        if python not in self.cache_dirs:
            self.cache_dirs[python] = tempfile.mkdtemp(prefix="cspc-bench-cache-")
        return self.cache_dirs[python]

    def remove_caches(self) -> None:
        for path in self.cache_dirs.values():
            shutil.rmtree(path, ignore_errors=True)

    def run_workload(self, kind: str, params: dict, python: str | None = None, timeout: float = 300) -> dict:
        python = python or sys.executable
        env = dict(os.environ, CSPC_CACHE_DIR=self.cache_dir(python))
        try:
            proc = subprocess.run([python, WORKLOADS, kind, json.dumps(params)],
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
        """Every CommsTime variant, keyed as in ``report.COMMSTIME_ROWS``."""
        c = self.config
        variants = self.commstime_variants()
        jobs = {}
        for key, (rounds, python) in variants.items():
            if not isinstance(python, Absent):
                variant = key.removeprefix("baseline-")  # the same workload, another interpreter
                jobs[key] = ("commstime", {"variant": variant, "rounds": rounds}, python, 300)
        results = self.interleaved(jobs, c.reps)
        self.more_of_the_judged_pair(jobs, results)
        for key, (_rounds, python) in variants.items():
            if isinstance(python, Absent):
                results[key] = Measured(error=python.reason)
        return dict(sorted(results.items(), key=lambda item: list(variants).index(item[0])))

    def more_of_the_judged_pair(self, jobs: dict, results: dict[str, Measured]) -> None:
        """Bring compiled greenlet CommsTime, this cspc's and the baseline's, up
        to ``baseline_reps`` runs each, taking turns in alternating order (A B,
        B A, ...) so that neither always runs right after the other."""
        pair = ["compiled-greenlet", "baseline-compiled-greenlet"]
        if not all(key in jobs for key in pair):
            return
        for turn in range(self.config.baseline_reps - self.config.reps):
            if any(results[key].error for key in pair):
                return
            order = pair if turn % 2 else pair[::-1]  # the main group ran A B: continue with B A
            more = self.interleaved({key: jobs[key] for key in order}, 1)
            for key in pair:
                results[key].samples += more[key].samples
                results[key].error = more[key].error

    def commstime_variants(self) -> dict[str, tuple[int, str | Absent]]:
        """Each variant's rounds and interpreter, or why it cannot run.  The
        event loops (asyncio, trio) run as many rounds as greenlets: all three
        switch between coroutines in one OS thread."""
        c = self.config
        return {
            "cspc-greenlet": (c.greenlet_rounds, sys.executable),
            "compiled-greenlet": (c.greenlet_rounds, sys.executable),
            "baseline-compiled-greenlet": (c.greenlet_rounds, self.baseline_or_reason()),
            "cspc-threads": (c.thread_rounds, sys.executable),
            "compiled-threads": (c.thread_rounds, sys.executable),
            "baseline-compiled-threads": (c.thread_rounds, self.baseline_or_reason()),
            "pycsp-greenlets": (c.greenlet_rounds, self.pycsp_or_reason()),
            "pycsp-threads": (c.pycsp_thread_rounds, self.pycsp_or_reason()),
            "asyncio": (c.greenlet_rounds, sys.executable),
            "trio": (c.greenlet_rounds, sys.executable if self.have_trio else Absent(
                "skipped: trio is not installed (pip install -e '.[bench]')")),
            "semaphore": (c.thread_rounds, sys.executable),
            "queue": (c.thread_rounds, sys.executable),
            "greenlet-switch": (c.greenlet_rounds, sys.executable),
        }

    def pycsp_or_reason(self):
        return self.pycsp_python if self.have_pycsp else Absent("skipped: PyCSP 0.9.2 is not installed")

    def baseline_or_reason(self):
        if not self.baseline_python:
            return Absent("not measured: no --baseline-python given")
        if not self.have_baseline:
            return Absent("skipped: cspc does not import in the --baseline-python interpreter")
        return self.baseline_python

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

    def tracing(self) -> dict[tuple[str, str], Measured]:
        """Compiled CommsTime untraced, with the observer hook's tests taken
        out, and traced to the null device (``workloads.TRACING_MODES``), on
        both backends, interleaved."""
        c = self.config
        jobs = {}
        for backend, rounds in (("greenlet", c.greenlet_rounds), ("threads", c.thread_rounds)):
            for mode in ("hookless", "off", "traced"):
                jobs[backend, mode] = ("tracing", {"backend": backend, "rounds": rounds, "mode": mode}, None, 300)
        return self.interleaved(jobs, c.reps)

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


@dataclass
class Absent:
    """A variant that cannot run here, and the reason the table gives."""

    reason: str


# ``python -c`` puts its working directory first on sys.path: started in the
# checkout, it would import the checkout's cspc rather than that interpreter's
# own.  So the probes below start in bench/, which holds no package.
PROBE_DIR = HERE


def imports(python: str, statement: str) -> bool:
    try:
        return subprocess.run([python, "-c", statement], capture_output=True, timeout=60,
                              cwd=PROBE_DIR).returncode == 0
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


def cspc_identity(python: str) -> tuple[str, str] | None:
    """(a description of the cspc that ``python`` imports: its version and, in
    a git checkout, the commit; the folder it is imported from), or None."""
    probe = "import os, cspc; print(cspc.__version__); print(os.path.dirname(os.path.abspath(cspc.__file__)))"
    try:
        proc = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=60, cwd=PROBE_DIR)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    version, folder = proc.stdout.split("\n")[:2]
    description = f"cspc {version}"
    git = ["git", "-C", folder]
    # Only a checkout's own files name a commit: a copy installed into a venv
    # that happens to sit inside some repository must not borrow its HEAD.
    tracked = run_quietly(git + ["ls-files", "--error-unmatch", "__init__.py"]).returncode == 0
    commit = run_quietly(git + ["rev-parse", "--short", "HEAD"])
    if tracked and commit.returncode == 0:
        description += f", commit {commit.stdout.strip()}"
        # The installed packages' folders (pyproject.toml), not bench/ or docs/.
        changed = run_quietly(git + ["status", "--porcelain", "--untracked-files=no", "--", ":/cspc", ":/runtime",
                                     ":/grammar"])
        if changed.stdout.strip():
            description += " with uncommitted changes"
    return description, folder


def run_quietly(argv: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:  # no git here: no commit to name
        return subprocess.CompletedProcess(argv, 1, "", str(exc))


GROUPS = ("commstime", "tracing", "ring", "alt", "compiler", "startup")  # in the order they run


def run_suite(config: Config, pycsp_python: str, quick: bool = False, log=print,
              baseline_python: str | None = None, only: list[str] | None = None) -> tuple[dict, dict]:
    """Measure everything (or the groups in ``only``); return (results,
    context) for :func:`report.write_results`."""
    suite = Suite(config, pycsp_python, log, baseline_python)
    if not suite.have_pycsp:
        log(f"PyCSP 0.9.2 does not import in {pycsp_python}: its rows are skipped "
            "(pip install pycsp==0.9.2, or pass --pycsp-python)")
    if not suite.have_trio:
        log("trio does not import: its row is skipped (pip install -e '.[bench]')")
    versions = {"tested": cspc_identity(sys.executable)}
    if baseline_python:
        versions["baseline"] = cspc_identity(baseline_python) if suite.have_baseline else None
        if versions["baseline"] is None:
            log(f"cspc does not import in {baseline_python}: the baseline rows are skipped")
        elif versions["tested"] and versions["baseline"][1] == versions["tested"][1]:
            log("the baseline interpreter imports the very cspc under test: its rows measure the same code")
    started = time.perf_counter()
    load = os.getloadavg()[0]
    results = {}
    try:
        for key, title, measure in (
            ("commstime", "CommsTime", suite.commstime),
            ("tracing", "the cost of tracing", suite.tracing),
            ("ring", "token ring", suite.ring),
            ("alt", "ALT under load", suite.alt),
            ("compiler", "compiler", suite.compiler),
            ("startup", "start-up", suite.startup),
        ):
            if only and key not in only:
                continue
            log(f"{title} ...")
            results[key] = measure()
    finally:
        suite.remove_caches()
    context = {
        "cspc": describe(versions.get("tested")),
        "baseline": describe(versions["baseline"]) if "baseline" in versions else None,
        "same_cspc": bool(versions.get("baseline") and versions["tested"]
                          and versions["baseline"][1] == versions["tested"][1]),
        "quick": quick,
        "config": config,
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "load": load,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "seconds": time.perf_counter() - started,
    }
    return results, context


def describe(identity: tuple[str, str] | None) -> str:
    """The description only: the folder is a path of this machine, kept out of results.md."""
    return identity[0] if identity else "cspc (version unknown)"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repetition: a smoke test")
    parser.add_argument("--out", default=os.path.join(HERE, "results"), help="where results.md and plots go")
    parser.add_argument("--pycsp-python", default=os.environ.get("CSPC_BENCH_PYCSP_PYTHON", sys.executable),
                        help="an interpreter with pycsp==0.9.2, greenlet and cspc installed")
    parser.add_argument("--baseline-python", default=os.environ.get("CSPC_BENCH_BASELINE_PYTHON"),
                        help="an interpreter with an earlier cspc installed, measured side by side")
    parser.add_argument("--reps", type=int, help="override the number of repetitions")
    parser.add_argument("--only", action="append", choices=GROUPS, metavar="GROUP",
                        help=f"measure only this group (repeatable): {', '.join(GROUPS)}")
    parser.add_argument("--update-docs", action="store_true", help="also copy the table into docs/performance.md")
    args = parser.parse_args(argv)

    config = QUICK if args.quick else FULL
    if args.reps:
        config = Config(**{**config.__dict__, "reps": args.reps,
                           "baseline_reps": max(args.reps, config.baseline_reps)})
    log = lambda message: print(message, flush=True)  # noqa: E731
    if args.update_docs and args.only:
        parser.error("--update-docs needs the whole suite (no --only)")
    results, context = run_suite(config, args.pycsp_python, args.quick, log, args.baseline_python, args.only)
    path = write_results(results, context, args.out)
    print(f"\nwrote {path} in {context['seconds']:.0f} s\n")
    if args.update_docs:
        update_docs(path)
    with open(path) as f:
        print(f.read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
