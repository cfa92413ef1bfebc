"""Run KRoC's code-generator tests ("cgtests") through cspc and tabulate the results.

KRoC's ``tests/cgtests`` are self-checking occam programs: each prints
``^^^ Passed : NAME: All N tests passed OK`` when every check holds.  They are
not part of this repository; give this script a folder holding them:

    python bench/cgtests.py FOLDER [--only cgtest05,cgtest17] [--timeout 120]

The folder is prepared as KRoC's own build does it: a ``cglib.module`` that
includes ``cglib.occ`` is written there if it is missing.  Each
``cgtestNN.occ`` then runs with ``cspc run`` from that folder, its standard
input closed (as KRoC's runner does), and is reported as passed (with its
count of checks), failed (with the checks that failed), rejected by the
compiler (with the first error) or timed out.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

PASSED = re.compile(r"^\^\^\^ Passed : .*: All (\d+) tests", re.M)
FAILED = re.compile(r"^\^\^\^ Failed : .*: (\d+) errors detected", re.M)
DIAGNOSTIC = re.compile(r"^\S+:\d+:\d+: (?:error|internal error): .*$", re.M)


def run_one(folder: Path, test: str, timeout: float) -> tuple[str, str, float]:
    """(verdict, detail, seconds) for ``folder/test.occ``."""
    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cspc", "run", f"{test}.occ"],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return "timeout", f"no result after {timeout:.0f} s", time.monotonic() - start
    took = time.monotonic() - start
    out = done.stdout + done.stderr
    passed = PASSED.search(out)
    if passed and done.returncode == 0:
        return "passed", f"{passed.group(1)} checks", took
    failed = FAILED.search(out)
    if failed:
        wrong = [line.split(" Failed:")[0].strip() for line in out.splitlines() if " Failed: " in line]
        return "failed", f"{failed.group(1)} checks failed: {' '.join(wrong[:8])}", took
    diagnostic = DIAGNOSTIC.search(out)
    if diagnostic:
        return "rejected", diagnostic.group(), took
    tail = out.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
    return "error", tail[0], took


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a folder holding KRoC's cgtests (cgtestNN.occ, cglib.occ, ...)")
    parser.add_argument("--only", help="comma-separated test names, e.g. cgtest05,cgtest17")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per test (default 120)")
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    module = folder / "cglib.module"
    if (folder / "cglib.occ").is_file() and not module.exists():
        module.write_text('#INCLUDE "cglib.occ"\n')
    tests = sorted(p.stem for p in folder.glob("cgtest[0-9][0-9].occ"))
    if args.only:
        wanted = set(args.only.split(","))
        tests = [t for t in tests if t in wanted]
    if not tests:
        print(f"no cgtestNN.occ files in {folder}", file=sys.stderr)
        return 2
    counts: dict[str, int] = {}
    checks = 0
    for test in tests:
        verdict, detail, took = run_one(folder, test, args.timeout)
        counts[verdict] = counts.get(verdict, 0) + 1
        if verdict == "passed":
            checks += int(detail.split()[0])
        print(f"{test:10} {verdict:9} {took:6.1f} s  {detail}", flush=True)
    summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
    print(f"{len(tests)} tests: {summary}; {checks} checks passed in the tests that passed")
    return 0 if counts.get("passed", 0) == len(tests) else 1


if __name__ == "__main__":
    sys.exit(main())
