"""How fast `cspc explore` searches, and how the state count grows: the
dining philosophers without a butler (deadlock found) and with one
(explored exhaustively), for n = 3..6.

    python bench/explore.py [--sizes 3,4,5,6] [--max-time SECONDS] [--out DIR]

Each program is the test programs' philosophers (tests/programs/explore/)
with N set to n, compiled once and explored in this process on the
controlled scheduler, so the figure is the search's own: states (distinct
stable points) per second of wall-clock time, with the runs (replays from
the start) it took.  Results go to ``bench/results/explore/results.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PROGRAMS = os.path.join(ROOT, "tests", "programs", "explore")
VARIANTS = {"no butler": "philosophers_naive.csp", "butler": "philosophers_butler.csp"}


def program_for(variant: str, n: int, folder: str) -> str:
    with open(os.path.join(PROGRAMS, VARIANTS[variant]), encoding="utf-8") as f:
        text = f.read()
    text, count = re.subn(r"VAL INT N IS \d+:", f"VAL INT N IS {n}:", text)
    assert count == 1, "the test program's N moved"
    path = os.path.join(folder, f"{VARIANTS[variant][:-4]}_{n}.csp")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def measure(path: str, max_time: float) -> dict:
    from cspc.compiler import compile_file
    from cspc.runtime.explore import explore

    result = compile_file(path, [], use_cache=False)
    namespace = result.new_namespace()
    exec(result.code, namespace)
    start = time.perf_counter()
    found = explore(namespace[result.main], max_time=max_time)
    seconds = time.perf_counter() - start
    verdict = found.finding.kind if found.finding else ("exhaustive" if found.exhaustive else "bound")
    return {"verdict": verdict, "states": found.states, "transitions": found.transitions, "runs": found.runs,
            "decisions": len(found.finding.decisions) if found.finding else None, "seconds": seconds}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3,4,5,6")
    parser.add_argument("--max-time", type=float, default=600.0)
    parser.add_argument("--out", default=os.path.join(HERE, "results", "explore"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    started = time.time()
    with tempfile.TemporaryDirectory() as folder:
        for variant in VARIANTS:
            for n in sizes:
                figures = measure(program_for(variant, n, folder), args.max_time)
                rows.append((variant, n, figures))
                print(variant, n, figures, flush=True)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.md"), "w", encoding="utf-8") as f:
        f.write(report(rows, time.time() - started, args.max_time))
    print(f"wrote {os.path.join(args.out, 'results.md')}")


def report(rows, total: float, max_time: float) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# cspc explore: the dining philosophers",
        "",
        f"{datetime.now():%Y-%m-%d %H:%M}; Python {platform.python_version()}; {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs; load average {load:.1f} at the end; "
        f"the run took {total:.0f} s (`python bench/explore.py`).",
        "",
        "One search per row, breadth first with replay, on the controlled (greenlet) scheduler; states are",
        "distinct stable points (every process blocked), runs are replays of the program from its start.",
        f"A search stops at the first deadlock, or after {max_time:g} s (verdict `bound`).",
        "",
        "| philosophers | n | verdict | states | transitions | runs | decisions to the deadlock | seconds "
        "| states per second | states / previous n |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    previous = {}
    for variant, n, r in rows:
        growth = previous.get(variant)
        ratio = f"{r['states'] / growth:.1f}x" if growth else ""
        previous[variant] = r["states"]
        rate = r["states"] / r["seconds"] if r["seconds"] else 0
        decisions = "" if r["decisions"] is None else str(r["decisions"])
        lines.append(f"| {variant} | {n} | {r['verdict']} | {r['states']:,} | {r['transitions']:,} | {r['runs']:,} "
                     f"| {decisions} | {r['seconds']:.2f} | {rate:,.0f} | {ratio} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    main()
