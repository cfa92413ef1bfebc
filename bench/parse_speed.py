"""How fast the front end parses: lines per second on a generated 10,000-line program.

    python bench/parse_speed.py [lines]

A benchmark, not a test: the number depends on the machine.
"""

from __future__ import annotations

import sys
import time

from cspc.parse import _parser, parse_text

PROC_TEMPLATE = """\
-- worker {i}
PROC worker.{i} (CHAN INT in?, out!, VAL INT k)
  INT x, total:
  [8]INT buffer:
  SEQ
    total := 0
    x := 0
    SEQ j = 0 FOR 8
      buffer[j] := (j * k) + {i}
    WHILE total < 1000
      SEQ
        in ? x
        IF
          x > ((MOSTPOS INT) / 2)
            total := total + 1
          (x /\\ #FF) = 0
            total := total + (x REM 7)
          TRUE
            total := total PLUS buffer[x /\\ 7]
        ALT
          in ? x
            out ! x + total
          SKIP
            out ! total
    out ! total
:
"""


def generated_program(lines: int) -> str:
    """About ``lines`` lines of occam that parse and check cleanly (bench/workloads.py
    times the checker and code generator on it too)."""
    per_proc = PROC_TEMPLATE.count("\n")
    return "".join(PROC_TEMPLATE.format(i=i) for i in range(max(1, lines // per_proc)))


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    text = generated_program(lines)
    count = text.count("\n")
    start = time.perf_counter()
    _parser()
    load = time.perf_counter() - start
    best = best_cpu = float("inf")
    for _ in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        parse_text(text, "bench.csp")
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    print(f"grammar load: {load * 1000:.0f} ms")
    print(f"parsed {count} lines in {best:.3f} s: {count / best:,.0f} lines/second")
    # CPU time is steadier than wall time on a busy machine.
    print(f"CPU time {best_cpu:.3f} s: {count / best_cpu:,.0f} lines/second")


if __name__ == "__main__":
    main()
