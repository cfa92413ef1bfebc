"""cspc over MPI: what more ranks buy and what a message between ranks costs.

    python bench/mpi.py [--quick] [--repeats R] [--out FILE]

Needs the mpi extra (``pip install -e '.[mpi]'``).  Runs the occam programs in
``bench/mpi/`` with ``cspc run`` (one rank, no MPI) and ``cspc run --np N``,
each in a fresh job, the variants of a group interleaved R times (A B, A B, ...)
so that load from elsewhere hits them alike; each figure is the median of the
time the program measures itself with an occam TIMER (start-up, compiling and
MPI's launch are left out).  Writes a Markdown report (default
``bench/results/mpi.md``) that states the machine's core count and load.

* farm: the Mandelbrot set with many steps per point, rows handed out by a
  farmer to 8 workers spread over the ranks; 1 rank against 2 (target: a
  speed-up of at least 1.7x on 2 cores).
* ping-pong: one number passed back and forth, every communication between
  two processes; on 2 ranks each crosses a rank.  Beside it CommsTime, with
  two of its four communications per loop crossing a rank.
* token ring: 64 processes, a replicated PAR spread over 1-4 ranks in blocks,
  so a lap crosses a rank once per rank.

``--quick`` shrinks every program (its numbers mean nothing: a smoke test).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "mpi")
TIMEOUT = 900


def program(name: str, folder: str, **sizes) -> str:
    """bench/mpi/NAME.csp with its ``#SIZE#`` placeholders filled in, in ``folder``."""
    with open(os.path.join(PROGRAMS, name + ".csp"), encoding="utf-8") as f:
        text = f.read()
    for key, value in sizes.items():
        text = text.replace(f"#{key.upper()}#", str(value))
    path = os.path.join(folder, f"{name}-{'-'.join(str(v) for v in sizes.values())}.csp")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def measure(path: str, ranks: int) -> dict[str, int]:
    """Run ``path`` on ``ranks`` ranks; the ``name value`` lines it prints."""
    args = [sys.executable, "-m", "cspc", "run"] + (["--np", str(ranks)] if ranks > 1 else []) + [path]
    result = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr}")
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+) (-?\d+)$", result.stdout, re.M)}


def interleaved(variants: dict, repeats: int, key: str) -> dict:
    """{label: median of ``key``} over ``repeats`` rounds of every variant in turn."""
    samples: dict = {label: [] for label in variants}
    for _ in range(repeats):
        for label, (path, ranks) in variants.items():
            samples[label].append(measure(path, ranks)[key])
    return {label: statistics.median(values) for label, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(HERE, "results", "mpi.md"))
    options = parser.parse_args()
    repeats = 1 if options.quick else options.repeats
    steps, rounds, laps = (200, 500, 5) if options.quick else (8000, 20000, 300)
    started = time.monotonic()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        farm = program("farm", folder, max_steps=steps)
        farm_ms = interleaved({1: (farm, 1), 2: (farm, 2)}, repeats, "ms")
        ping = program("pingpong", folder, rounds=rounds)
        comms = program("commstime", folder, rounds=rounds)
        per_comm = interleaved(
            {("ping-pong", 1): (ping, 1), ("ping-pong", 2): (ping, 2),
             ("CommsTime", 1): (comms, 1), ("CommsTime", 2): (comms, 2)},
            repeats, "ns",
        )  # fmt: skip
        ring = program("ring", folder, laps=laps)
        ring_ns = interleaved({n: (ring, n) for n in (1, 2, 3, 4)}, repeats, "ns")
    speedup = farm_ms[1] / farm_ms[2]
    lines = [
        "# cspc over MPI",
        "",
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}; Python {platform.python_version()}; {platform.system()} "
        f"{platform.machine()}, **{os.cpu_count()} cores**; load average {load:.1f} at the start (a machine "
        f"shared with other work); MPICH from the mpich wheel; the run took {time.monotonic() - started:.0f} s.",
        f"Medians of {repeats} interleaved runs, each a fresh job; times measured by the programs themselves "
        "(an occam TIMER), without start-up." + (" **--quick: the numbers mean nothing.**" if options.quick else ""),
        "",
        "## Compute-bound farm (bench/mpi/farm.csp)",
        "",
        "| ranks | time | speed-up |",
        "|---:|---:|---:|",
        f"| 1 | {farm_ms[1]} ms | 1.00x |",
        f"| 2 | {farm_ms[2]} ms | {speedup:.2f}x |",
        "",
        f"Target: at least 1.7x on 2 ranks: **{'pass' if speedup >= 1.7 else 'MISS'}**.",
        "",
        "## One communication (bench/mpi/pingpong.csp, bench/mpi/commstime.csp)",
        "",
        "| program | within a rank | across ranks (2 ranks) |",
        "|---|---:|---:|",
    ]
    for name in ("ping-pong", "CommsTime"):
        lines.append(f"| {name} | {per_comm[(name, 1)] / 1000:.1f} µs | {per_comm[(name, 2)] / 1000:.1f} µs |")
    lines += [
        "",
        "Per communication; ping-pong's all cross a rank on 2 ranks, CommsTime's half of them.  "
        "A communication between ranks is two MPI messages (OFFER and ACK; see docs/distributed.md); "
        "the design notes' prototype measured 3.3 µs on a quiet 2-core machine.",
        "",
        "## Token ring of 64 processes (bench/mpi/ring.csp)",
        "",
        "| ranks | per hop | hops crossing a rank |",
        "|---:|---:|---:|",
    ]
    for n, ns in ring_ns.items():
        lines.append(f"| {n} | {ns / 1000:.1f} µs | {n if n > 1 else 0} of 64 |")
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(options.out), exist_ok=True)
    with open(options.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
