"""CommsTime: the classic CSP benchmark, side by side on several runtimes.

    python bench/commstime.py [--rounds N] [--runs R] [--ring SIZE] [--pycsp-python PATH]

The network is prefix -> delta -> succ -> prefix, with delta also feeding a
consumer that times N rounds; each round is 4 communications.  Each variant
runs R times in a fresh subprocess and the table shows the median nanoseconds
per communication:

* cspc greenlet / cspc threads -- this runtime (cspc.runtime);
* PyCSP 0.9.2 greenlets / threads -- if PyCSP imports in the interpreter given
  by --pycsp-python (default: this one); it is a benchmark-only install
  (``pip install pycsp==0.9.2`` into a separate venv that also has greenlet).
  Two Python 3.11 incompatibilities are patched in memory at benchmark time;
* bare semaphore channel -- a rendezvous built from two threading.Semaphores
  with OS threads, the floor for a thread-based channel.

Then a ring of --ring processes (default 1,000,000) passes a token round twice
on the greenlet backend: time per hop on the second lap, and peak memory per
process (growth of the peak RSS while the ring exists, divided by its size).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# -- the variants (each runs in its own subprocess, printing ns/communication) ----


def network(a, b, c, d):
    """CommsTime's prefix, delta and succ over the channels a, b, c, d (any
    objects with read() and write(value)): prefix outputs 0 on a and then
    copies d to a, delta copies a to both b and c, succ outputs c + 1 on d.
    Reading b is left to the caller."""

    def prefix():
        a.write(0)
        while True:
            a.write(d.read())

    def delta():
        while True:
            x = a.read()
            b.write(x)
            c.write(x)

    def succ():
        while True:
            d.write(c.read() + 1)

    return prefix, delta, succ


def run_network(build, rounds, backend):
    """Runs CommsTime on cspc.runtime: `build` (like `network`) makes prefix,
    delta and succ over four new channels, and a consumer times `rounds` reads
    of b and then poisons all four.  Returns nanoseconds per communication."""
    from cspc.runtime import Channel, PoisonError, run
    from cspc.runtime.occam import par  # the fast entry compiled code uses

    a, b, c, d = Channel("a"), Channel("b"), Channel("c"), Channel("d")
    result = {}

    def consumer():
        b.read()
        t0 = time.perf_counter()
        for _ in range(rounds):
            b.read()
        result["t"] = time.perf_counter() - t0
        for ch in (a, b, c, d):
            ch.poison()

    try:
        run(lambda: par(*build(a, b, c, d), consumer), backend=backend)
    except PoisonError:
        pass
    return result["t"] / (4 * rounds) * 1e9


def cspc_commstime(backend, rounds):
    return run_network(network, rounds, backend)


def pycsp_commstime(flavour, rounds):
    if flavour == "greenlets":
        import pycsp.greenlets as csp
    else:
        import pycsp.parallel.ossocket as ossocket

        ossocket._get_ip = lambda: "127.0.0.1"  # its interface probe fails on Python 3
        import pycsp.parallel as csp
    result = {}

    @csp.process
    def prefix(cin, cout):
        cout(0)
        while True:
            cout(cin())

    @csp.process
    def delta(cin, out1, out2):
        while True:
            x = cin()
            out1(x)
            out2(x)

    @csp.process
    def succ(cin, cout):
        while True:
            cout(cin() + 1)

    @csp.process
    def consumer(cin):
        cin()
        t0 = time.perf_counter()
        for _ in range(rounds):
            cin()
        result["t"] = time.perf_counter() - t0
        csp.poison(cin)

    a, b, c, d = csp.Channel(), csp.Channel(), csp.Channel(), csp.Channel()
    csp.Parallel(prefix(+d, -a), delta(+a, -b, -c), succ(+c, -d), consumer(+b))
    csp.shutdown()
    return result["t"] / (4 * rounds) * 1e9


class SemaphoreChannel:
    """The simplest correct rendezvous channel on OS threads."""

    def __init__(self):
        import threading

        self.value = None
        self.full = threading.Semaphore(0)
        self.taken = threading.Semaphore(0)

    def write(self, value):
        self.value = value
        self.full.release()
        self.taken.acquire()

    def read(self):
        self.full.acquire()
        value = self.value
        self.taken.release()
        return value


def threaded_commstime(channel_class, rounds):
    """CommsTime on plain daemon threads with channels of `channel_class`,
    timed by reading b in the calling thread; returns nanoseconds per
    communication.  Nothing poisons the network: its threads stay blocked."""
    import threading

    a, b, c, d = (channel_class() for _ in range(4))
    for fn in network(a, b, c, d):
        threading.Thread(target=fn, daemon=True).start()
    b.read()
    t0 = time.perf_counter()
    for _ in range(rounds):
        b.read()
    return (time.perf_counter() - t0) / (4 * rounds) * 1e9


def semaphore_commstime(rounds):
    return threaded_commstime(SemaphoreChannel, rounds)


def peak_rss_bytes() -> int:
    """The peak resident set of this process so far (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def token_ring(size, backend):
    """A token goes twice round a ring of `size` processes; the second lap is
    timed, so starting the processes is not counted.  Returns nanoseconds per
    hop and bytes per process: the growth of the peak resident set while the
    ring exists, divided by its size."""
    from cspc.runtime import Channel, run
    from cspc.runtime.occam import par

    baseline = peak_rss_bytes()
    links = [Channel(f"link.{i}") for i in range(size + 1)]
    timing = {}

    def cell(inp, out):
        def body():
            out.write(inp.read() + 1)
            out.write(inp.read() + 1)

        return body

    def driver():
        links[0].write(0)
        first_lap = links[size].read()
        start = time.perf_counter()
        links[0].write(0)
        second_lap = links[size].read()
        timing["lap"] = time.perf_counter() - start
        if not first_lap == second_lap == size:
            raise RuntimeError(f"the token made {first_lap} and {second_lap} hops, not {size}")

    cells = [cell(links[i], links[i + 1]) for i in range(size)]
    run(lambda: par(driver, *cells), backend=backend)
    return timing["lap"] / size * 1e9, (peak_rss_bytes() - baseline) / size


# -- the driver -----------------------------------------------------------------------

VARIANTS = [
    ("cspc greenlet", "cspc-greenlet"),
    ("PyCSP 0.9.2 greenlets", "pycsp-greenlets"),
    ("cspc threads", "cspc-threads"),
    ("PyCSP 0.9.2 threads", "pycsp-threads"),
    ("bare semaphore channel (threads)", "semaphore"),
]


def run_one(kind, rounds):
    if kind.startswith("cspc-"):
        return cspc_commstime(kind[5:], rounds)
    if kind.startswith("pycsp-"):
        return pycsp_commstime("greenlets" if kind == "pycsp-greenlets" else "threads", rounds)
    if kind == "semaphore":
        return semaphore_commstime(rounds)
    raise SystemExit(f"unknown variant {kind}")


def measure(kind, rounds, runs, python):
    samples = []
    for _ in range(runs):
        proc = subprocess.run(
            [python, __file__, "--one", kind, "--rounds", str(rounds)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if proc.returncode != 0:
            return None, proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"
        samples.append(float(proc.stdout.split()[-1]))
    return statistics.median(samples), None


def pycsp_available(python) -> bool:
    """Whether ``python`` (an interpreter path) can import PyCSP 0.9.2."""
    try:
        probe = subprocess.run([python, "-c", "import pycsp.greenlets, pycsp.parallel"], capture_output=True)
    except OSError:  # no such interpreter: PyCSP is as good as absent
        return False
    return probe.returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20_000, help="CommsTime rounds per run (4 comms each)")
    parser.add_argument("--thread-rounds", type=int, default=None, help="rounds for thread variants (default rounds/4)")
    parser.add_argument("--runs", type=int, default=5, help="runs per variant (median reported)")
    parser.add_argument("--ring", type=int, default=1_000_000, help="processes in the token ring (0: skip)")
    parser.add_argument("--pycsp-python", default=sys.executable, help="interpreter with pycsp==0.9.2 installed")
    parser.add_argument("--only", default=None, help="comma-separated variant keys to run")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--ring-one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        print(f"{run_one(args.one, args.rounds):.1f}")
        return
    if args.ring_one:
        per_hop, per_proc = token_ring(args.ring_one, "greenlet")
        print(f"{per_hop:.1f} {per_proc:.1f}")
        return

    thread_rounds = args.thread_rounds or max(1, args.rounds // 4)
    have_pycsp = pycsp_available(args.pycsp_python)
    if not have_pycsp:
        print(f"PyCSP 0.9.2 is not importable by {args.pycsp_python}: skipping its rows "
              f"(pip install pycsp==0.9.2 greenlet into a separate venv and pass --pycsp-python)")
    print(f"CommsTime, median of {args.runs} runs; {args.rounds} rounds on greenlets, "
          f"{thread_rounds} on threads (4 communications per round)\n")
    print(f"{'variant':36} {'ns/communication':>18}")
    results = {}
    only = set(args.only.split(",")) if args.only else None
    for label, kind in VARIANTS:
        if only and kind not in only:
            continue
        if kind.startswith("pycsp-") and not have_pycsp:
            print(f"{label:36} {'skipped':>18}")
            continue
        rounds = args.rounds if "greenlet" in kind else thread_rounds
        python = args.pycsp_python if kind.startswith("pycsp-") else sys.executable
        ns, error = measure(kind, rounds, args.runs, python)
        results[kind] = ns
        print(f"{label:36} {'error: ' + error if ns is None else f'{ns:18.0f}'}", flush=True)
    print()
    for ours, theirs in (("cspc-greenlet", "pycsp-greenlets"), ("cspc-threads", "pycsp-threads"),
                         ("cspc-threads", "semaphore")):
        if results.get(ours) and results.get(theirs):
            print(f"{ours} is {results[theirs] / results[ours]:.1f}x as fast as {theirs}")
    if args.ring:
        proc = subprocess.run([sys.executable, __file__, "--ring-one", str(args.ring)], capture_output=True,
                              text=True, timeout=1800)
        if proc.returncode != 0:
            print(f"\nring of {args.ring}: failed: {proc.stderr.strip()[-300:]}")
        else:
            per_hop, per_proc = map(float, proc.stdout.split())
            print(f"\nring of {args.ring:,} processes on greenlets: {per_hop:.0f} ns per hop, "
                  f"peak memory {per_proc:.0f} bytes per process")


if __name__ == "__main__":
    main()
