"""drive.py: Python imports occam processes and runs them in a network.

Teaches: the other direction of interop.  With cspc's import hook installed,
``import stream_tools`` finds stream_tools.csp, compiles it (cached like any
module) and gives its PROCs as Python functions.  Python makes the channels,
wraps each function as a process, and runs the network with the runtime's
API -- the same API the compiled occam uses.

The occam processes loop for ever, so the Python producer ends the run with
poison: it poisons its channel after the last number; the process reading it
dies of the poison and poisons its own channels, and so on down the line
until every process has ended.

Run it:  python examples/interop/drive.py
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cspc.importer  # noqa: E402,F401  (installs the hook: `import x` finds x.csp)
import stream_tools  # noqa: E402  (compiled from stream_tools.csp)
from cspc.runtime import Channel, Par, PoisonError, process, run  # noqa: E402


@process
def count_to(n, out):
    for i in range(1, n + 1):
        out.write(i)
    out.poison()


@process
def collect(inp, results):
    try:
        while True:
            results.append(inp.read())
    except PoisonError:
        pass  # the end of the stream


def network(results):
    numbers, scaled, totals = Channel("numbers"), Channel("scaled"), Channel("totals")
    Par(
        count_to(5, numbers.writer()),
        process(stream_tools.scale)(10, numbers.reader(), scaled.writer()),
        process(stream_tools.running_total)(scaled.reader(), totals.writer()),
        collect(totals.reader(), results),
    ).run()


def main():
    results = []
    run(network, results)
    print("running totals of 10, 20, 30, 40, 50:", *results)


if __name__ == "__main__":
    main()
