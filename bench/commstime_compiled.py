"""CommsTime compiled from occam versus the same network hand-written in Python.

    python bench/commstime_compiled.py [--rounds N] [--runs R] [--backend greenlet|threads]

The network is the one in bench/commstime.py: prefix -> delta -> succ ->
prefix, delta also feeding a consumer.  Here prefix, delta and succ are
written once in occam (compiled by cspc) and once by hand against
cspc.runtime (bench/commstime.py's own network); the consumer, which times N
rounds and then poisons the channels, is the same Python function for both.
So the ratio measures what compiling costs: the code generator's overhead
per communication (its overflow check in succ, its variable initialisation),
not the runtime's.  The issue's target is a ratio within 1.2.

Variants alternate, R runs each, and the medians are compared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import commstime  # noqa: E402  (bench/ is not a package)

OCCAM = """\
PROC prefix (VAL INT first, CHAN INT in?, out!)
  SEQ
    out ! first
    WHILE TRUE
      INT x:
      SEQ
        in ? x
        out ! x
:

PROC delta (CHAN INT in?, out.1!, out.2!)
  WHILE TRUE
    INT x:
    SEQ
      in ? x
      out.1 ! x
      out.2 ! x
:

PROC succ (CHAN INT in?, out!)
  WHILE TRUE
    INT x:
    SEQ
      in ? x
      out ! x + 1
:
"""


def compiled_network():
    """Compiles OCCAM; returns, like commstime.network, a function from the
    channels a, b, c, d to the processes prefix, delta and succ."""
    from cspc.compiler import compile_file

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "commstime_procs.csp")
        with open(path, "w") as f:
            f.write(OCCAM)
        result = compile_file(path, use_cache=False)
    namespace = result.new_namespace()
    exec(result.code, namespace)
    prefix, delta, succ = namespace["prefix"], namespace["delta"], namespace["succ"]

    def network(a, b, c, d):
        return lambda: prefix(0, d, a), lambda: delta(a, b, c), lambda: succ(c, d)

    return network


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--backend", default="greenlet", choices=["greenlet", "threads"])
    args = parser.parse_args(argv)
    variants = {"hand-written": commstime.network, "compiled": compiled_network()}
    samples = {name: [] for name in variants}
    commstime.run_network(variants["compiled"], 1000, args.backend)  # warm up
    for _ in range(args.runs):
        for name, network in variants.items():
            samples[name].append(commstime.run_network(network, args.rounds, args.backend))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"CommsTime on {args.backend}, {args.rounds} rounds, median of {args.runs} runs")
    for name, ns in medians.items():
        print(f"  {name:13} {ns:8.0f} ns per communication")
    ratio = medians["compiled"] / medians["hand-written"]
    print(f"  compiled / hand-written = {ratio:.2f}")
    return ratio


if __name__ == "__main__":
    sys.exit(0 if main() <= 1.2 else 1)
